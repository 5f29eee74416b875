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
from typing import Protocol

from sentiment_rnn.errors import UserError
from sentiment_rnn.files import read_text_lines, source_name


class Classifier(Protocol):
    """What every predictor offers, whatever runs it (the RNN's `Predictor`, `BaselineModel`;
    `predictors.load_predictor` picks one by the run's kind)."""

    labels: list[str]

    def predict_proba(self, texts: Sequence[str]): ...  # (N, C) in `labels` order

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


@dataclass
class Prediction:
    text: str
    label: str
    probabilities: dict[str, float]  # every class, in the run's label order

    def as_dict(self) -> dict:
        return {"text": self.text, "label": self.label, "probabilities": self.probabilities}


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
