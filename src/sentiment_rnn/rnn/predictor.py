"""Prediction from an RNN run directory alone: `Predictor.from_dir(path).predict(texts)`.

This path imports no scikit-learn and no pandas, so a single prediction starts fast. Texts go
through `texts.check_texts` and the tokenizer's one encoding path (`data.tokenizer.encode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from sentiment_rnn.calibration import scale
from sentiment_rnn.data.tokenizer import UNK_ID, encode
from sentiment_rnn.rnn.model import predict_logits
from sentiment_rnn.rnn.run import Run, load_run
from sentiment_rnn.texts import (
    Prediction,
    check_texts,
    predictions,
    unknown_rate,
    unknown_shares,
)


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

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids as the model reads them (checked, tokenized, truncated)."""
        config = self.run.config.tokenizer
        return encode(self.run.tokenizer, check_texts(texts), config.max_length, config.truncation)

    def _proba(self, ids: list[list[int]]) -> torch.Tensor:
        if not ids:
            return torch.empty(0, len(self.labels))
        return predict_logits(self.run.model, ids, self.batch_size, self.device).softmax(dim=-1)

    @property
    def temperature(self) -> float:
        return self.run.temperature

    def raw_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities before temperature scaling."""
        return self._proba(self.encode(texts))

    def predict_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities (N, C) for each text, in the run's label order, calibrated with
        the run's temperature."""
        return self._calibrated(self._proba(self.encode(texts)))

    def _calibrated(self, raw: torch.Tensor) -> torch.Tensor:
        if self.temperature == 1.0:
            return raw
        return torch.as_tensor(scale(raw.numpy(), self.temperature), dtype=torch.float32)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        ids = self.encode(texts)
        probabilities = self._calibrated(self._proba(ids))
        return predictions(texts, self.labels, probabilities, unknown_shares(ids, UNK_ID))

    def unknown_rate(self, texts: Sequence[str]) -> float:
        """The share of all the texts' tokens (as read, after truncation) that are `<unk>`."""
        return unknown_rate(self.encode(texts), UNK_ID)
