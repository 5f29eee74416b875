"""Probabilities that mean what they say: temperature scaling (Guo et al. 2017), ECE and Brier.

One scalar T is fitted on the dev split after training, by the negative log-likelihood of
softmax(log p / T); it is saved in the run directory (`temperature.json`) and applied to every
probability the run gives afterwards. T > 1 softens an over-confident model; the predicted label
never changes. Works on probabilities, so any backend can apply it. Imports no torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from sentiment_rnn import runs
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import read_json

ECE_BINS = 15
_FLOOR = 1e-30  # probabilities that underflowed to 0 still get a finite log
_GRID = np.exp(np.linspace(np.log(0.25), np.log(20.0), 801))  # candidate temperatures


def scale(probabilities, temperature: float) -> np.ndarray:
    """softmax(log p / T), row by row: (N, C) -> (N, C)."""
    p = np.asarray(probabilities, dtype=np.float64)
    if temperature == 1.0 or p.size == 0:
        return p
    z = np.log(np.clip(p, _FLOOR, None)) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _nll(probabilities: np.ndarray, y: np.ndarray, temperature: float) -> float:
    p = scale(probabilities, temperature)[np.arange(len(y)), y]
    return float(-np.log(np.clip(p, _FLOOR, None)).mean())


def fit_temperature(probabilities, y_true: Sequence[int]) -> float:
    """The T in [0.25, 20] that minimises the negative log-likelihood on these examples."""
    p, y = np.asarray(probabilities, dtype=np.float64), np.asarray(y_true, dtype=np.int64)
    if len(y) == 0:
        return 1.0
    losses = [_nll(p, y, t) for t in _GRID]
    return float(_GRID[int(np.argmin(losses))])


def expected_calibration_error(probabilities, y_true: Sequence[int], bins: int = ECE_BINS) -> float:
    """Σ_b (n_b / N) |accuracy_b − confidence_b| over equal-width confidence bins."""
    p, y = np.asarray(probabilities, dtype=np.float64), np.asarray(y_true)
    if len(y) == 0:
        return 0.0
    confidence, predicted = p.max(axis=1), p.argmax(axis=1)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap = (predicted[members] == y[members]).mean() - confidence[members].mean()
            total += members.sum() / len(y) * abs(gap)
    return float(total)


def brier_score(probabilities, y_true: Sequence[int]) -> float:
    """Mean over examples of Σ_c (p_c − [c is the true class])²."""
    p = np.asarray(probabilities, dtype=np.float64)
    if len(p) == 0:
        return 0.0
    onehot = np.zeros_like(p)
    onehot[np.arange(len(p)), np.asarray(y_true)] = 1.0
    return float(((p - onehot) ** 2).sum(axis=1).mean())


def reliability(probabilities, y_true: Sequence[int], bins: int = ECE_BINS) -> list[dict]:
    """Per non-empty confidence bin: its range, count, mean confidence and accuracy."""
    p, y = np.asarray(probabilities, dtype=np.float64), np.asarray(y_true)
    confidence, predicted = p.max(axis=1), p.argmax(axis=1)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        members = which == b
        if members.any():
            rows.append({
                "low": b / bins, "high": (b + 1) / bins, "count": int(members.sum()),
                "confidence": float(confidence[members].mean()),
                "accuracy": float((predicted[members] == y[members]).mean()),
            })
    return rows


def calibration_report(raw, y_true: Sequence[int], temperature: float) -> dict:
    """ECE (15 bins) and Brier score before and after temperature `temperature`."""
    scaled = scale(raw, temperature)
    return {
        "temperature": temperature,
        "ece_before": expected_calibration_error(raw, y_true),
        "ece_after": expected_calibration_error(scaled, y_true),
        "brier_before": brier_score(raw, y_true),
        "brier_after": brier_score(scaled, y_true),
    }


def read_temperature(run_dir: Path, meta: dict) -> float:
    """The run's fitted temperature (checked against meta.json), or 1.0 for a run without one."""
    path = run_dir / runs.TEMPERATURE
    if not path.is_file():
        return 1.0
    runs.verify_checksums(run_dir, meta, (runs.TEMPERATURE,))
    value = read_json(path)
    t = value.get("temperature") if isinstance(value, dict) else None
    if not (isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t < float("inf")):
        raise UserError(f"{path}: expected {{\"temperature\": a positive number}}")
    return float(t)
