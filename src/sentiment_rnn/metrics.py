"""Scoring a model on a labelled split: accuracy, macro-F1, per-class P/R/F1, log loss.

Computed with NumPy so that training and prediction need no scikit-learn; the tests check every
figure against `sklearn.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """Counts (C, C): row = true class, column = predicted class."""
    true = np.asarray(y_true, dtype=np.int64)
    pred = np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(true * num_classes + pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def classification_report(
    y_true: Sequence[int], y_pred: Sequence[int], labels: Sequence[str]
) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    A class never predicted (or never present) gets precision (or recall) 0, as scikit-learn
    does with `zero_division=0`.
    """
    matrix = confusion_matrix(y_true, y_pred, len(labels))
    true_positives = np.diag(matrix).astype(float)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1)
    precision = np.divide(true_positives, predicted, out=np.zeros_like(true_positives), where=predicted > 0)
    recall = np.divide(true_positives, support, out=np.zeros_like(true_positives), where=support > 0)
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    total = int(matrix.sum())
    return {
        "accuracy": float(true_positives.sum() / total) if total else 0.0,
        "macro_f1": float(f1.mean()),
        "num_examples": total,
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "labels": list(labels),
        "confusion_matrix": matrix.tolist(),
    }


def log_loss(y_true: Sequence[int], probabilities: np.ndarray) -> float:
    """Mean negative log probability of the true class (rows renormalised, clipped at 1e-15)."""
    p = np.asarray(probabilities, dtype=np.float64)
    p = p / p.sum(axis=1, keepdims=True)  # float32 softmax drift
    true = p[np.arange(len(p)), np.asarray(y_true, dtype=np.int64)]
    return float(-np.mean(np.log(np.clip(true, 1e-15, 1.0))))


def score(y_true: Sequence[int], probabilities: np.ndarray, labels: Sequence[str]) -> dict:
    """The figures of a model on a labelled split, from its class probabilities (N, C).

    The one scoring function: training (dev each epoch, dev and test at the end), the baseline,
    `evaluate` and `compare` all call it. `classification_report` of the argmax, and the log
    loss as "loss".
    """
    p = np.asarray(probabilities, dtype=np.float64)
    report = classification_report(list(y_true), p.argmax(axis=1).tolist(), labels)
    report["loss"] = log_loss(y_true, p) if len(p) else 0.0
    return report
