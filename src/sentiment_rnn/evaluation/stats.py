"""The figures of a comparison: metrics from probabilities, McNemar's test, a paired bootstrap,
accuracy by text length, and the plain sentence that says whether a difference is real.

"a" and "b" are two models scored on the same examples; `correct_a[i]` says whether model a got
example i right.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sentiment_rnn.metrics import score

EXACT_BELOW = 25  # discordant pairs under which McNemar's test uses the exact binomial


def scores(y: np.ndarray, probabilities: np.ndarray, labels: Sequence[str]) -> dict:
    """`metrics.score` (its "loss" as "log_loss"), and ROC-AUC for two classes (else None)."""
    from sklearn.metrics import roc_auc_score

    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)  # float32 softmax drift
    report = score(y.tolist(), probabilities, labels)
    report["log_loss"] = report.pop("loss")
    binary = len(labels) == 2 and len(set(y.tolist())) == 2
    report["roc_auc"] = float(roc_auc_score(y, probabilities[:, 1])) if binary else None
    return report


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> dict:
    """McNemar's test on paired right/wrong answers: exact binomial when the discordant pairs
    are fewer than 25, else chi-square with continuity correction, (|b - c| - 1)^2 / (b + c)."""
    from scipy.stats import binomtest, chi2

    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    discordant = only_a + only_b
    result = {"only_a_right": only_a, "only_b_right": only_b, "discordant": discordant}
    if discordant == 0:
        return {**result, "test": "none (no discordant pairs)", "statistic": None, "p_value": 1.0}
    if discordant < EXACT_BELOW:
        p_value = binomtest(only_a, discordant, 0.5).pvalue
        return {**result, "test": "exact binomial", "statistic": None, "p_value": float(p_value)}
    statistic = (abs(only_a - only_b) - 1) ** 2 / discordant
    return {
        **result, "test": "chi-square with continuity correction", "statistic": float(statistic),
        "p_value": float(chi2.sf(statistic, df=1)),
    }


def bootstrap_difference(
    correct_a: np.ndarray, correct_b: np.ndarray, resamples: int = 10_000, seed: int = 0,
    level: float = 0.95,
) -> dict:
    """Paired bootstrap percentile interval of accuracy(a) - accuracy(b).

    Resampling the n examples with replacement only changes how many of them have
    d = correct_a - correct_b equal to -1, 0 and +1, so each resample is one multinomial draw
    of those three counts: the same distribution as resampling indices, in O(resamples) memory.
    """
    d = correct_a.astype(np.int64) - correct_b.astype(np.int64)
    n = len(d)
    proportions = np.array([np.sum(d == -1), np.sum(d == 0), np.sum(d == 1)]) / n
    draws = np.random.default_rng(seed).multinomial(n, proportions, size=resamples)  # (B, 3)
    differences = (draws[:, 2] - draws[:, 0]) / n
    tail = (1 - level) / 2
    low, high = np.quantile(differences, [tail, 1 - tail])
    return {
        "difference": float(d.mean()), "low": float(low), "high": float(high),
        "level": level, "resamples": resamples, "seed": seed,
    }


def difference_sentence(name_a: str, name_b: str, accuracy_a: float, accuracy_b: float,
                        interval: dict, test: dict) -> str:
    """"The RNN is ahead by 1.2 points (91.0% against 89.8%), 95% CI 0.7–1.7; ..." """
    points, low, high = (100 * interval[key] for key in ("difference", "low", "high"))
    p_value = test["p_value"]
    if round(points, 1) == 0:
        return (f"{_cap(name_a)} and {name_b} have the same accuracy ({accuracy_a:.1%}); "
                f"95% CI of the difference {_range(low, high)} points, McNemar p = {p_value:.2g}.")
    if points < 0:
        name_a, name_b, accuracy_a, accuracy_b = name_b, name_a, accuracy_b, accuracy_a
        points, low, high = -points, -high, -low
    level = round(100 * interval["level"])
    sentence = (f"{_cap(name_a)} is ahead by {points:.1f} points ({accuracy_a:.1%} against "
                f"{accuracy_b:.1%}), {level}% CI {_range(low, high)}; McNemar p = {p_value:.2g}")
    excludes_zero, significant = low > 0, p_value < 0.05
    if excludes_zero and significant:
        return sentence + ": a real difference on this test set, unlikely to be chance."
    if not excludes_zero and not significant:
        return sentence + ": the interval includes zero, so this test set cannot tell them apart."
    return sentence + ": borderline, the interval and McNemar's test disagree about chance."


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def _range(low: float, high: float) -> str:
    return f"{low:.1f}–{high:.1f}" if low >= 0 else f"{low:.1f} to {high:.1f}"


def word_counts(texts: Sequence[str]) -> np.ndarray:
    """Words per text (split on whitespace, `<br />` removed)."""
    return np.array([len(text.replace("<br />", " ").split()) for text in texts])


def accuracy_by_length(lengths: np.ndarray, correct: dict[str, np.ndarray], buckets: int = 5) -> list[dict]:
    """Accuracy of each model in `buckets` length quantiles of the test texts (fewer when tied)."""
    edges = np.unique(np.quantile(lengths, np.linspace(0, 1, buckets + 1)).round())
    bucket = np.searchsorted(edges[1:-1], lengths, side="right") if len(edges) > 2 else np.zeros(len(lengths), int)
    rows = []
    for k in range(int(bucket.max()) + 1):
        members = bucket == k
        if not members.any():
            continue
        low, high = int(lengths[members].min()), int(lengths[members].max())
        rows.append({
            "words": f"{low}–{high}", "min_words": low, "max_words": high,
            "num_examples": int(members.sum()),
            "accuracy": {name: float(values[members].mean()) for name, values in correct.items()},
        })
    return rows


def disagreements(texts: Sequence[str], y: np.ndarray, labels: Sequence[str],
                  proba_a: np.ndarray, proba_b: np.ndarray) -> dict[str, list[dict]]:
    """Examples model a gets right and b wrong ("a_only") and the reverse ("b_only"); the most
    confidently wrong answers of the other model first."""
    pred_a, pred_b = proba_a.argmax(axis=1), proba_b.argmax(axis=1)
    result = {}
    for key, right, wrong_pred, wrong_proba in (
        ("a_only", (pred_a == y) & (pred_b != y), pred_b, proba_b),
        ("b_only", (pred_b == y) & (pred_a != y), pred_a, proba_a),
    ):
        index = np.flatnonzero(right)
        confidence = wrong_proba[index, wrong_pred[index]]
        result[key] = [
            {
                "index": int(i), "text": texts[i], "label": labels[y[i]],
                "a": {"label": labels[pred_a[i]], "p": float(proba_a[i, pred_a[i]])},
                "b": {"label": labels[pred_b[i]], "p": float(proba_b[i, pred_b[i]])},
            }
            for i in index[np.argsort(-confidence, kind="stable")]
        ]
    return result
