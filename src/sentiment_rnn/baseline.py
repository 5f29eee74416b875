"""The bag-of-words baseline: TF-IDF + logistic regression, or NBSVM (Wang & Manning 2012).

Both read the same splits, in the same label order, as the RNN (`data.load_dataset`). Features
come from `bow.py`; scikit-learn fits the classifier; prediction is NumPy and SciPy over the saved
arrays.

A baseline run directory (meta.json kind "baseline") holds, besides labels.json, config.yaml,
metrics.json and meta.json (written last):

    baseline.json          format version, kind, text settings, how scores become probabilities
    vocabulary.json        the n-grams, in feature-column order
    baseline.safetensors   coef (K, V), intercept (K,), and idf (1, V) or nb_ratio (K, V);
                           K = 1 for two classes, else one row per class

Nothing is pickled: loading reads JSON and safetensors only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save

from sentiment_rnn import __version__, artifact
from sentiment_rnn.bow import (
    TOKEN_PATTERN,
    count_matrix,
    nb_ratio,
    scores_to_proba,
    smooth_idf,
    tfidf,
)
from sentiment_rnn.config import BASELINE_DEFAULT_C as DEFAULT_C
from sentiment_rnn.config import BaselineConfig, Config, read_yaml_mapping, validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write, read_json
from sentiment_rnn.metrics import classification_report
from sentiment_rnn.predict import Prediction, check_texts, predictions

if TYPE_CHECKING:
    from sentiment_rnn.data import Split

BASELINE_FORMAT_VERSION = 1
PARAMS, VOCABULARY, ARRAYS = "baseline.json", "vocabulary.json", "baseline.safetensors"
REQUIRED = (PARAMS, VOCABULARY, ARRAYS, artifact.LABELS, artifact.CONFIG, artifact.META)
CHECKED = (PARAMS, VOCABULARY, ARRAYS, artifact.LABELS, artifact.CONFIG)  # SHA-256 in meta.json
SAVED = (*CHECKED, artifact.METRICS)


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
    _index: dict[str, int] | None = field(default=None, repr=False)

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

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities (N, C) as a float64 NumPy array, in the run's label order."""
        texts = check_texts(texts)
        if not texts:
            return np.empty((0, len(self.labels)))
        return scores_to_proba(self.decision_function(texts), self.settings["link"])

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions(texts, self.labels, self.predict_proba(texts))

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
        path = artifact.resolve_run_dir(path)
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
        labels = artifact.read_labels(path)
        vocabulary = read_json(path / VOCABULARY)
        if not (isinstance(vocabulary, list) and all(isinstance(t, str) for t in vocabulary)):
            raise UserError(f"{path / VOCABULARY}: expected a list of n-gram strings")
        arrays = _read_arrays(path / ARRAYS, settings["kind"], len(labels), len(vocabulary))
        config_path = path / artifact.CONFIG
        config = validate_config(read_yaml_mapping(config_path), source=str(config_path))
        artifact.verify_checksums(path, meta, CHECKED)
        return cls(settings, labels, vocabulary, arrays, path, config, meta)


def text_settings(config: BaselineConfig) -> dict:
    """What prediction needs to turn a text into the model's features."""
    return {
        "kind": config.kind, "ngram_range": list(config.ngram_range), "lowercase": config.lowercase,
        "stop_words": config.stop_words, "sublinear_tf": config.sublinear_tf,
        "token_pattern": TOKEN_PATTERN,
    }


def fit_counts(texts: Sequence[str], config: BaselineConfig):
    """Training counts (N, V) and the vocabulary, after `min_df` and `max_features`."""
    index: dict[str, int] = {}
    counts = count_matrix(texts, text_settings(config), index, grow=True)
    keep = np.bincount(counts.indices, minlength=counts.shape[1]) >= config.min_df
    if config.max_features is not None and keep.sum() > config.max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        candidates = np.flatnonzero(keep)
        keep[:] = False
        keep[candidates[np.argsort(-totals[candidates], kind="stable")[: config.max_features]]] = True
    columns = np.flatnonzero(keep)
    terms = list(index)  # insertion order is column order
    return counts[:, columns], [terms[i] for i in columns]


