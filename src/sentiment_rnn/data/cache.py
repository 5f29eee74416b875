"""The token cache: splits tokenized once, kept as memory-mapped NumPy arrays.

An entry is a directory named by its key (a SHA-256, see `data/tokens.py` for what goes into
it) that holds `tokenizer.json`, `meta.json` and, per split, `<split>.ids.npy` (every token id
of the split, int32, end to end), `<split>.offsets.npy` (int64, N + 1: text i is
ids[offsets[i]:offsets[i + 1]]), `<split>.targets.npy` (class indices) and, for `data`'s
figures, `<split>.lengths.npy` and `<split>.unknown.npy` (each text's token count before
truncation, 0 for a text with no token, and how many of those are `<unk>`). The arrays are
opened with `np.load(mmap_mode="r")`: the operating system pages them in as batches read them.

An entry is built in a `.tmp-*` directory beside and renamed into place only once complete, so
a build that is interrupted or fails is never read; `clear` removes such leftovers.

Where: $SENTIMENT_RNN_CACHE, else `~/.cache/sentiment-rnn/tokens` (under $XDG_CACHE_HOME when
set, as the IMDB download cache); SENTIMENT_RNN_CACHE=off builds each entry in a temporary
directory that is removed after use.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentiment_rnn.data.corpora import default_cache_dir
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write

ENV = "SENTIMENT_RNN_CACHE"
FORMAT = 2  # bump when the entry layout changes: older entries are then never read
META = "meta.json"
TOKENIZER = "tokenizer.json"
_KEY = re.compile(r"[0-9a-f]{64}")
_TMP = ".tmp-"
_LOCK = ".lock-"
OFF = ("off", "none", "false", "0")


def cache_root() -> Path | None:
    """The cache directory, or None when $SENTIMENT_RNN_CACHE turns the cache off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF:
        return None
    return Path(value).expanduser() if value else default_cache_dir() / "tokens"


class TokenIds(Sequence):
    """The token ids of a split as a sequence of lists (text i: `ids[offsets[i]:offsets[i+1]]`),
    read from the arrays on demand; `lengths` without reading any id."""

    def __init__(self, ids: np.ndarray, offsets: np.ndarray) -> None:
        self.ids, self.offsets = ids, offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"text {i} of {n}")
        return self.ids[self.offsets[i] : self.offsets[i + 1]].tolist()

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)


class Unread(Sequence):
    """Stands in for the texts of a split read through the token cache: their number is known,
    the texts themselves are not kept."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i):
        raise TypeError("the texts of a split prepared through the token cache are not kept in "
                        "memory; read them with data.dataset.load_dataset")


@dataclass
class Entry:
    """An entry opened for reading."""

    path: Path
    meta: dict
    ids: dict[str, TokenIds]
    targets: dict[str, np.ndarray]
    counts: dict[str, tuple[np.ndarray, np.ndarray]]  # full lengths and <unk> counts per text


class SplitWriter:
    """Appends a split's token ids chunk by chunk: ids go straight to disk, only the lengths,
    targets, full lengths and `<unk>` counts (32 bytes a text) stay in memory until `finish`."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self.raw = open(folder / f"{name}.ids.raw", "wb")  # noqa: SIM115 (closed in finish)
        self.lengths, self.targets = array("q"), array("q")
        self.full_lengths, self.unknown = array("q"), array("q")

    def add(self, ids: list[list[int]], targets: Sequence[int], full_lengths: Sequence[int],
            unknown: Sequence[int]) -> None:
        """`ids` as the model reads them; the untruncated token counts and their `<unk>` counts."""
        lengths = [len(seq) for seq in ids]
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int32, count=sum(lengths))
        self.raw.write(flat.tobytes())
        self.lengths.extend(lengths)
        self.targets.extend(targets)
        self.full_lengths.extend(full_lengths)
        self.unknown.extend(unknown)

    def finish(self) -> None:
        self.raw.close()
        raw = self.folder / f"{self.name}.ids.raw"
        offsets = np.zeros(len(self.lengths) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.lengths, dtype=np.int64), out=offsets[1:])
        # The .npy header, then the ids copied in blocks with plain writes: never all in memory,
        # and no written mapping (its pages would count in this process's resident memory).
        header = {"descr": np.dtype(np.int32).str, "fortran_order": False, "shape": (int(offsets[-1]),)}
        with open(raw, "rb") as source, open(self.folder / f"{self.name}.ids.npy", "wb") as out:
            np.lib.format.write_array_header_1_0(out, header)
            shutil.copyfileobj(source, out, 1 << 24)
        raw.unlink()
        np.save(self.folder / f"{self.name}.offsets.npy", offsets)
        arrays = {"targets": self.targets, "lengths": self.full_lengths, "unknown": self.unknown}
        for kind, values in arrays.items():
            np.save(self.folder / f"{self.name}.{kind}.npy", np.frombuffer(values, dtype=np.int64))


