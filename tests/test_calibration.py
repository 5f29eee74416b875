"""Temperature scaling, ECE and Brier (calibration.py), and the temperature a run carries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sentiment_rnn.calibration import (
    brier_score,
    calibration_report,
    expected_calibration_error,
    fit_temperature,
    scale,
)
from sentiment_rnn.errors import UserError


def overconfident(n: int = 4000, sharpen: float = 4.0, seed: int = 0):
    """Labels drawn from p = sigmoid(z), and a model that reports sigmoid(sharpen * z)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    p1 = 1 / (1 + np.exp(-sharpen * z))
    return np.stack([1 - p1, p1], axis=1), y


def test_temperature_undoes_overconfidence_and_ece_falls() -> None:
    probabilities, y = overconfident()
    temperature = fit_temperature(probabilities, y)
    assert 3.0 < temperature < 5.5  # the sharpening was 4
    report = calibration_report(probabilities, y, temperature)
    assert report["ece_after"] < report["ece_before"] / 3
    assert report["brier_after"] < report["brier_before"]


def test_a_calibrated_model_keeps_a_temperature_near_one() -> None:
    probabilities, y = overconfident(sharpen=1.0)
    assert 0.8 < fit_temperature(probabilities, y) < 1.25


def test_scaling_never_changes_the_predicted_label() -> None:
    probabilities = np.random.default_rng(1).dirichlet([1, 1, 1], size=200)
    for temperature in (0.2, 1.0, 3.0):
        assert (scale(probabilities, temperature).argmax(1) == probabilities.argmax(1)).all()
        assert np.allclose(scale(probabilities, temperature).sum(1), 1)
    assert np.array_equal(scale(probabilities, 1.0), probabilities)


def test_ece_and_brier_against_their_definitions() -> None:
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    y = [0, 1, 1, 1]
    # bins of width 1/15: confidences 0.9, 0.8, 0.7, 0.55 fall in four different bins
    expected = (abs(1 - 0.9) + abs(0 - 0.8) + abs(1 - 0.7) + abs(1 - 0.55)) / 4
    assert expected_calibration_error(probabilities, y) == pytest.approx(expected)
    brier = ((0.1**2 + 0.1**2) + (0.8**2 + 0.8**2) + (0.3**2 + 0.3**2) + (0.45**2 + 0.45**2)) / 4
    assert brier_score(probabilities, y) == pytest.approx(brier)


def test_a_trained_run_carries_its_temperature_and_applies_it(trained_run: Path) -> None:
    from sentiment_rnn.rnn.predictor import Predictor

    saved = json.loads((trained_run / "temperature.json").read_text(encoding="utf-8"))
    predictor = Predictor.from_dir(trained_run)
    assert predictor.temperature == saved["temperature"] > 0
    texts = ["the plot was great", "the cast was not dull", "the ending was awful"]
    raw = predictor.raw_proba(texts).numpy()
    assert np.allclose(predictor.predict_proba(texts).numpy(), scale(raw, saved["temperature"]),
                       atol=1e-6)
    metrics = json.loads((trained_run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["calibration"]["dev"]["temperature"] == saved["temperature"]


def test_a_changed_temperature_file_is_refused(trained_run: Path, tmp_path: Path) -> None:
    from sentiment_rnn.rnn.predictor import Predictor

    run = shutil.copytree(trained_run, tmp_path / "run")
    (run / "temperature.json").write_text('{"temperature": 0.01}', encoding="utf-8")
    with pytest.raises(UserError, match="temperature.json: SHA-256 differs"):
        Predictor.from_dir(run)
    (run / "temperature.json").unlink()  # a run saved before temperatures: T = 1
    assert Predictor.from_dir(run).temperature == 1.0


def test_the_baseline_gets_the_same_treatment(tmp_path: Path) -> None:
    from conftest import TINY_CONFIG, write_dataset
    from sentiment_rnn.baseline.model import BaselineModel
    from sentiment_rnn.baseline.train import train_baseline
    from sentiment_rnn.config import validate_config

    config = validate_config({**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}, "tiny")
    run_dir, metrics = train_baseline(config, tmp_path / "baseline")
    temperature = json.loads((run_dir / "temperature.json").read_text())["temperature"]
    assert metrics["calibration"]["dev"]["temperature"] == temperature
    model = BaselineModel.from_dir(run_dir)
    texts = ["the plot was great", "the ending was not awful"]
    assert np.allclose(model.predict_proba(texts), scale(model.raw_proba(texts), temperature))
