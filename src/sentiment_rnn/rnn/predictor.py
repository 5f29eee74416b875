"""Prediction from an RNN run directory alone: `Predictor.from_dir(path).predict(texts)`.

This path imports no scikit-learn and no pandas, so a single prediction starts fast. Texts go
through `texts.check_texts` and the tokenizer's one encoding path (`data.tokenizer.encode`).
Importing this module imports no torch: `OnnxPredictor` (rnn/onnx_predictor.py) is a
`Predictor` whose logits come from the run's ONNX graph, and never needs it. The run's
temperature (calibration.py) and the unknown-word shares are this class's, so both backends
give them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sentiment_rnn.data.tokenizer import UNK_ID, encode
from sentiment_rnn.texts import (
    Prediction,
    check_texts,
    predictions,
    probabilities_from_logits,
    unknown_rate,
    unknown_shares,
)

if TYPE_CHECKING:
    import torch

    from sentiment_rnn.rnn.run import Run, RunFiles


class Predictor:
    """A trained run, ready to classify texts.

    This class reads the weights with torch; `OnnxPredictor` reads the ONNX graph instead and
    overrides only `logits` and `_output`: checking and encoding the texts, the step from
    logits to (calibrated) probabilities, unknown-word shares and the answers are this class's,
    for both backends.
    """

    backend = "torch"

    def __init__(self, run: Run | RunFiles, batch_size: int = 64) -> None:
        self.run = run
        self.batch_size = batch_size

    @classmethod
    def from_dir(cls, path: Path | None = None, device: str = "cpu") -> Predictor:
        from sentiment_rnn.rnn.run import load_run

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

    @property
    def temperature(self) -> float:
        """The run's fitted temperature (1.0: none saved), applied to every probability."""
        return self.run.temperature

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of checked texts, cut as the run's tokenizer settings say."""
        config = self.run.config.tokenizer
        return encode(self.run.tokenizer, texts, config.max_length, config.truncation)

    def logits(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Logits (N, C) of token-id sequences, in their order (length-sorted batches)."""
        from sentiment_rnn.rnn.model import predict_logits

        device = next(self.run.model.parameters()).device
        return predict_logits(self.run.model, sequences, self.batch_size, device).numpy()

    def probabilities(self, sequences: Sequence[Sequence[int]], calibrated: bool = True
                      ) -> np.ndarray:
        """Class probabilities (N, C) of token-id sequences, with the run's temperature unless
        `calibrated` is False."""
        if not sequences:
            return np.empty((0, len(self.labels)), dtype=np.float32)
        return probabilities_from_logits(self.logits(sequences), self.run, calibrated)

    def proba_of_ids(self, sequences: Sequence[Sequence[int]], calibrated: bool = True):
        """`predict_proba` (or `raw_proba`, with `calibrated` False) of texts already encoded
        with the run's tokenizer and settings (the token cache's ids)."""
        return self._output(self.probabilities(sequences, calibrated))

    def predict_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities (N, C) for each text, in the run's label order, calibrated with
        the run's temperature."""
        return self._output(self.probabilities(self.encode(check_texts(texts))))

    def raw_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities before temperature scaling."""
        return self._output(self.probabilities(self.encode(check_texts(texts)), calibrated=False))

    def _output(self, probabilities: np.ndarray) -> torch.Tensor:
        """The torch backend answers with a tensor, as it always has."""
        import torch

        return torch.from_numpy(probabilities)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        ids = self.encode(check_texts(texts))
        probabilities = self.probabilities(ids)
        return predictions(texts, self.labels, probabilities, unknown_shares(ids, UNK_ID))

    def unknown_rate(self, texts: Sequence[str]) -> float:
        """The share of all the texts' tokens (as read, after truncation) that are `<unk>`."""
        return unknown_rate(self.encode(check_texts(texts)), UNK_ID)
