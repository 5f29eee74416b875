"""Reading labelled reviews, carving a dev split, and fixing the label order.

Files are CSV, TSV or JSON Lines (optionally gzip-compressed) with a text column and a label
column. Labels are kept as strings; their order (the class index of each) is stored with a run.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sentiment_rnn.config import DataConfig
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import read_text_file

_READERS = {".csv": ",", ".tsv": "\t", ".jsonl": None}


@dataclass
class Split:
    """Texts and their string labels, with where they came from."""

    texts: list[str]
    labels: list[str]
    source: str

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class Dataset:
    train: Split
    dev: Split
    test: Split | None
    labels: list[str]  # class order: index i is class i


def read_split(path: Path, text_column: str, label_column: str) -> Split:
    """Read one labelled file (.csv, .tsv, .jsonl, each optionally .gz)."""
    suffix = Path(path.name.removesuffix(".gz")).suffix
    if suffix not in _READERS:
        raise UserError(f"{path}: unsupported file type {suffix!r}; accepted: .csv, .tsv, .jsonl (.gz)")
    text = read_text_file(path)
    if not text.strip():
        raise UserError(f"{path}: file is empty")
    try:
        if suffix == ".jsonl":
            frame = pd.read_json(io.StringIO(text), lines=True, dtype=False)
        else:
            frame = pd.read_csv(
                io.StringIO(text), sep=_READERS[suffix], dtype=str, keep_default_na=False
            )
    except (ValueError, pd.errors.ParserError) as err:
        detail = " ".join(str(err).split())  # pandas' messages span lines
        raise UserError(f"{path}: cannot parse as {suffix[1:].upper()}: {detail}") from None
    if frame.empty:
        raise UserError(f"{path}: no rows (only a header?); expected one labelled text per row")
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in frame.columns:
            found = ", ".join(map(str, frame.columns))
            raise UserError(
                f"{path}: no {role} column {column!r}; columns found: {found} "
                f"(set data.{role}_column)"
            )
    texts = [_cell(value) for value in frame[text_column]]
    labels = [_cell(value) for value in frame[label_column]]
    _check_rows(path, texts, labels, header_lines=0 if suffix == ".jsonl" else 1)
    return Split(texts, labels, str(path))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return str(value)


def _check_rows(path: Path, texts: list[str], labels: list[str], header_lines: int) -> None:
    for what, values in (("empty text", texts), ("missing label", labels)):
        bad = [i for i, value in enumerate(values) if not value.strip()]
        if bad:
            first = bad[0] + 1 + header_lines
            raise UserError(f"{path}: {len(bad)} row(s) with {what}, the first on line {first}")


def carve_dev(train: Split, fraction: float, seed: int) -> tuple[Split, Split]:
    """Split off a stratified, seeded `fraction` of train as dev."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(train.labels):
        by_label.setdefault(label, []).append(i)
    dev_index: list[int] = []
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        dev_index += members[: max(1, round(len(members) * fraction))]
    chosen = set(dev_index)
    keep = [i for i in range(len(train)) if i not in chosen]

    def subset(index: list[int], name: str) -> Split:
        return Split([train.texts[i] for i in index], [train.labels[i] for i in index], name)

    return subset(keep, train.source), subset(sorted(dev_index), f"{train.source} (dev carve)")


def label_order(config: DataConfig, train: Split) -> list[str]:
    """The class order: the configured list, else the sorted labels of the training split."""
    seen = sorted(set(train.labels))
    if config.labels is None:
        labels = seen
    else:
        unknown = [label for label in seen if label not in config.labels]
        if unknown:
            raise UserError(
                f"{train.source}: label(s) {unknown} not in data.labels {config.labels}"
            )
        labels = list(config.labels)
    if len(seen) < 2:
        raise UserError(
            f"{train.source}: the training split has a single class {seen}; at least 2 are needed"
        )
    return labels


def load_dataset(config: DataConfig, seed: int) -> Dataset:
    """Read train, dev (or carve it from train) and test; check labels agree across splits."""
    train = read_split(config.train, config.text_column, config.label_column)
    if config.dev is None:
        train, dev = carve_dev(train, config.dev_fraction, seed)
    else:
        dev = read_split(config.dev, config.text_column, config.label_column)
    test = None
    if config.test is not None:
        test = read_split(config.test, config.text_column, config.label_column)
    labels = label_order(config, train)
    for split in (dev, test):
        if split is not None:
            check_labels(split, labels)
    return Dataset(train, dev, test, labels)


def check_labels(split: Split, labels: list[str]) -> None:
    """Every label of `split` must be one of the model's classes."""
    unknown = sorted(set(split.labels) - set(labels))
    if unknown:
        raise UserError(
            f"{split.source}: label(s) {unknown} never seen in training; known labels: {labels}"
        )
