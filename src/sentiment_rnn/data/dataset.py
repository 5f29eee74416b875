"""From the config's `data` section to train / dev / test splits and a fixed label order.

Files are read by `readers.py`, named sources (IMDB, SST-2, Rotten Tomatoes, Hugging Face) by
`corpora.py`. Whatever split a source lacks is carved here: test first (when `test_fraction`
is above 0), then dev, each stratified by label and seeded.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import dataclass, replace

from sentiment_rnn.config import DataConfig
from sentiment_rnn.data import corpora
from sentiment_rnn.data.split import Split, read_split
from sentiment_rnn.errors import UserError

__all__ = [
    "Dataset", "Split", "carve", "check_labels", "fingerprint", "label_order", "load_dataset",
    "read_split", "split_records",
]


@dataclass
class Dataset:
    train: Split
    dev: Split
    test: Split | None
    labels: list[str]  # class order: index i is class i


def read_source(config: DataConfig, show_progress: bool = True) -> corpora.Splits:
    """The splits the configured source provides; missing ones are None."""
    if config.source == "imdb":
        return corpora.read_imdb(config, show_progress)
    if config.source == "sst2":
        return corpora.read_sst2(config)
    if config.source == "rotten_tomatoes":
        return corpora.read_rotten_tomatoes(config)
    if config.source == "huggingface":
        return corpora.read_huggingface(config)

    def read(path):
        return read_split(
            path, config.text_column, config.label_column, config.format, config.skip_bad_rows
        )

    assert config.train is not None  # the schema requires it for source "files"
    return (
        read(config.train),
        None if config.dev is None else read(config.dev),
        None if config.test is None else read(config.test),
    )


def carve(split: Split, fraction: float, seed: int, name: str) -> tuple[Split, Split]:
    """Split off a stratified, seeded `fraction` of `split`: (the rest, the carved part)."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(split.labels):
        by_label.setdefault(label, []).append(i)
    carved: list[int] = []
    for label in sorted(by_label):
        members = by_label[label]
        rng.shuffle(members)
        carved += members[: max(1, round(len(members) * fraction))]
    chosen = set(carved)
    rest = [i for i in range(len(split)) if i not in chosen]

    def subset(index: list[int], source: str, skipped: int = 0) -> Split:
        texts = [split.texts[i] for i in index]
        return Split(texts, [split.labels[i] for i in index], source, skipped)

    return (
        subset(rest, split.source, split.skipped),
        subset(sorted(carved), f"{split.source} ({name} carve)"),
    )


def label_order(config: DataConfig, train: Split) -> list[str]:
    """The class order: the configured list, else the sorted labels of the training split."""
    seen = sorted(set(train.labels))
    if config.labels is None:
        labels = seen
    else:
        unknown = [label for label in seen if label not in config.labels]
        if unknown:
            raise UserError(
                f"{train.source}: label(s) {shorten(unknown)} not in data.labels "
                f"{shorten(config.labels)}"
            )
        labels = list(config.labels)
    if len(seen) < 2:
        raise UserError(
            f"{train.source}: the training split has a single class {shorten(seen)}; at least 2 "
            "are needed"
        )
    return labels


def load_dataset(
    config: DataConfig, seed: int, show_progress: bool = True, splits: corpora.Splits | None = None
) -> Dataset:
    """Read the source (or take its `splits`, read already), carve the splits it lacks (seeded by
    `data.split_seed`, else by `seed`), check labels agree across splits, then add
    `data.extra_train` to train. Only labels are looked at: `data/tokens.py` passes splits whose
    `texts` are row numbers, and gets the carved splits' row numbers back."""
    train, dev, test = (
        _renamed(split, config.label_map) for split in splits or read_source(config, show_progress)
    )
    read = Counter(train.labels)  # before carving: a label too rare to carve is named as such
    seed = seed if config.split_seed is None else config.split_seed
    if test is None and config.test_fraction > 0:
        train, test = carve(train, config.test_fraction, seed, "test")
    if dev is None:
        train, dev = carve(train, config.dev_fraction, seed, "dev")
    labels = label_order(config, train)
    for split in (dev, test):
        if split is not None:
            _check_carved(split, labels, read)
            check_labels(split, labels)
    if config.extra_train:
        assert splits is None, "data/tokens.py reads a config with data.extra_train whole"
        train = _with_extra(train, config, labels, {"dev": dev, "test": test})
    return Dataset(train, dev, test, labels)


