"""The bag-of-words baseline: TF-IDF + logistic regression, or NBSVM (Wang & Manning 2012).

Both read the same splits, in the same label order, as the RNN (`data.load_dataset`). Text is
normalised as the RNN's tokenizer does it: `<br />` removed, curly apostrophes straightened,
negated contractions split so that negation is a feature of its own ("isn't" -> "is n't",
"didnt" -> "did n't", "cannot" -> "can not"); then words, "n't", "!" and "?" are counted as
n-grams. scikit-learn fits; prediction is plain NumPy over the saved arrays.

A baseline run directory (meta.json kind "baseline") holds, besides labels.json, config.yaml,
metrics.json and meta.json (written last):

    baseline.json          format version, kind, text settings, how scores become probabilities
    vocabulary.json        the n-grams, in feature-column order
    baseline.safetensors   coef (K, V), intercept (K,), and idf (1, V) or nb_ratio (K, V)

Nothing is pickled: loading reads JSON and safetensors only.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save

from sentiment_rnn import __version__, artifact
from sentiment_rnn.config import BaselineConfig, Config, read_yaml_mapping, validate_config
from sentiment_rnn.data import Split, load_dataset
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.metrics import classification_report
from sentiment_rnn.predict import Prediction

BASELINE_FORMAT_VERSION = 1
PARAMS, VOCABULARY, ARRAYS = "baseline.json", "vocabulary.json", "baseline.safetensors"
REQUIRED = (PARAMS, VOCABULARY, ARRAYS, artifact.LABELS, artifact.CONFIG, artifact.META)
TOKEN_PATTERN = r"n't|[^\W_]+(?:[-'][^\W_]+)*|[!?]"
# Kept when stop_words is "english": scikit-learn's list would drop them, and they carry sentiment.
NEGATIONS = frozenset(
    "not no nor never none nothing nobody neither nowhere cannot without n't".split()
)
CONTRAST_AND_DEGREE = frozenset(
    "but however although though yet except very too much more most less least few rather "
    "enough even only".split()
)
_BR = re.compile(r"<\s*br\s*/?\s*>", re.I)
_APOSTROPHES = re.compile("[\u2018\u2019\u02bc\u0060\u00b4]")
_CANNOT = re.compile(r"\bcannot\b", re.I)
_NT = re.compile(r"n't\b", re.I)
_BARE_NT = re.compile(
    r"\b(do|does|did|is|was|were|are|ca|wo|could|would|should|has|have|had|must|need|ai)nt\b",
    re.I,
)
_TOKEN = re.compile(TOKEN_PATTERN)


def normalize(text: str) -> str:
    """The RNN tokenizer's normalisation, without lowercasing: negation becomes "n't"."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("'", _BR.sub(" ", text))
    text = _CANNOT.sub("can not", text)
    return _BARE_NT.sub(r"\1 n't", _NT.sub(" n't", text))


def _preprocess_lower(text: str) -> str:
    return normalize(text).lower()


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def stop_word_list(setting: str | None) -> list[str] | None:
    """scikit-learn's English list minus negations, contrast and degree words; None keeps all."""
    if setting is None:
        return None
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(set(ENGLISH_STOP_WORDS) - NEGATIONS - CONTRAST_AND_DEGREE)


def make_vectorizer(settings: dict, vocabulary: list[str] | None = None):
    """A CountVectorizer for the saved text settings (binary counts for nbsvm)."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        preprocessor=_preprocess_lower if settings["lowercase"] else normalize,
        tokenizer=tokenize,
        token_pattern=None,
        stop_words=stop_word_list(settings["stop_words"]),
        ngram_range=tuple(settings["ngram_range"]),
        min_df=settings.get("min_df", 1),
        max_features=settings.get("max_features"),
        binary=settings["kind"] == "nbsvm",
        vocabulary=None if vocabulary is None else {term: i for i, term in enumerate(vocabulary)},
        dtype=np.float64,
    )


def tfidf(counts, idf: np.ndarray, sublinear_tf: bool):
    """scikit-learn's TfidfTransformer (smooth idf, l2 norm), on a CSR count matrix."""
    from sklearn.preprocessing import normalize as l2_normalize

    weighted = counts.astype(np.float64, copy=True)
    if sublinear_tf:
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
    return l2_normalize(weighted.multiply(idf.reshape(1, -1)).tocsr())


