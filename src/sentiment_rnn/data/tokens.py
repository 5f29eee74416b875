"""From a config to token ids of every split, through the token cache (`data/cache.py`).

The key of an entry is a SHA-256 of everything the ids depend on:
- the data: for source "files", each file's identity (resolved path, device, inode, size,
  modification time and change time, in nanoseconds). Any write to a file changes its change
  time (ctime), which no program can set back, so a changed file never meets its old entry; a
  copied, moved or touched file gets a new entry (tokenized again, never wrong). For the other
  sources (IMDB, SST-2, Rotten Tomatoes, Hugging Face), and with `data.extra_train`, the data is
  read and the key takes the SHA-256 of every split's texts and labels instead;
- the `data` section (columns, format, label map, fractions, ...) and the seed (carving);
- the `tokenizer` section (vocabulary settings, `max_length`, `truncation`), the tokenizer's
  pipeline as JSON, the `tokenizers` version and this package's version.

A hit reads nothing but the entry. A miss with source "files" streams: pass 1 reads labels only
(row numbers stand for texts while `load_dataset` carves dev and test), pass 2 feeds the training
texts (or the `tokenizer.fit_texts` drawn among them) to the tokenizer's trainer, pass 3 encodes
every split into the entry a chunk at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tokenizers
from tokenizers import Tokenizer

from sentiment_rnn import __version__
from sentiment_rnn.config import Config, DataConfig
from sentiment_rnn.data import cache
from sentiment_rnn.data.chunks import label_rows, read_chunks, rows_of
from sentiment_rnn.data.dataset import Dataset, Split, load_dataset
from sentiment_rnn.data.tokenizer import (
    ENCODE_CHUNK,
    UNK_ID,
    build_tokenizer,
    build_tokenizer_from_chunks,
    empty_tokenizer,
    encode,
    fit_rows,
    truncate,
)
from sentiment_rnn.errors import UserError

SPLITS = ("train", "dev", "test")


@dataclass
class TokenSplit:
    ids: cache.TokenIds  # a sequence of lists of token ids, backed by the entry's arrays
    targets: list[int]  # class indices
    counts: tuple[np.ndarray, np.ndarray]  # per text: tokens before truncation, <unk> among them


@dataclass
class PreparedTokens:
    dataset: Dataset  # labels, sources and counts; `texts` are `cache.Unread`
    tokenizer: Tokenizer
    splits: dict[str, TokenSplit]  # "train", "dev" and, when there is one, "test"
    entry: Path
    hit: bool


def prepare_tokens(config: Config, dataset: Dataset | None = None) -> PreparedTokens:
    """Every split's token ids, from the cache or built into it (tokenizer fitted on train);
    `dataset`: the config's data, read already (used where the key needs the texts)."""
    root = cache.cache_root()
    scratch = None
    if root is None:  # cache off: an entry all the same, in a directory removed after use
        root = scratch = Path(tempfile.mkdtemp(prefix="sentiment-rnn-tokens-"))
    try:
        if _streamed(config.data):
            identity, dataset = _files_identity(config.data), None
        else:  # named corpora, pipes, missing files (reported by the reader): key by content
            dataset = dataset or load_dataset(config.data, config.seed)
            identity = {name: _content(split) for name, split in _splits(dataset).items()}
        key = entry_key(config, identity)
        entry = cache.open_entry(root, key)
        hit = entry is not None
        if entry is None:
            with cache.build_lock(root, key):
                entry = cache.open_entry(root, key)  # built meanwhile by a process we waited on
                hit = entry is not None
                if entry is None:
                    _build_entry(config, root, key, dataset)
                    if dataset is None:  # streamed: the files were read in several passes
                        _check_unchanged(config.data, identity, root / key)
                    entry = cache.open_entry(root, key)
            if entry is None:
                raise UserError(f"{root / key}: the token cache entry just written cannot be read")
        return _from_entry(entry, hit)
    finally:
        if scratch is not None:  # the arrays stay readable while mapped
            shutil.rmtree(scratch, ignore_errors=True)


