"""Reading one labelled file: CSV, TSV, JSON Lines (each optionally gzipped) or Parquet.

The text forms are decoded strictly as UTF-8 first, so a bad byte is reported with its offset.
Rows with an empty text or no label are counted; they are an error unless the config says to skip
them, and then the count travels with the split so that `sentiment-rnn data` can report it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sentiment_rnn.errors import UserError
from sentiment_rnn.files import read_text_file

SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}


@dataclass
class Split:
    """Texts and their string labels, with where they came from."""

    texts: list[str]
    labels: list[str]
    source: str
    skipped: int = 0  # rows dropped for an empty text or a missing label
    digest: str | None = None  # `dataset.fingerprint` of texts and labels, when known already

    def __len__(self) -> int:
        return len(self.texts)


def file_format(path: Path, configured: str = "auto") -> str:
    """The configured format, or the one the suffix names (`.gz` looked through)."""
    if configured != "auto":
        return configured
    suffix = Path(path.name.removesuffix(".gz")).suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError(
            f"{path}: cannot tell the format from {suffix or 'no suffix'!r}; accepted: "
            ".csv, .tsv, .jsonl (each also .gz), .parquet, or set data.format"
        )
    return SUFFIXES[suffix]


def read_frame(path: Path, fmt: str) -> pd.DataFrame:
    """The file as a DataFrame of strings (labels too); errors name the file."""
    if fmt == "parquet":
        try:
            return pd.read_parquet(path)
        except FileNotFoundError:
            raise UserError(f"{path}: file not found") from None
        except ImportError as err:
            raise UserError(f"{path}: reading Parquet needs pyarrow ({err})") from None
        except Exception as err:  # pyarrow raises its own types for damaged files
            raise UserError(f"{path}: not a readable Parquet file ({err})") from None
    text = read_text_file(path)
    if not text.strip():
        raise UserError(f"{path}: file is empty")
    try:
        if fmt == "jsonl":
            return pd.read_json(io.StringIO(text), lines=True, dtype=False)
        separator = "\t" if fmt == "tsv" else ","
        return pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as err:
        detail = " ".join(str(err).split())  # pandas' messages span lines
        raise UserError(f"{path}: cannot parse as {fmt.upper()}: {detail}") from None


def read_split(
    path: Path,
    text_column: str = "text",
    label_column: str = "label",
    fmt: str = "auto",
    skip_bad_rows: bool = False,
) -> Split:
    """Read one labelled file into a Split."""
    fmt = file_format(path, fmt)
    texts, labels = frame_rows(read_frame(path, fmt), path, fmt, text_column, label_column)
    return drop_bad_rows(texts, labels, str(path), skip_bad_rows, lines_before_rows(fmt))


def lines_before_rows(fmt: str) -> int:
    """Lines before the first row: the header of CSV and TSV."""
    return 1 if fmt in ("csv", "tsv") else 0


def frame_rows(
    frame: pd.DataFrame, path: Path, fmt: str, text_column: str, label_column: str,
    first_row: int = 0,
) -> tuple[list[str], list[str]]:
    """The texts and labels of a frame (the whole file, or a chunk of it starting at row
    `first_row`), checked: rows present, both columns there, scalar cells."""
    if frame.empty and first_row == 0:
        raise UserError(f"{path}: no rows (only a header?); expected one labelled text per row")
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in frame.columns:
            raise UserError(
                f"{path}: no {role} column {column!r}; {columns_found(frame.columns)} "
                f"(set data.{role}_column)"
            )
    for column in (text_column, label_column):
        _check_scalars(frame[column], column, str(path), lines_before_rows(fmt) + first_row)
    texts = [_cell(value) for value in frame[text_column]]
    labels = [_cell(value) for value in frame[label_column]]
    return texts, labels


_COLUMN_NAME = re.compile(r"[\w .()\-]{1,64}")  # what a header cell looks like


def columns_found(columns, shown: int = 20) -> str:
    """The columns of a file for an error line: at most `shown`, with a count, and only names
    that look like column names (the first line of a file that is not a table, such as a
    secret, is never quoted)."""
    names = [str(name) for name in columns]
    if not all(_COLUMN_NAME.fullmatch(name) for name in names):
        return f"the first line has {len(names):,} cell(s) that do not look like column names"
    if len(names) <= shown:
        return "columns found: " + ", ".join(names)
    return f"{len(names):,} columns found, the first {shown}: {', '.join(names[:shown])}"


def _check_scalars(values, column: str, source: str, header_lines: int) -> None:
    """JSON Lines cells that are objects or lists are refused (str() would make labels such as
    "['negative']")."""
    for row, value in enumerate(values):
        if isinstance(value, dict | list):
            kind = "an object" if isinstance(value, dict) else "a list"
            raise UserError(
                f"{source}, line {row + 1 + header_lines}: the {column!r} cell is {kind}; "
                "expected a string (or a number, for labels)"
            )


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # integer labels read back as 1.0 from a column with gaps
    return str(value)


def drop_bad_rows(
    texts: list[str], labels: list[str], source: str, skip: bool, header_lines: int = 0
) -> Split:
    """Rows with an empty text or label: an error naming the first, or skipped and counted."""
    bad = bad_rows(texts, labels)
    if bad and not skip:
        first = bad[0]
        raise bad_rows_error(source, len(bad), first, bad_row_kind(texts[first]), header_lines)
    if not bad:
        return Split(texts, labels, source)
    keep = sorted(set(range(len(texts))) - set(bad))
    return Split([texts[i] for i in keep], [labels[i] for i in keep], source, skipped=len(bad))


def bad_rows(texts: list[str], labels: list[str]) -> list[int]:
    """Positions of the rows with an empty text or an empty label."""
    return [i for i, (text, label) in enumerate(zip(texts, labels, strict=True))
            if not text.strip() or not label.strip()]


def bad_row_kind(text: str) -> str:
    return "empty text" if not text.strip() else "missing label"


def bad_rows_error(source: str, count: int, first: int, what: str, header_lines: int) -> UserError:
    """The one error for bad rows when they are not to be skipped (`first`: its row, from 0)."""
    return UserError(
        f"{source}: {count} row(s) with an empty text or a missing label; the first "
        f"({what}) on {'line' if header_lines else 'row'} {first + 1 + header_lines}; "
        "fix them or set data.skip_bad_rows: true"
    )