def smooth_idf(counts) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def nb_ratio(counts, positive: np.ndarray, alpha: float) -> np.ndarray:
    """r = log((p / |p|1) / (q / |q|1)), p and q the smoothed feature counts of the two sides."""
    p = alpha + np.asarray(counts[positive].sum(axis=0)).ravel()
    q = alpha + np.asarray(counts[~positive].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def fingerprint(texts: Sequence[str], labels: Sequence[str]) -> str:
    """SHA-256 of a split's texts and labels, in order: equal only for the same examples."""
    import hashlib

    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(json.dumps([text, label]).encode("utf-8") + b"\n")
    return digest.hexdigest()


@dataclass
class BaselineModel:
    """A fitted bag-of-words model: features -> linear scores -> probabilities."""

    settings: dict  # kind, ngram_range, lowercase, stop_words, sublinear_tf, link
    labels: list[str]
    vocabulary: list[str]
    arrays: dict[str, np.ndarray]
    path: Path | None = None
    config: Config | None = None
    meta: dict = field(default_factory=dict)
    _vectorizer: object = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return self.settings["kind"]

    @property
    def num_parameters(self) -> int:
        """Every learned number: coefficients, intercepts, and the idf or NB-ratio weights."""
        return int(sum(array.size for array in self.arrays.values()))

    def _counts(self, texts: Sequence[str]):
        if self._vectorizer is None:
            self._vectorizer = make_vectorizer(self.settings, self.vocabulary)
        return self._vectorizer.transform(texts)

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Linear scores (N, K): K = 1 for two classes, else one per class."""
        counts = self._counts(texts)
        coef, intercept = self.arrays["coef"], self.arrays["intercept"]
        if self.kind == "tfidf_logreg":
            features = tfidf(counts, self.arrays["idf"], self.settings["sublinear_tf"])
            return np.asarray(features @ coef.T) + intercept
        return np.asarray(counts @ (self.arrays["nb_ratio"] * coef).T) + intercept  # x∘r · w

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (N, C) as a float64 NumPy array, in the run's label order."""
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise UserError(f"text {number} is empty; give at least one word to classify")
        scores = self.decision_function(texts)
        return scores_to_proba(scores, self.settings["link"])

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        probabilities = self.predict_proba(texts)
        return [
            Prediction(
                text,
                self.labels[int(row.argmax())],
                {label: float(p) for label, p in zip(self.labels, row, strict=True)},
            )
            for text, row in zip(texts, probabilities, strict=True)
        ]

    def save(self, run_dir: Path) -> None:
        """Write the model files (not meta.json)."""
        params = {"format_version": BASELINE_FORMAT_VERSION, **self.settings}
        atomic_write(run_dir / PARAMS, json.dumps(params, indent=2) + "\n")
        atomic_write(run_dir / VOCABULARY, json.dumps(self.vocabulary, ensure_ascii=False))
        arrays = {key: np.ascontiguousarray(value) for key, value in self.arrays.items()}
        metadata = {"format_version": str(BASELINE_FORMAT_VERSION), "kind": self.kind}
        atomic_write(run_dir / ARRAYS, save(arrays, metadata=metadata))

    @classmethod
    def from_dir(cls, path: Path) -> BaselineModel:
        """Load a finished baseline run; an RNN run or a damaged file is named in a UserError."""
        if not path.is_dir():
            raise UserError(f"{path}: baseline run directory not found")
        meta = artifact.read_meta(path)
        if meta.get("kind") != "baseline":
            raise UserError(
                f"{path}: a {meta.get('kind')!r} run, where a baseline run (kind 'baseline') "
                "is expected"
            )
        missing = [name for name in REQUIRED if not (path / name).is_file()]
        if missing:
            raise UserError(f"{path}: missing file(s) {', '.join(missing)}; the run is incomplete")
        settings = _read_params(path / PARAMS)
        labels = _read_json(path / artifact.LABELS)
        vocabulary = _read_json(path / VOCABULARY)
        if not (isinstance(vocabulary, list) and all(isinstance(t, str) for t in vocabulary)):
            raise UserError(f"{path / VOCABULARY}: expected a list of n-gram strings")
        arrays = _read_arrays(path / ARRAYS, settings, len(labels), len(vocabulary))
        config = validate_config(
            read_yaml_mapping(path / artifact.CONFIG), source=str(path / artifact.CONFIG)
        )
        return cls(settings, labels, vocabulary, arrays, path, config, meta)


def scores_to_proba(scores: np.ndarray, link: str) -> np.ndarray:
    """`binary`: sigmoid of one score; `softmax`: multinomial; `ovr`: sigmoids, normalised."""
    if link == "softmax":
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    positive = 1.0 / (1.0 + np.exp(-scores))
    if link == "binary":
        return np.hstack([1.0 - positive, positive])
    return positive / positive.sum(axis=1, keepdims=True)


def fit_baseline(train: Split, labels: list[str], config: BaselineConfig, seed: int) -> BaselineModel:
    """Fit the configured baseline on one training split (class i is `labels[i]`)."""
    missing = sorted(set(labels) - set(train.labels))
    if missing:
        raise UserError(f"{train.source}: no training examples of label(s) {missing}")
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[label] for label in train.labels])
    settings = text_settings(config)
    counts, vocabulary = fit_counts(train.texts, config)
    arrays, link = fit_linear(counts, y, len(labels), config, seed)
    model = BaselineModel({**settings, "link": link}, list(labels), vocabulary, arrays)
    model._vectorizer = make_vectorizer(model.settings, vocabulary)
    return model