def fit_linear(counts, y: np.ndarray, num_labels: int, config: BaselineConfig, seed: int):
    """Fit the linear classifier: its arrays, and the link from scores to probabilities."""
    from sklearn.linear_model import LogisticRegression

    C = config.C if config.C is not None else DEFAULT_C[config.kind]

    def classifier() -> LogisticRegression:  # liblinear's dual solver: fast when V >> N
        return LogisticRegression(
            C=C, max_iter=config.max_iter, solver="liblinear", dual=True, random_state=seed
        )

    binary = num_labels == 2
    if config.kind == "tfidf_logreg":
        idf = smooth_idf(counts)
        features = tfidf(counts, idf, config.sublinear_tf)
        model = classifier() if binary else LogisticRegression(  # lbfgs: multinomial
            C=C, max_iter=config.max_iter, random_state=seed
        )
        model.fit(features, y)
        arrays = {"coef": model.coef_, "intercept": model.intercept_, "idf": idf.reshape(1, -1)}
        link = "binary" if binary else "softmax"
    else:  # NB-LR: class 1 against class 0, or each class against the rest
        sides = [y == 1] if binary else [y == k for k in range(num_labels)]
        ratios = [nb_ratio(counts, side, config.nb_alpha) for side in sides]
        models = [
            classifier().fit(counts.multiply(ratio).tocsr(), side.astype(int))
            for side, ratio in zip(sides, ratios, strict=True)
        ]
        arrays = {
            "coef": np.vstack([model.coef_[0] for model in models]),
            "intercept": np.array([model.intercept_[0] for model in models]),
            "nb_ratio": np.vstack(ratios),
        }
        link = "binary" if binary else "ovr"
    return {key: np.asarray(value, dtype=np.float64) for key, value in arrays.items()}, link


def fit_baseline(train: Split, labels: list[str], config: BaselineConfig, seed: int) -> BaselineModel:
    """Fit the configured baseline on one training split (class i is `labels[i]`)."""
    missing = sorted(set(labels) - set(train.labels))
    if missing:
        raise UserError(f"{train.source}: no training examples of label(s) {missing}")
    index = {label: i for i, label in enumerate(labels)}
    counts, vocabulary = fit_counts(train.texts, config)
    y = np.array([index[label] for label in train.labels])
    arrays, link = fit_linear(counts, y, len(labels), config, seed)
    return BaselineModel({**text_settings(config), "link": link}, list(labels), vocabulary, arrays)


def evaluate_split(model: BaselineModel, split: Split) -> dict:
    """As in the RNN's metrics.json: the classification report, and the log loss as "loss"."""
    index = {label: i for i, label in enumerate(model.labels)}
    y = np.array([index[label] for label in split.labels])
    probabilities = model.predict_proba(split.texts)
    report = classification_report(y.tolist(), probabilities.argmax(axis=1).tolist(), model.labels)
    report["loss"] = float(-np.mean(np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-15, 1))))
    return report


def train_baseline(
    config: Config, output: Path | None = None, force: bool = False, *, evaluate_test: bool = True
) -> tuple[Path, dict]:
    """The whole `baseline` command: fit on train, evaluate on dev and test, save the run
    (`evaluate_test=False`: the test split is not scored, metrics' "test" is None)."""
    from sentiment_rnn.data import load_dataset, split_records  # pandas: only when training
    from sentiment_rnn.tracking import Tracker

    config = config.with_absolute_paths()
    name = f"{config.name}-{config.baseline.kind}"
    run_dir = artifact.prepare_run_dir(output or artifact.default_run_dir(name), force)
    atomic_write(run_dir / artifact.CONFIG, config.to_yaml())
    tracker = Tracker(config, run_dir)  # no steps or epochs: the config, then the final figures
    dataset = load_dataset(config.data, config.seed)
    start = time.perf_counter()
    model = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    seconds = time.perf_counter() - start
    metrics = {
        "dev": evaluate_split(model, dataset.dev),
        "test": None
        if dataset.test is None or not evaluate_test
        else evaluate_split(model, dataset.test),
        "train_seconds": seconds,
        "num_features": len(model.vocabulary),
        "splits": split_records(dataset),
    }
    model.save(run_dir)
    artifact.write_json(run_dir / artifact.LABELS, dataset.labels)
    artifact.write_json(run_dir / artifact.METRICS, metrics)
    artifact.write_json(run_dir / artifact.META, _meta(model, run_dir))
    tracker.finish(metrics, run_dir)
    return run_dir, metrics


def _meta(model: BaselineModel, run_dir: Path) -> dict:
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
        "sha256": artifact.checksums(run_dir, SAVED),
    }


def is_baseline_run(path: Path) -> bool:
    """Whether `path/meta.json` says kind "baseline" (False for anything unreadable)."""
    try:
        meta = json.loads((Path(path) / artifact.META).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(meta, dict) and meta.get("kind") == "baseline"


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
