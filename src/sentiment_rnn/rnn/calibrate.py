"""The temperature of a trained RNN: one scalar fitted on dev after training (Guo et al. 2017),
with ECE and Brier score before and after (the math is in `calibration.py`, torch-free)."""

from __future__ import annotations

import torch

from sentiment_rnn.rnn.fit import Encoded
from sentiment_rnn.rnn.model import SentimentRNN, predict_logits


def fit_run_temperature(
    model: SentimentRNN, dev: Encoded, test: Encoded | None, batch_size: int,
    device: torch.device, metrics: dict,
) -> dict:
    """Fit the temperature on `dev`; record ECE and Brier before and after in `metrics`
    (on `test` too when given: a tuning trial passes None, so test is never scored)."""
    from sentiment_rnn.calibration import calibration_report, fit_temperature

    def raw(split: Encoded):
        return predict_logits(model, split.ids, batch_size, device).softmax(dim=-1).numpy()

    dev_proba = raw(dev)
    temperature = fit_temperature(dev_proba, dev.targets)
    metrics["calibration"] = {"dev": calibration_report(dev_proba, dev.targets, temperature)}
    if test is not None:
        metrics["calibration"]["test"] = calibration_report(raw(test), test.targets, temperature)
    return {"temperature": temperature, "fitted_on": "dev", "examples": len(dev.ids)}
