"""Prediction from a run directory alone: `Predictor.from_dir(path).predict(texts)`.

This path imports no scikit-learn and no pandas, so a single prediction starts fast; with the
ONNX backend (`onnx_predict.py`, for runs that have `model.onnx`) it imports no torch either.

Any text with at least one visible character gets an answer: emoji, any script, control
characters inside it (each read as `<unk>`, as in training), a megabyte of text (tokenized,
then truncated to the run's `tokenizer.max_length`). A text with nothing visible (empty,
whitespace, or only control or invisible characters such as NUL) and a string with a lone
surrogate (bytes that were not UTF-8) are errors that name the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sentiment_rnn.errors import UserError

if TYPE_CHECKING:
    import torch

    from sentiment_rnn.artifact import Run

BACKENDS = ("torch", "onnx")


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]  # every class, in the run's label order

    def as_dict(self) -> dict:
        return {"text": self.text, "label": self.label, "probabilities": self.probabilities}


class Predictor:
    """A trained run, ready to classify texts.

    This class reads the weights with torch; `OnnxPredictor` (onnx_predict.py) reads the run's
    ONNX graph instead and overrides only `logits` and `_output`: checking and encoding the
    texts, the step from logits to probabilities and the answers are this class's, for both.
    """

    backend = "torch"

    def __init__(self, run: Run, batch_size: int = 64) -> None:
        self.run = run
        self.batch_size = batch_size

    @classmethod
    def from_dir(cls, path: Path | None = None, device: str = "cpu") -> Predictor:
        from sentiment_rnn.artifact import load_run

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

    def logits(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Logits (N, C) of token-id sequences, in their order (length-sorted batches)."""
        from sentiment_rnn.model import predict_logits

        device = next(self.run.model.parameters()).device
        return predict_logits(self.run.model, sequences, self.batch_size, device).numpy()

    def probabilities(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Class probabilities (N, C) of token-id sequences."""
        return probabilities_from_logits(self.logits(sequences), self.run)

    def predict_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """Class probabilities (N, C) for each text, in the run's label order."""
        texts = check_texts(texts)
        if not texts:
            return self._output(np.empty((0, len(self.labels)), dtype=np.float32))
        return self._output(self.probabilities(encode_texts(self.run, texts)))

    def _output(self, probabilities: np.ndarray) -> torch.Tensor:
        """The torch backend answers with a tensor, as it always has."""
        import torch

        return torch.from_numpy(probabilities)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return predictions(texts, self.labels, self.predict_proba(texts))


def encode_texts(run, texts: list[str]) -> list[list[int]]:
    """Token ids of checked texts, cut as the run's tokenizer settings say (both backends)."""
    from sentiment_rnn.tokenizer import encode

    config = run.config.tokenizer
    return encode(run.tokenizer, texts, config.max_length, config.truncation)


def probabilities_from_logits(logits: np.ndarray, run) -> np.ndarray:
    """Class probabilities (N, C) from logits (N, C): the one step after the model, shared by
    the torch and ONNX backends (`run`: the `Run` or `RunFiles` they read), so that both give
    the same answers. Softmax, computed in float64, given as float32 (as the model's logits)."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)


_SURROGATE = re.compile("[\ud800-\udfff]")
_INVISIBLE = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})  # control, format, separators


def _visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE and not char.isspace()


def text_problem(text: str) -> str | None:
    """Why `text` cannot be classified, or None; it reads after "text 2 is" and "line 2:"."""
    if not text.strip():
        return "empty"
    if not any(map(_visible, text)):  # stops at the first visible character
        return "without words: only control or invisible characters (such as NUL)"
    if surrogate := _SURROGATE.search(text):
        return (
            f"not valid Unicode: lone surrogate U+{ord(surrogate.group()):04X} at character "
            f"{surrogate.start() + 1} (bytes that were not UTF-8?)"
        )
    return None


def _fix(problem: str) -> str:
    if problem.startswith("not valid"):
        return "pass text decoded from UTF-8"
    return "give at least one word to classify"


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list; the first that cannot be classified is a UserError naming it."""
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got one str; pass [text]")
    texts = list(texts)
    for number, text in enumerate(texts, start=1):
        if not isinstance(text, str):
            raise TypeError(f"text {number} is a {type(text).__name__}, expected a str")
        if problem := text_problem(text):
            raise UserError(f"text {number} is {problem}; {_fix(problem)}")
    return texts


@dataclass
class Input:
    """A text to classify and where it came from: a TEXT argument or a line of --file."""

    text: str
    where: str  # "text 2" or "reviews.txt, line 7", for messages
    line: int | None = None  # line number in the file; None for an argument


def gather_inputs(
    texts: Sequence[str],
    file: str | None = None,
    skip_bad: bool = False,
    on_skip: Callable[[str], None] = print,
) -> list[Input]:
    """The arguments, then the lines of `file` ('-': stdin), each checked with `text_problem`.

    A bad one is an error naming it, or, with `skip_bad`, reported through `on_skip` as
    "FILE, line N: <problem>; skipped" and left out.
    """
    from sentiment_rnn.files import read_text_lines, source_name

    items = [(Input(text, f"text {i}"), None) for i, text in enumerate(texts, start=1)]
    if file is not None:
        name = source_name(file)
        items += [
            (Input(line.text, f"{name}, line {line.number}", line.number), line.problem)
            for line in read_text_lines(file)
        ]
    kept = []
    for item, unreadable in items:
        problem = unreadable or text_problem(item.text)
        if problem is None:
            kept.append(item)
        elif skip_bad:
            on_skip(f"{item.where}: {problem}; skipped")
        elif unreadable:
            raise UserError(f"{item.where}: {problem}; convert the file to UTF-8")
        else:
            fix = "put one text on each line" if item.line and problem == "empty" else _fix(problem)
            raise UserError(f"{item.where}: {problem}; {fix}")
    if not kept:
        raise UserError(
            f"nothing to classify: all {len(items)} inputs were skipped" if items
            else "nothing to classify: give TEXT arguments or --file PATH (or --file -)"
        )
    return kept


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


def load_predictor(path: Path | None = None, backend: str | None = None, threads: int | None = None):
    """A finished run of either kind: `Predictor` / `OnnxPredictor` (RNN) or `BaselineModel`.

    All offer `.labels`, `.backend`, `.predict_proba(texts)` and `.predict(texts)`. An RNN run
    with `model.onnx` (from `sentiment-rnn export`) is read with onnxruntime when it is installed,
    without importing torch; `backend` ("torch" or "onnx") forces one. scikit-learn and SciPy are
    imported only for a baseline run. `threads` sets onnxruntime's compute threads (torch's are
    the caller's to set: a process-wide setting).
    """
    from sentiment_rnn.artifact import read_meta, resolve_run_dir
    from sentiment_rnn.onnx_predict import ONNX, OnnxPredictor

    if backend not in (None, *BACKENDS):
        raise UserError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    run_dir = resolve_run_dir(path)
    if read_meta(run_dir).get("kind") == "baseline":
        if backend is not None:
            raise UserError(
                f"{run_dir}: a baseline run predicts with NumPy; --backend applies to RNN runs only"
            )
        from sentiment_rnn.baseline import BaselineModel

        return BaselineModel.from_dir(run_dir)
    has_graph = (run_dir / ONNX).is_file()
    if backend == "onnx" and not has_graph:
        raise UserError(
            f"{run_dir}: no {ONNX}; run `sentiment-rnn export --model {run_dir}` first, "
            "or pass --backend torch"
        )
    if backend == "onnx" or (backend is None and has_graph and _onnxruntime_installed()):
        return OnnxPredictor.from_dir(run_dir, threads)
    return Predictor.from_dir(run_dir)


def _onnxruntime_installed() -> bool:
    try:
        import onnxruntime  # noqa: F401  (the ONNX backend imports it next anyway)
    except ImportError:
        return False
    return True
