"""Prediction through the run's ONNX graph (`model.onnx`, from `sentiment-rnn export`), without torch.

`OnnxPredictor` is a `Predictor` whose logits come from onnxruntime instead of torch: the texts
are checked and encoded, the logits turned into probabilities (`texts.probabilities_from_logits`)
and the probabilities into answers by `Predictor`'s own code, so both backends give the same
output. It answers with NumPy arrays where the torch backend answers with tensors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.runs import ONNX

OPSET = 17
BATCH_SIZE = 64


def require_onnxruntime():
    """The onnxruntime module, or a one-line error naming the extra that installs it."""
    try:
        import onnxruntime
    except ImportError:
        raise UserError(
            "the ONNX backend needs onnxruntime: pip install -e \".[onnx]\" "
            "(or pass --backend torch)"
        ) from None
    return onnxruntime


def session_from_bytes(data: bytes | str, threads: int | None = None):
    """An onnxruntime CPU session for a serialised graph (or a path to one)."""
    onnxruntime = require_onnxruntime()
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    if threads is not None:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def padded_batches(
    sequences: Sequence[Sequence[int]], batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(index (B,), input_ids (B, T), lengths (B,)) over `sequences` sorted by length, right-padded
    with `<pad>` (id 0); `index` gives each row's position in `sequences`."""
    order = np.argsort([len(seq) for seq in sequences], kind="stable")
    for start in range(0, len(order), batch_size):
        index = order[start : start + batch_size]
        lengths = np.array([len(sequences[i]) for i in index], dtype=np.int64)
        ids = np.zeros((len(index), int(lengths.max())), dtype=np.int64)  # (B, T)
        for row, i in enumerate(index):
            ids[row, : lengths[row]] = sequences[i]
        yield index, ids, lengths


class OnnxPredictor(Predictor):
    """A trained run's ONNX graph under onnxruntime, ready to classify texts."""

    backend = "onnx"

    def __init__(self, run, session, batch_size: int = BATCH_SIZE) -> None:
        super().__init__(run, batch_size)  # run: rnn.run.RunFiles, no weights
        self.session = session
        classes = session.get_outputs()[0].shape[-1]
        if isinstance(classes, int) and classes != len(run.labels):
            raise UserError(
                f"{run.path / ONNX}: the graph gives {classes} classes, labels.json has "
                f"{len(run.labels)}; export the run again"
            )

    @classmethod
    def from_dir(cls, path: Path | None = None, threads: int | None = None) -> OnnxPredictor:
        from sentiment_rnn.rnn.run import read_rnn_files

        onnxruntime = require_onnxruntime()
        run = read_rnn_files(path, extra=(ONNX,))
        try:
            session = session_from_bytes(str(run.path / ONNX), threads)
        except onnxruntime.capi.onnxruntime_pybind11_state.Fail as err:
            raise UserError(f"{run.path / ONNX}: not a readable ONNX graph ({err})") from None
        return cls(run, session)

    def logits(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Logits (N, C) in the order of `sequences`, computed in length-sorted batches."""
        out = np.empty((len(sequences), len(self.labels)), dtype=np.float32)
        for index, ids, lengths in padded_batches(sequences, self.batch_size):
            out[index] = self.session.run(None, {"input_ids": ids, "lengths": lengths})[0]
        return out

    def _output(self, probabilities: np.ndarray) -> np.ndarray:
        return probabilities