def text_settings(config: BaselineConfig) -> dict:
    """What prediction needs to turn a text into the saved model's features."""
    return {
        "kind": config.kind, "ngram_range": list(config.ngram_range), "lowercase": config.lowercase,
        "stop_words": config.stop_words, "sublinear_tf": config.sublinear_tf,
        "token_pattern": TOKEN_PATTERN,
    }


def fit_counts(texts: Sequence[str], config: BaselineConfig):
    """N-gram counts (CSR, binary for nbsvm) of the training texts, and the vocabulary."""
    settings = {**text_settings(config), "min_df": config.min_df, "max_features": config.max_features}
    vectorizer = make_vectorizer(settings)
    counts = vectorizer.fit_transform(texts).tocsr()
    vocabulary = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        vocabulary[column] = term
    return counts, vocabulary


def fit_linear(counts, y: np.ndarray, num_labels: int, config: BaselineConfig, seed: int):
    """The classifier's arrays and link (how scores become probabilities)."""
    from sklearn.linear_model import LogisticRegression

    def classifier() -> LogisticRegression:  # liblinear's dual solver: fast when V >> N
        return LogisticRegression(
            C=config.C, max_iter=config.max_iter, solver="liblinear", dual=True, random_state=seed
        )

    binary = num_labels == 2
    if config.kind == "tfidf_logreg":
        idf = smooth_idf(counts)
        features = tfidf(counts, idf, config.sublinear_tf)
        if binary:
            model = classifier().fit(features, y)
        else:  # lbfgs: multinomial
            model = LogisticRegression(C=config.C, max_iter=config.max_iter, random_state=seed)
            model.fit(features, y)
        arrays = {"coef": model.coef_, "intercept": model.intercept_, "idf": idf.reshape(1, -1)}
        link = "binary" if binary else "softmax"
    else:  # one NB-LR for two classes (class 1 against class 0), else one per class against the rest
        sides = [y == 1] if binary else [y == k for k in range(num_labels)]
        ratios, coefs, intercepts = [], [], []
        for positive in sides:
            ratio = nb_ratio(counts, positive, config.nb_alpha)
            model = classifier().fit(counts.multiply(ratio).tocsr(), positive.astype(int))
            ratios.append(ratio)
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        arrays = {"coef": np.vstack(coefs), "intercept": np.array(intercepts), "nb_ratio": np.vstack(ratios)}
        link = "binary" if binary else "ovr"
    return {key: np.asarray(value, dtype=np.float64) for key, value in arrays.items()}, link


