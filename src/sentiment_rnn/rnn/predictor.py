"""Prediction from an RNN run directory alone: `Predictor.from_dir(path).predict(texts)`.

This path imports no scikit-learn and no pandas, so a single prediction starts fast. Texts go
through `texts.check_texts` and the tokenizer's one encoding path (`data.tokenizer.encode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from sentiment_rnn.data.tokenizer import encode
from sentiment_rnn.rnn.model import predict_logits
from sentiment_rnn.rnn.run import Run, load_run
from sentiment_rnn.texts import Prediction, check_texts, predictions


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
        texts = check_texts(texts)
        if not texts:
            return torch.empty(0, len(self.labels))
        config = self.run.config.tokenizer
        ids = encode(self.run.tokenizer, texts, config.max_length, config.truncation)
        logits = predict_logits(self.run.model, ids, self.batch_size, self.device)
        return logits.softmax(dim=-1)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions(texts, self.labels, self.predict_proba(texts))