def cached_split(config: Config, name: str, tokenizer: Tokenizer) -> tuple[Split, cache.TokenIds] | None:
    """Split `name` of a run's data straight from the cache, without reading the data: only for
    source "files", when the entry that `train` made for this config is there and holds this
    very tokenizer (a run from language models has theirs: never). None: read the texts."""
    root = cache.cache_root()
    if root is None or config.model.init_from is not None or not _streamed(config.data):
        return None  # (a moved file or one that is not a file: reading it says what is wrong)
    entry = cache.open_entry(root, entry_key(config, _files_identity(config.data)))
    if entry is None or name not in entry.ids:
        return None
    saved = Tokenizer.from_str((entry.path / cache.TOKENIZER).read_text(encoding="utf-8"))
    if saved.to_str() != tokenizer.to_str():
        return None
    return getattr(_from_entry(entry, True).dataset, name), entry.ids[name]


def _check_unchanged(data: DataConfig, identity: dict, entry: Path) -> None:
    """A file written to while its passes ran may have given mixed rows: never kept."""
    now = _files_identity(data) if _regular_files(data) else {}
    changed = [str(getattr(data, role)) for role in SPLITS if now.get(role) != identity[role]]
    if changed:
        cache.remove(entry)
        raise UserError(f"{changed[0]}: changed while it was being read; run the command again")


def _files_identity(data: DataConfig) -> dict:
    return {role: _file_identity(getattr(data, role)) for role in SPLITS}


def _build_entry(config: Config, root: Path, key: str, dataset: Dataset | None) -> None:
    with cache.EntryBuilder(root, key) as builder:
        meta, tokenizer_json = _build(config, builder, dataset)
        builder.commit(meta, tokenizer_json)


def _streamed(data: DataConfig) -> bool:
    """Data files read in passes and keyed by their identity; other data (named corpora, pipes,
    missing files, `data.extra_train`) is read whole and keyed by its content."""
    return data.source == "files" and not data.extra_train and _regular_files(data)


def _regular_files(data: DataConfig) -> bool:
    """Every data file is a regular file: a pipe or device has no identity to key by."""
    paths = [path for path in (data.train, data.dev, data.test) if path is not None]
    try:
        return all(stat.S_ISREG(os.stat(path).st_mode) for path in paths)
    except OSError:
        return False


def entry_key(config: Config, identity: dict) -> str:
    described = {
        "format": cache.FORMAT,
        "data": identity,
        "data_config": config.data.model_dump(mode="json"),
        "seed": config.seed,
        "tokenizer_config": config.tokenizer.model_dump(mode="json"),
        "pipeline": empty_tokenizer(config.tokenizer.lowercase).to_str(),
        "versions": [tokenizers.__version__, __version__],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode("utf-8")).hexdigest()


