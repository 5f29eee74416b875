"""Bag-of-words features for the baseline: text -> n-grams -> counts, TF-IDF or NB weights.

Text goes through the RNN tokenizer's own normaliser (`tokenizer.normalizer`): `<br />` removed,
curly apostrophes straightened, negated contractions split so that negation is a feature of its
own ("isn't" -> "is n't", "didnt" -> "did n't", "cannot" -> "can not"); then words, "n't", "!"
and "?" are counted as n-grams. Everything here is NumPy and SciPy; scikit-learn only fits the classifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from sentiment_rnn.data.tokenizer import normalizer

TOKEN_PATTERN = r"n't|[^\W_]+(?:[-'][^\W_]+)*|[!?]"
# Kept when stop_words is "english": scikit-learn's list would drop them, and they carry sentiment.
NEGATIONS = frozenset("not no nor never none nothing nobody neither nowhere cannot without".split())
CONTRAST_AND_DEGREE = frozenset(
    "but however although though yet except very too much more most less least few rather "
    "enough even only".split()
)
_TOKEN = re.compile(TOKEN_PATTERN)


def stop_word_list(setting: str | None) -> frozenset[str]:
    """scikit-learn's English list minus negations, contrast and degree words; empty for None."""
    if setting is None:
        return frozenset()
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) - NEGATIONS - CONTRAST_AND_DEGREE


def analyzer(settings: dict) -> Callable[[str], list[str]]:
    """text -> its n-grams: normalise, lowercase, find tokens, drop stop words, join n-grams."""
    lowercase, (min_n, max_n) = settings["lowercase"], settings["ngram_range"]
    stop = stop_word_list(settings["stop_words"])
    normalize = normalizer(lowercase).normalize_str

    def analyze(text: str) -> list[str]:
        tokens = _TOKEN.findall(normalize(text))
        if stop:
            tokens = [token for token in tokens if token not in stop]
        grams = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), max_n + 1):
            grams += map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
        return grams

    return analyze


def count_matrix(texts: Sequence[str], settings: dict, vocabulary: dict[str, int], grow: bool):
    """N-gram counts (N, V) as CSR, presence only for nbsvm; `grow` adds unseen n-grams.

    The same as scikit-learn's CountVectorizer with this analyzer, up to the column order, in
    half the time: one dictionary lookup per n-gram in a list comprehension.
    """
    from scipy.sparse import csr_matrix

    analyze = analyzer(settings)
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        if grow:
            indices += [vocabulary.setdefault(gram, len(vocabulary)) for gram in analyze(text)]
        else:
            indices += [i for i in map(vocabulary.get, analyze(text)) if i is not None]
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    shape = (len(indptr) - 1, len(vocabulary))
    counts = csr_matrix((data, np.array(indices, dtype=np.int64), indptr), shape=shape)
    counts.sum_duplicates()
    if settings["kind"] == "nbsvm":
        counts.data[:] = 1.0
    return counts


def tfidf(counts, idf: np.ndarray, sublinear_tf: bool):
    """scikit-learn's TfidfTransformer (smooth idf, l2 norm) applied to a CSR count matrix."""
    weighted = counts.astype(np.float64, copy=True)
    if sublinear_tf:
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
    weighted.data *= idf.ravel()[weighted.indices]
    rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
    norms = np.sqrt(np.bincount(rows, weights=weighted.data**2, minlength=weighted.shape[0]))
    weighted.data /= np.where(norms > 0, norms, 1.0)[rows]
    return weighted


def smooth_idf(counts) -> np.ndarray:
    """idf = ln((1 + n) / (1 + df)) + 1, as scikit-learn's `smooth_idf=True`."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0


def nb_ratio(counts, positive: np.ndarray, alpha: float) -> np.ndarray:
    """r = log((p / |p|1) / (q / |q|1)); p, q: alpha + feature counts of each side."""
    p = alpha + np.asarray(counts[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(counts[~positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def scores_to_proba(scores: np.ndarray, link: str) -> np.ndarray:
    """`binary`: sigmoid of one score; `softmax`: multinomial; `ovr`: sigmoids, normalised."""
    if link == "softmax":
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    positive = 1.0 / (1.0 + np.exp(-scores))
    if link == "binary":
        return np.hstack([1.0 - positive, positive])
    return positive / positive.sum(axis=1, keepdims=True)
