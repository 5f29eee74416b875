"""The bag-of-words baseline: TF-IDF + logistic regression, or NBSVM (Wang & Manning 2012).

Both read the same splits, in the same label order, as the RNN (`data.load_dataset`). Features
come from `features.py`; scikit-learn fits the classifier; prediction is NumPy and SciPy over the
saved arrays.

A baseline run directory (meta.json kind "baseline", its files named in `runs.py`) holds the
model in baseline.json (format version, kind, text settings, how scores become probabilities),
vocabulary.json (the n-grams, in feature-column order) and baseline.safetensors: coef (K, V),
intercept (K,), and idf (1, V) or nb_ratio (K, V); K = 1 for two classes, else one row per class.
Nothing is pickled: loading reads JSON and safetensors only. Fitting: `baseline/fit.py`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save

from sentiment_rnn import __version__, runs
from sentiment_rnn.baseline.features import (
    TOKEN_PATTERN,
    analyzer,
    count_matrix,
    scores_to_proba,
    tfidf,
)
from sentiment_rnn.calibration import read_temperature, scale
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write, read_json
from sentiment_rnn.runs import ARRAYS, PARAMS, VOCABULARY
from sentiment_rnn.texts import Prediction, check_texts, predictions

BASELINE_FORMAT_VERSION = 1  # of baseline.json and baseline.safetensors


@dataclass
class BaselineModel:
    """A fitted bag-of-words model: n-gram features -> linear scores -> probabilities."""

    settings: dict  # kind, ngram_range, lowercase, stop_words, sublinear_tf, token_pattern, link
    labels: list[str]
    vocabulary: list[str]  # column i is the n-gram vocabulary[i]
    arrays: dict[str, np.ndarray]
    path: Path | None = None
    config: Config | None = None
    meta: dict = field(default_factory=dict)
    temperature: float = 1.0  # fitted on dev after fitting (calibration.py); 1.0: none saved
    _index: dict[str, int] | None = field(default=None, repr=False)
    backend = "numpy"  # what computes the answers (the RNN's are "torch" or "onnx")

    @property
    def kind(self) -> str:
        return self.settings["kind"]

    @property
    def num_parameters(self) -> int:
        """Every learned number: coefficients, intercepts, and the idf or NB-ratio weights."""
        return int(sum(array.size for array in self.arrays.values()))

    def features(self, texts: Sequence[str]):
        """The classifier's input (N, V): TF-IDF rows, or binary n-gram presence for nbsvm."""
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.vocabulary)}
        counts = count_matrix(texts, self.settings, self._index, grow=False)
        if self.kind == "tfidf_logreg":
            return tfidf(counts, self.arrays["idf"], self.settings["sublinear_tf"])
        return counts

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores (N, K): K = 1 for two classes, else one per class."""
        weights = self.arrays["coef"]
        if self.kind == "nbsvm":
            weights = self.arrays["nb_ratio"] * weights  # (x ∘ r) · w = x · (r ∘ w)
        return np.asarray(self.features(texts) @ weights.T) + self.arrays["intercept"]

    def raw_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities before temperature scaling."""
        texts = check_texts(texts)
        if not texts:
            return np.empty((0, len(self.labels)))
        return scores_to_proba(self.decision_function(texts), self.settings["link"])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (N, C) as a float64 NumPy array, in the run's label order,
        calibrated with the run's temperature."""
        return scale(self.raw_proba(texts), self.temperature)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions(texts, self.labels, self.predict_proba(texts))

    def occlusion_proba(self, words: list[str]) -> np.ndarray:
        """Probabilities (1 + W, C) of `words` joined, then without each word in turn.

        Removing word i changes only the n-grams within n - 1 words of it, so each row updates
        the full text's sums from those: presence (nbsvm), or the TF-IDF numerator and squared
        norm. Exact, in O(W) n-grams rather than O(W^2).
        """
        return scores_to_proba(self.occluded_scores(words), self.settings["link"])

    def occluded_scores(self, words: list[str]) -> np.ndarray:
        """Linear scores (1 + W, K): the text, then the text without each word."""
        settings, is_tfidf = self.settings, self.kind == "tfidf_logreg"
        analyze, span = analyzer(settings), settings["ngram_range"][1] - 1
        if self._index is None:
            self._index = {term: i for i, term in enumerate(self.vocabulary)}
        column, arrays = self._index, self.arrays
        weights = arrays["coef"] if is_tfidf else arrays["nb_ratio"] * arrays["coef"]

        def value(gram: str, count: int) -> float:  # the feature before the L2 norm
            if count <= 0 or not is_tfidf:
                return float(count > 0)
            tf = 1.0 + math.log(count) if settings["sublinear_tf"] else float(count)
            return tf * float(arrays["idf"][0, column[gram]])

        counts = Counter(analyze(" ".join(words)))
        known = [gram for gram in counts if gram in column]
        numerator = sum((value(g, counts[g]) * weights[:, column[g]] for g in known),
                        np.zeros(weights.shape[0]))  # (K,)
        rows = [(numerator, sum(value(g, counts[g]) ** 2 for g in known))]
        for i in range(len(words)):
            lo, hi = max(0, i - span), min(len(words), i + span + 1)
            delta = Counter(analyze(" ".join(words[lo:i] + words[i + 1 : hi])))
            delta.subtract(Counter(analyze(" ".join(words[lo:hi]))))
            top, square = numerator.copy(), rows[0][1]
            for gram, change in delta.items():
                if change and gram in column:
                    old, new = value(gram, counts[gram]), value(gram, counts[gram] + change)
                    top += (new - old) * weights[:, column[gram]]
                    square += new * new - old * old
            rows.append((top, square))
        scores = np.array([row[0] for row in rows])  # (1 + W, K)
        if is_tfidf:
            norms = np.sqrt(np.array([max(row[1], 0.0) for row in rows]))[:, None]  # (1 + W, 1)
            scores = np.where(norms > 1e-9, scores / np.where(norms > 1e-9, norms, 1.0), 0.0)
        return scores + arrays["intercept"]

    def save(self, run_dir: Path) -> None:
        """Write the model's own files (baseline.json, vocabulary.json, baseline.safetensors)."""
        params = {"format_version": BASELINE_FORMAT_VERSION, **self.settings}
        atomic_write(run_dir / PARAMS, json.dumps(params, indent=2) + "\n")
        atomic_write(run_dir / VOCABULARY, json.dumps(self.vocabulary, ensure_ascii=False))
        arrays = {key: np.ascontiguousarray(value) for key, value in self.arrays.items()}
        metadata = {"format_version": str(BASELINE_FORMAT_VERSION), "kind": self.kind}
        atomic_write(run_dir / ARRAYS, save(arrays, metadata=metadata))

    @classmethod
    def from_dir(cls, path: Path | None = None) -> BaselineModel:
        """Load a finished baseline run (None: runs/latest); an RNN run or a damaged file is
        named in a UserError."""
        path, meta = runs.open_run(path, "baseline")
        settings = _read_params(path / PARAMS)
        labels = runs.read_labels(path)
        vocabulary = read_json(path / VOCABULARY)
        if not (isinstance(vocabulary, list) and all(isinstance(t, str) for t in vocabulary)):
            raise UserError(f"{path / VOCABULARY}: expected a list of n-gram strings")
        arrays = _read_arrays(path / ARRAYS, settings["kind"], len(labels), len(vocabulary))
        config_path = path / runs.CONFIG
        config = read_config(config_path)
        temperature = read_temperature(path, meta)
        return cls(settings, labels, vocabulary, arrays, path, config, meta, temperature)