def _file_identity(path: Path | None) -> list | None:
    if path is None:
        return None
    st = os.stat(path)
    return [str(Path(path).resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _content(split: Split) -> dict:
    from sentiment_rnn.data.dataset import fingerprint

    return {"source": split.source, "fingerprint": fingerprint(split.texts, split.labels)}


def _splits(dataset: Dataset) -> dict[str, Split]:
    found = {"train": dataset.train, "dev": dataset.dev, "test": dataset.test}
    return {name: split for name, split in found.items() if split is not None}


def _build(config: Config, builder: cache.EntryBuilder, dataset: Dataset | None) -> tuple[dict, str]:
    """Fill the builder; (meta, tokenizer JSON)."""
    started = time.perf_counter()
    if dataset is None:  # data files: streamed
        dataset, files = _read_labels(config.data, config.seed), _files_of(config.data)
        rows = {name: np.asarray(split.texts, dtype=np.int64) for name, split in _splits(dataset).items()}
        chosen = fit_rows(len(rows["train"]), config.tokenizer.fit_texts, config.seed)
        fit = rows["train"] if chosen is None else rows["train"][chosen]
        tokenizer = build_tokenizer_from_chunks(
            (texts for _, texts in rows_of(files["train"], fit, *_columns(config.data))), config.tokenizer
        )
        out = _Writers(config, builder, dataset, tokenizer)
        _encode_files(out, config.data, files, rows)
    else:  # read whole already
        chosen = fit_rows(len(dataset.train), config.tokenizer.fit_texts, config.seed)
        texts = dataset.train.texts if chosen is None else [dataset.train.texts[i] for i in chosen]
        tokenizer = build_tokenizer(texts, config.tokenizer)
        out = _Writers(config, builder, dataset, tokenizer)
        for name, split in out.splits.items():
            for i in range(0, len(split), ENCODE_CHUNK):
                out.add(name, split.texts[i : i + ENCODE_CHUNK], split.labels[i : i + ENCODE_CHUNK])
    digests = out.finish()
    splits = {
        name: {"source": split.source, "skipped": split.skipped, "num_examples": len(split),
               "fingerprint": digests[name]}
        for name, split in out.splits.items()
    }
    files = {r: str(p) for r, p in _files_of(config.data).items()} if config.data.source == "files" else None
    about = {
        "source": config.data.source, "files": files, "seed": config.seed,
        "max_length": config.tokenizer.max_length, "truncation": config.tokenizer.truncation,
        "vocabulary": tokenizer.get_vocab_size(),
        "examples": {name: len(split) for name, split in out.splits.items()},
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    return {"labels": dataset.labels, "splits": splits, "about": about}, tokenizer.to_str()


class _Writers:
    """Each split's writer and running SHA-256 of its texts and labels (`dataset.fingerprint`,
    which a run records and `--resume` checks)."""

    def __init__(self, config: Config, builder: cache.EntryBuilder, dataset: Dataset, tokenizer) -> None:
        self.splits = _splits(dataset)
        self.writers = {name: builder.split(name) for name in self.splits}
        self.digests = {name: hashlib.sha256() for name in self.splits}
        self.index = {label: i for i, label in enumerate(dataset.labels)}
        self.settings, self.tokenizer = config.tokenizer, tokenizer

    def add(self, name: str, texts: list[str], labels: list[str]) -> None:
        digest = self.digests[name]
        for text, label in zip(texts, labels, strict=True):
            digest.update(json.dumps([text, label]).encode("utf-8") + b"\n")
        full = encode(self.tokenizer, texts, empty=())  # as `encode` with the settings, then:
        ids, most = [seq or [UNK_ID] for seq in full], self.settings.max_length
        ids = ids if most is None else [truncate(seq, most, self.settings.truncation) for seq in ids]
        self.writers[name].add(ids, [self.index[label] for label in labels], [len(seq) for seq in full],
                               [seq.count(UNK_ID) for seq in full])

    def finish(self) -> dict[str, str]:
        for writer in self.writers.values():
            writer.finish()
        return {name: digest.hexdigest() for name, digest in self.digests.items()}


def _encode_files(out: _Writers, data: DataConfig, files: dict[str, Path], rows: dict) -> None:
    """Pass 3: each file read once, each chunk's rows encoded into the split they belong to."""
    for path in dict.fromkeys(files[name] for name in out.splits):
        names = [name for name in out.splits if files[name] == path]
        start = 0
        for texts, _ in read_chunks(path, *_columns(data)):
            for name in names:
                lo, hi = np.searchsorted(rows[name], [start, start + len(texts)])
                chosen = [texts[row - start] for row in rows[name][lo:hi]]
                out.add(name, chosen, out.splits[name].labels[lo:hi])
            start += len(texts)


def _columns(data: DataConfig) -> tuple[str, str, str]:
    return data.text_column, data.label_column, data.format


def _files_of(data: DataConfig) -> dict[str, Path]:
    """The file each final split comes from (a carved split: the training file)."""
    found = {"train": data.train, "dev": data.dev or data.train}
    if data.test is not None or data.test_fraction > 0:
        found["test"] = data.test or data.train
    return found


def _read_labels(data: DataConfig, seed: int) -> Dataset:
    """Pass 1: the dataset with row numbers in place of texts (labels and counts are real)."""
    read = {role: None if getattr(data, role) is None else label_rows(getattr(data, role), data)
            for role in SPLITS}
    return load_dataset(data, seed, splits=(read["train"], read["dev"], read["test"]))


def _from_entry(entry: cache.Entry, hit: bool) -> PreparedTokens:
    labels = entry.meta["labels"]
    splits, parts = {}, {}
    for name, info in entry.meta["splits"].items():
        targets = entry.targets[name].tolist()
        splits[name] = TokenSplit(entry.ids[name], targets, entry.counts[name])
        parts[name] = Split(
            cache.Unread(len(targets)), [labels[t] for t in targets], info["source"],
            info["skipped"], info["fingerprint"],
        )
    dataset = Dataset(parts["train"], parts["dev"], parts.get("test"), labels)
    tokenizer = Tokenizer.from_str((entry.path / cache.TOKENIZER).read_text(encoding="utf-8"))
    return PreparedTokens(dataset, tokenizer, splits, entry.path, hit)

