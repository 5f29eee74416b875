"""Reading user files strictly and writing ours atomically."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from sentiment_rnn.errors import UserError


def decode_utf8(data: bytes, source: str) -> str:
    """Strict UTF-8 decoding; the error names the source and the byte offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1]
        raise UserError(
            f"{source}: not valid UTF-8 at byte {err.start} ({bad!r}); convert it to UTF-8"
        ) from None


def read_text_file(path: Path) -> str:
    """The whole file decoded as UTF-8 (gunzipped if it ends in .gz)."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, expected a file") from None
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise UserError(f"{path}: cannot read: {err}") from None
    return decode_utf8(data, str(path))


def read_json(path: Path):
    """A JSON file we wrote (meta.json, labels.json, ...); damage is reported with the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not readable JSON ({err})") from None


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file in the same directory, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_lines(source: str) -> list[str]:
    """One text per line from a file, or from standard input when `source` is '-'."""
    if source == "-":
        import sys

        text = decode_utf8(sys.stdin.buffer.read(), "stdin")
    else:
        text = read_text_file(Path(source))
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start another
    name = "stdin" if source == "-" else source
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise UserError(f"{name}, line {number}: empty line; put one text on each line")
    return [line.rstrip("\r") for line in lines]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