def _with_extra(train: Split, config: DataConfig, labels: list[str], held_out: dict) -> Split:
    """`data.extra_train`'s files appended to the training split: labels checked, and none of
    their texts may be a dev or test text."""
    held = {text: name for name, split in held_out.items() if split is not None for text in split.texts}
    for path in config.extra_train:
        extra = _renamed(
            read_split(path, config.text_column, config.label_column, config.format, config.skip_bad_rows),
            config.label_map,
        )
        unknown = sorted(set(extra.labels) - set(labels))
        if unknown:
            raise UserError(
                f"{path}: label(s) {shorten(unknown)} of data.extra_train are not classes of the "
                f"training split {shorten(labels)}; rename them with data.label_map"
            )
        leaked = next((i for i, text in enumerate(extra.texts) if text in held), None)
        if leaked is not None:
            raise UserError(
                f"{path}: text {leaked + 1:,} ({shorten(extra.texts[leaked])}) is also in the "
                f"{held[extra.texts[leaked]]} split; data.extra_train must hold no dev or test text"
            )
        train = Split(train.texts + extra.texts, train.labels + extra.labels,
                      f"{train.source} + {extra.source}", train.skipped + extra.skipped)
    return train


def _check_carved(split: Split, labels: list[str], read: Counter) -> None:
    """A label of the training file carved away whole: too few examples to carve."""
    carved_away = sorted(label for label in set(split.labels) - set(labels) if read[label])
    if carved_away:
        label = carved_away[0]
        raise UserError(
            f"{split.source}: label {shorten(label)} has only {read[label]:,} example(s) in the "
            "training file, too few to carve dev and test splits and keep one for training; add "
            "examples, remove them, or give data.dev and data.test files"
        )


def shorten(values, shown: int = 5, width: int = 40) -> str:
    """A value, or a list of values, for one error line: each cut to `width` characters, at
    most `shown` of them, with a count of the rest."""
    if isinstance(values, str):
        return repr(values if len(values) <= width else values[: width - 3] + "...")
    values = list(values)
    text = ", ".join(shorten(value, width=width) for value in values[:shown])
    more = f" and {len(values) - shown:,} more" if len(values) > shown else ""
    return f"[{text}{more}]"


def _renamed(split: Split | None, label_map: dict[str, str] | None) -> Split | None:
    """`data.label_map` applied: every split's labels renamed before anything else reads them."""
    if split is None or not label_map:
        return split
    return replace(split, labels=[label_map.get(label, label) for label in split.labels])


def check_labels(split: Split, labels: list[str]) -> None:
    """Every label of `split` must be one of the model's classes."""
    unknown = sorted(set(split.labels) - set(labels))
    if unknown:
        raise UserError(
            f"{split.source}: label(s) {shorten(unknown)} never seen in training; known labels: "
            f"{shorten(labels)}"
        )


def fingerprint(texts: list[str], labels: list[str]) -> str:
    """SHA-256 of a split's texts and labels, in order: equal only for the same examples."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(json.dumps([text, label]).encode("utf-8") + b"\n")
    return digest.hexdigest()


def split_records(dataset: Dataset) -> dict:
    """What a run records of its data, so that a later change of the files can be detected."""
    splits = {"train": dataset.train, "dev": dataset.dev, "test": dataset.test}
    return {
        name: {"source": split.source, "num_examples": len(split),
               "fingerprint": split.digest or fingerprint(split.texts, split.labels)}
        for name, split in splits.items() if split is not None
    }
