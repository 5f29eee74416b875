"""Texts in, predictions out: the checks every model applies to its input, the gathering of
TEXT arguments and --file lines, and the `Prediction` every model returns. Imports no torch.

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
from typing import TYPE_CHECKING, Protocol

from sentiment_rnn.errors import UserError
from sentiment_rnn.files import read_text_lines, source_name

if TYPE_CHECKING:
    import numpy as np


class Classifier(Protocol):
    """What every predictor offers, whatever runs it (the RNN's `Predictor`, `BaselineModel`;
    `predictors.load_predictor` picks one by the run's kind)."""

    labels: list[str]
    backend: str  # what computes the answers: "torch", "onnx" (rnn/onnx_predictor.py), "numpy"

    def predict_proba(self, texts: Sequence[str]): ...  # (N, C) in `labels` order

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


UNKNOWN_WARNING = 0.30  # above this share of unknown words, a model is out of its depth


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]  # every class, in the run's label order
    unknown_share: float | None = None  # share of the text's tokens the model does not know

    def as_dict(self) -> dict:
        row = {"text": self.text, "label": self.label, "probabilities": self.probabilities}
        if self.unknown_share is not None:
            row["unknown_share"] = self.unknown_share
        return row


def unknown_shares(ids: Sequence[Sequence[int]], unknown_id: int) -> list[float]:
    """Per text: the share of its tokens that are `unknown_id`."""
    return [sum(1 for i in row if i == unknown_id) / max(1, len(row)) for row in ids]


def unknown_rate(ids: Sequence[Sequence[int]], unknown_id: int) -> float:
    """Over all texts together: unknown tokens / tokens."""
    total = sum(len(row) for row in ids)
    return sum(1 for row in ids for i in row if i == unknown_id) / max(1, total)


def unknown_warning(rate: float, source: str) -> str | None:
    """The one-line warning for a file the model mostly cannot read, or None."""
    if rate <= UNKNOWN_WARNING:
        return None
    return (
        f"{source}: {rate:.0%} of its words are unknown to the model (over "
        f"{UNKNOWN_WARNING:.0%}); its answers on this data say little"
    )


def probabilities_from_logits(logits: np.ndarray, run, calibrated: bool = True) -> np.ndarray:
    """Class probabilities (N, C) from an RNN's logits (N, C): the one step after the model,
    shared by the torch and ONNX backends, explain and the server (`run`: the run they read),
    so that all give the same answers. softmax(logits / T) with the run's fitted temperature T
    (`run.temperature`, 1.0 without one; not applied when `calibrated` is False), which equals
    calibration.scale of the uncalibrated probabilities. Computed in float64, given as float32
    (as the model's logits)."""
    import numpy as np

    z = logits.astype(np.float64)
    if calibrated:
        z = z / getattr(run, "temperature", 1.0)
    shifted = z - z.max(axis=1, keepdims=True)
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


def predictions(
    texts: Sequence[str],
    labels: Sequence[str],
    probabilities,
    unknown: Sequence[float] | None = None,
) -> list[Prediction]:
    """One Prediction per text from a (N, C) array or tensor of class probabilities, with each
    text's unknown-word share when the model can tell it."""
    shares = [None] * len(texts) if unknown is None else list(unknown)
    return [
        Prediction(
            text,
            labels[int(row.argmax())],
            {label: float(p) for label, p in zip(labels, row, strict=True)},
            share,
        )
        for text, row, share in zip(texts, probabilities, shares, strict=True)
    ]