class EntryBuilder:
    """Builds an entry in a temporary directory beside its place; `commit` renames it in. Use it
    as a context manager: `with EntryBuilder(root, key) as builder: ... builder.commit(...)`."""

    def __init__(self, root: Path, key: str) -> None:
        self.root, self.key = root, key
        try:
            root.mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix=f"{_TMP}{key[:16]}-", dir=root))
        except OSError as err:
            raise _unwritable(root, err) from None

    def __enter__(self) -> EntryBuilder:
        return self

    def __exit__(self, kind, err, traceback) -> None:
        """On any error in the block (which calls `commit`) the half-built entry is removed; a
        failing disk becomes a one-line error (the data readers report theirs as UserError)."""
        if kind is not None:
            self.discard()
            if issubclass(kind, OSError):
                raise _unwritable(self.root, err) from None

    def split(self, name: str) -> SplitWriter:
        return SplitWriter(self.folder, name)

    def commit(self, meta: dict, tokenizer_json: str) -> Path:
        """meta.json last, then the rename: what is at root/key is always complete."""
        atomic_write(self.folder / TOKENIZER, tokenizer_json)
        atomic_write(self.folder / META, json.dumps({"format": FORMAT, **meta}, indent=1))
        target = self.root / self.key
        if target.exists():
            if open_entry(self.root, self.key) is not None:  # built meanwhile by another process
                self.discard()
                return target
            remove(target)  # damaged
        try:
            os.rename(self.folder, target)
        except OSError:  # another process put a complete entry there first
            self.discard()
        return target

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def build_lock(root: Path, key: str) -> Iterator[None]:
    """Held while an entry is built: a second process preparing the same data (torchrun's other
    ranks, tune's workers) waits, then reads the entry instead of building it again."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(root / f"{_LOCK}{key}", "a+b")  # noqa: SIM115 (closed below)
    except OSError:
        yield  # no lock where none can be made: both build, the first rename wins
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def open_entry(root: Path, key: str) -> Entry | None:
    """The complete, consistent entry for `key`, or None (absent or damaged: rebuilt)."""
    folder = root / key
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            return None
        ids, targets, counts = {}, {}, {}
        for name in meta["splits"]:
            offsets = np.load(folder / f"{name}.offsets.npy")
            flat = np.load(folder / f"{name}.ids.npy", mmap_mode="r") if offsets[-1] else np.zeros(0, np.int32)
            target = np.load(folder / f"{name}.targets.npy")
            mode = "r" if len(target) else None  # an empty file cannot be mapped
            counts[name] = tuple(np.load(folder / f"{name}.{kind}.npy", mmap_mode=mode)
                                 for kind in ("lengths", "unknown"))
            sizes = {len(array) for array in (target, *counts[name])}
            if offsets[-1] != len(flat) or sizes != {len(offsets) - 1}:
                return None
            ids[name], targets[name] = TokenIds(flat, offsets), target
        if not (folder / TOKENIZER).is_file():
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Entry(folder, meta, ids, targets, counts)


@dataclass
class Listed:
    name: str
    bytes: int
    created: float
    about: dict | None  # None: an unfinished build


def list_entries(root: Path) -> list[Listed]:
    """The entries under `root` (and unfinished builds), newest first."""
    if not root.is_dir():
        return []
    found = []
    for path in root.iterdir():
        if not path.is_dir() or not (_KEY.fullmatch(path.name) or path.name.startswith(_TMP)):
            continue
        about = None
        if not path.name.startswith(_TMP):
            try:
                about = json.loads((path / META).read_text(encoding="utf-8")).get("about", {})
            except (OSError, ValueError):
                about = None
        found.append(Listed(path.name, _size(path), path.stat().st_mtime, about))
    return sorted(found, key=lambda entry: -entry.created)


def report(root: Path) -> dict:
    """What `sentiment-rnn cache list` shows: the directory and each entry, as plain data."""
    entries = list_entries(root)
    listed = [{"key": entry.name, "bytes": entry.bytes,
               "created": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.created)),
               "complete": entry.about is not None, **(entry.about or {})} for entry in entries]
    return {"directory": str(root), "total_bytes": sum(e.bytes for e in entries), "entries": listed}


def clear(root: Path) -> tuple[int, int]:
    """Remove every entry and unfinished build under `root` (nothing else there): (count, bytes)."""
    entries = list_entries(root)
    for entry in entries:
        remove(root / entry.name)
    for lock in root.glob(f"{_LOCK}*") if root.is_dir() else ():
        lock.unlink(missing_ok=True)
    return len(entries), sum(entry.bytes for entry in entries)


def remove(path: Path) -> None:
    """An entry removed, renamed aside first, so no reader ever sees a half-removed entry."""
    aside = path.with_name(f"{_TMP}removing-{path.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(path, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def _unwritable(root: Path, err: OSError) -> UserError:
    return UserError(f"{root}: cannot write the token cache ({err}); free some space, or set {ENV} "
                     "to another directory (or to off)")


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