def _read_params(path: Path) -> dict:
    params = read_json(path)
    version = params.get("format_version") if isinstance(params, dict) else None
    if version != BASELINE_FORMAT_VERSION:
        raise UserError(
            f"{path}: baseline format version {version!r}; this sentiment-rnn {__version__} "
            f"reads version {BASELINE_FORMAT_VERSION} only"
        )
    expected = {"kind": ("tfidf_logreg", "nbsvm"), "link": ("binary", "softmax", "ovr"),
                "token_pattern": (TOKEN_PATTERN,)}
    for key, accepted in expected.items():
        if params.get(key) not in accepted:
            raise UserError(f"{path}: {key} {params.get(key)!r}; accepted: {list(accepted)}")
    ngrams = params.get("ngram_range")
    if not (isinstance(ngrams, list) and len(ngrams) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in ngrams)
            and 1 <= ngrams[0] <= ngrams[1] <= 5):
        raise UserError(f"{path}: ngram_range {ngrams!r}; expected [min_n, max_n] with "
                        "1 <= min_n <= max_n <= 5")
    for key in ("lowercase", "sublinear_tf"):
        if not isinstance(params.get(key), bool):
            raise UserError(f"{path}: {key} {params.get(key)!r}; expected true or false")
    if params.get("stop_words") not in (None, "english"):
        raise UserError(f"{path}: stop_words {params.get('stop_words')!r}; accepted: null, 'english'")
    return {key: value for key, value in params.items() if key != "format_version"}


def _read_arrays(path: Path, kind: str, num_labels: int, num_features: int) -> dict:
    try:
        arrays = load_file(path)
    except (SafetensorError, OSError) as err:
        raise UserError(f"{path}: cannot read the baseline's arrays ({err}); the file is damaged") from None
    rows = 1 if num_labels == 2 else num_labels
    expected = {"coef": (rows, num_features), "intercept": (rows,)}
    expected.update({"idf": (1, num_features)} if kind == "tfidf_logreg" else {"nb_ratio": (rows, num_features)})
    for key, shape in expected.items():
        found = arrays[key].shape if key in arrays else None
        if found != shape:
            raise UserError(
                f"{path}: array {key!r} has shape {found}; labels.json and vocabulary.json "
                f"call for {shape}"
            )
        if not np.isfinite(arrays[key]).all():
            raise UserError(f"{path}: array {key!r} holds NaN or infinite values")
    return {key: arrays[key].astype(np.float64) for key in expected}
