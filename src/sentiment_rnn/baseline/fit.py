"""Fitting a bag-of-words baseline: the vocabulary (min_df, max_features), then scikit-learn's
logistic regression on TF-IDF features or on NB-scaled n-gram presence (NBSVM)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sentiment_rnn.baseline.features import TOKEN_PATTERN, count_matrix, nb_ratio, smooth_idf, tfidf
from sentiment_rnn.baseline.model import BaselineModel
from sentiment_rnn.config import BASELINE_DEFAULT_C as DEFAULT_C
from sentiment_rnn.config import BaselineConfig
from sentiment_rnn.errors import UserError

if TYPE_CHECKING:
    from sentiment_rnn.data.split import Split


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
