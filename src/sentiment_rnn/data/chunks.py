"""Reading a labelled file a chunk of rows at a time, so that memory does not grow with its size.

A file under `WHOLE_FILE` bytes, and any gzipped file (decompressed within the caps of
`limits.gunzip_limited`), is read whole by `split.read_frame`, with every check of that path.
A larger CSV, TSV or JSON Lines file is first checked to be UTF-8 in blocks (the error names the
byte offset), then parsed by pandas `CHUNK_ROWS` rows at a time (`chunksize`); a larger Parquet
file is read by pyarrow a batch at a time (`iter_batches`). Every chunk gets the checks of a
whole file (columns present, scalar cells), with line numbers counted from the file's start.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from sentiment_rnn.config import DataConfig
from sentiment_rnn.data.split import (
    Split,
    bad_row_kind,
    bad_rows_error,
    file_format,
    frame_rows,
    lines_before_rows,
    read_frame,
)
from sentiment_rnn.errors import UserError

CHUNK_ROWS = 10_000
WHOLE_FILE = 64 << 20  # bytes: smaller files are read whole


def read_chunks(
    path: Path, text_column: str = "text", label_column: str = "label", fmt: str = "auto"
) -> Iterator[tuple[list[str], list[str]]]:
    """(texts, labels) of consecutive rows of `path`, every row once, in file order."""
    fmt = file_format(path, fmt)
    if path.name.endswith(".gz") or _size(path) < WHOLE_FILE:
        yield frame_rows(read_frame(path, fmt), path, fmt, text_column, label_column)
        return
    if fmt != "parquet":
        check_utf8(path)
    first = 0
    for frame in _frames(path, fmt):
        texts, labels = frame_rows(frame, path, fmt, text_column, label_column, first)
        first += len(texts)
        yield texts, labels
    if first == 0:
        raise UserError(f"{path}: no rows (only a header?); expected one labelled text per row")


def rows_of(
    path: Path, rows: np.ndarray, text_column: str, label_column: str, fmt: str
) -> Iterator[tuple[np.ndarray, list[str]]]:
    """The texts of the given rows (ascending positions in the file), chunk by chunk: (their
    positions, their texts)."""
    start = 0
    for texts, _ in read_chunks(path, text_column, label_column, fmt):
        lo, hi = np.searchsorted(rows, [start, start + len(texts)])
        chosen = rows[lo:hi]
        yield chosen, [texts[row - start] for row in chosen]
        start += len(texts)


def label_rows(path: Path, data: DataConfig) -> Split:
    """Pass 1 of `data/tokens.py`: a Split whose `texts` are the row numbers of the good rows
    (labels real, bad rows counted, or the error for them as `split.drop_bad_rows` gives it)."""
    rows: list[int] = []
    labels: list[str] = []
    seen: dict[str, str] = {}
    bad, first_bad, start = 0, None, 0
    for texts, chunk_labels in read_chunks(path, data.text_column, data.label_column, data.format):
        for i, (text, label) in enumerate(zip(texts, chunk_labels, strict=True)):
            if text.strip() and label.strip():
                rows.append(start + i)
                labels.append(seen.setdefault(label, label))  # one string per label
            else:
                bad += 1
                first_bad = first_bad or (start + i, bad_row_kind(text))
        start += len(texts)
    if bad and not data.skip_bad_rows:
        lines = lines_before_rows(file_format(path, data.format))
        raise bad_rows_error(str(path), bad, *first_bad, lines)
    return Split(rows, labels, str(path), skipped=bad)


def check_utf8(path: Path, block: int = 1 << 20) -> None:
    """Strict UTF-8, a block at a time; the error names the byte offset."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as err:
        raise UserError(f"{path}: cannot read: {err}") from None
    with handle:
        while data := handle.read(block):
            try:
                decoder.decode(data)
            except UnicodeDecodeError as err:
                at = offset + err.start - len(decoder.getstate()[0])
                raise UserError(
                    f"{path}: not valid UTF-8 at byte {max(at, offset)} ({data[err.start:err.start + 1]!r}); "
                    "convert it to UTF-8"
                ) from None
            offset += len(data)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UserError(f"{path}: not valid UTF-8 at its end (a cut character); convert it to UTF-8") from None


def _frames(path: Path, fmt: str) -> Iterator[pd.DataFrame]:
    if fmt == "parquet":
        yield from _parquet_frames(path)
        return
    try:
        if fmt == "jsonl":
            reader = pd.read_json(path, lines=True, dtype=False, chunksize=CHUNK_ROWS, encoding="utf-8")
        else:
            reader = pd.read_csv(
                path, sep="\t" if fmt == "tsv" else ",", dtype=str, keep_default_na=False,
                chunksize=CHUNK_ROWS, encoding="utf-8",
            )
        with reader:
            yield from reader
    except (ValueError, pd.errors.ParserError) as err:
        detail = " ".join(str(err).split())
        raise UserError(f"{path}: cannot parse as {fmt.upper()}: {detail}") from None


def _parquet_frames(path: Path) -> Iterator[pd.DataFrame]:
    try:
        import pyarrow.parquet as pq

        batches = pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS)
        for batch in batches:
            yield batch.to_pandas()
    except ImportError as err:
        raise UserError(f"{path}: reading Parquet needs pyarrow ({err})") from None
    except UserError:
        raise
    except Exception as err:  # pyarrow raises its own types for damaged files
        raise UserError(f"{path}: not a readable Parquet file ({err})") from None


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # let the whole-file reader report it
