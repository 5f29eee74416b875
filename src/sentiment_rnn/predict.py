"""Prediction from a run directory alone: `Predictor.from_dir(path).predict(texts)`.

This path imports no scikit-learn and no pandas, so a single prediction starts fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from sentiment_rnn.artifact import Run, load_run
from sentiment_rnn.errors import UserError
from sentiment_rnn.model import predict_logits
from sentiment_rnn.tokenizer import encode


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]  # every class, in the run's label order

    def as_dict(self) -> dict:
        return {"text": self.text, "label": self.label, "probabilities": self.probabilities}


class Predictor:
    """A trained run, ready to classify texts."""

    def __init__(self, run: Run, batch_size: int = 64) -> None:
        self.run = run
        self.batch_size = batch_size
        self.device = next(run.model.parameters()).device

    @classmethod
    def from_dir(cls, path: Path | None = None, device: str = "cpu") -> Predictor:
        return cls(load_run(path, device))

    @property
    def labels(self) -> list[str]:
        return self.run.labels

    @property
    def path(self) -> Path:
        return self.run.path

    @property
    def config(self):
        return self.run.config

    @property
    def meta(self) -> dict:
        return self.run.meta

    def predict_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities (N, C) for each text, in the run's label order."""
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise UserError(f"text {number} is empty; give at least one word to classify")
        config = self.run.config.tokenizer
        ids = encode(self.run.tokenizer, texts, config.max_length, config.truncation)
        logits = predict_logits(self.run.model, ids, self.batch_size, self.device)
        return logits.softmax(dim=-1)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions(texts, self.labels, self.predict_proba(texts))


def predictions(texts: Sequence[str], labels: Sequence[str], probabilities) -> list[Prediction]:
    """One Prediction per text from a (N, C) array or tensor of class probabilities."""
    return [
        Prediction(
            text,
            labels[int(row.argmax())],
            {label: float(p) for label, p in zip(labels, row, strict=True)},
        )
        for text, row in zip(texts, probabilities, strict=True)
    ]


def load_predictor(path: Path | None = None):
    """A finished run of either kind: `Predictor` (RNN) or `BaselineModel` (bag of words).

    Both offer `.labels`, `.predict_proba(texts)` and `.predict(texts)`. scikit-learn and SciPy
    are imported only for a baseline run.
    """
    from sentiment_rnn.artifact import read_meta, resolve_run_dir

    run_dir = resolve_run_dir(path)
    if read_meta(run_dir).get("kind") == "baseline":
        from sentiment_rnn.baseline import BaselineModel

        return BaselineModel.from_dir(run_dir)
    return Predictor.from_dir(run_dir)
