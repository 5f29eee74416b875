"""Our NumPy metrics agree with scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from sentiment_rnn.metrics import classification_report


@pytest.mark.parametrize("classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_report_matches_scikit_learn(classes: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, classes, 200))
    labels = ["negative", "neutral", "positive"][:classes]
    report = classification_report(y_true.tolist(), y_pred.tolist(), labels)
    assert report["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert report["macro_f1"] == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))
    assert report["confusion_matrix"] == skm.confusion_matrix(y_true, y_pred).tolist()
    precision, recall, f1, support = skm.precision_recall_fscore_support(y_true, y_pred)
    for i, label in enumerate(labels):
        row = report["per_class"][label]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx(
            (precision[i], recall[i], f1[i])
        )
        assert row["support"] == support[i]


def test_a_class_never_predicted_scores_zero_like_scikit_learn() -> None:
    y_true, y_pred = [0, 1, 2, 2], [0, 1, 1, 1]
    report = classification_report(y_true, y_pred, ["a", "b", "c"])
    expected = skm.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert report["macro_f1"] == pytest.approx(expected)
    assert report["per_class"]["c"]["precision"] == 0.0