def evaluate_split(model: BaselineModel, split: Split) -> dict:
    """The RNN's metrics.json figures for one split: the classification report and log loss."""
    index = {label: i for i, label in enumerate(model.labels)}
    y = np.array([index[label] for label in split.labels])
    probabilities = model.predict_proba(split.texts)
    report = classification_report(y.tolist(), probabilities.argmax(axis=1).tolist(), model.labels)
    report["loss"] = float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-15, 1))))
    return report


def train_baseline(
    config: Config, output: Path | None = None, force: bool = False
) -> tuple[Path, dict]:
    """The whole `baseline` command: fit on train, evaluate on dev and test, save the run."""
    config = config.with_absolute_paths()
    run_dir = artifact.prepare_run_dir(
        output or artifact.default_run_dir(f"{config.name}-{config.baseline.kind}"), force
    )
    atomic_write(run_dir / artifact.CONFIG, config.to_yaml())
    dataset = load_dataset(config.data, config.seed)
    start = time.perf_counter()
    model = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    seconds = time.perf_counter() - start
    splits = {"train": dataset.train, "dev": dataset.dev, "test": dataset.test}
    metrics = {
        "dev": evaluate_split(model, dataset.dev),
        "test": None if dataset.test is None else evaluate_split(model, dataset.test),
        "train_seconds": seconds,
        "num_features": len(model.vocabulary),
        "splits": {
            name: {"source": split.source, "num_examples": len(split),
                   "fingerprint": fingerprint(split.texts, split.labels)}
            for name, split in splits.items() if split is not None
        },
    }
    model.save(run_dir)
    artifact.write_json(run_dir / artifact.LABELS, dataset.labels)
    artifact.write_json(run_dir / artifact.METRICS, metrics)
    artifact.write_json(run_dir / artifact.META, _meta(model))
    return run_dir, metrics


def _meta(model: BaselineModel) -> dict:
    import sklearn

    return {
        "format_version": artifact.FORMAT_VERSION,
        "kind": "baseline",
        "baseline_kind": model.kind,
        "baseline_format_version": BASELINE_FORMAT_VERSION,
        "sentiment_rnn_version": __version__,
        "sklearn_version": sklearn.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "num_parameters": model.num_parameters,
    }


def is_baseline_run(path: Path) -> bool:
    """Whether `path/meta.json` says kind "baseline" (False for anything unreadable)."""
    try:
        meta = json.loads((Path(path) / artifact.META).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(meta, dict) and meta.get("kind") == "baseline"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not readable JSON ({err})") from None


def _read_params(path: Path) -> dict:
    params = _read_json(path)
    version = params.get("format_version") if isinstance(params, dict) else None
    if version != BASELINE_FORMAT_VERSION:
        raise UserError(
            f"{path}: baseline format version {version!r}; this sentiment-rnn {__version__} "
            f"reads version {BASELINE_FORMAT_VERSION} only"
        )
    if params.get("kind") not in ("tfidf_logreg", "nbsvm") or params.get("token_pattern") != TOKEN_PATTERN:
        raise UserError(f"{path}: unknown kind {params.get('kind')!r} or token pattern")
    del params["format_version"]
    return params


def _read_arrays(path: Path, settings: dict, num_labels: int, num_features: int) -> dict:
    try:
        arrays = load_file(path)
    except (SafetensorError, OSError) as err:
        raise UserError(f"{path}: cannot read the baseline's arrays ({err}); the file is damaged") from None
    rows = 1 if num_labels == 2 else num_labels
    expected = {"coef": (rows, num_features), "intercept": (rows,)}
    if settings["kind"] == "tfidf_logreg":
        expected["idf"] = (1, num_features)
    else:
        expected["nb_ratio"] = (rows, num_features)
    for key, shape in expected.items():
        if key not in arrays or arrays[key].shape != shape:
            found = arrays[key].shape if key in arrays else "nothing"
            raise UserError(
                f"{path}: array {key!r} should have shape {shape} (labels.json, vocabulary.json), "
                f"found {found}"
            )
    return {key: arrays[key] for key in expected}
