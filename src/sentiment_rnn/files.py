"""Reading user files strictly and writing ours atomically."""

from __future__ import annotations

import functools
import gzip
import json
import os
import tempfile
import zlib
from dataclasses import dataclass
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


def read_bytes(path: Path) -> bytes:
    """The file's bytes (gunzipped if it ends in .gz); every failure is a UserError."""
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, expected a file") from None
    except (OSError, EOFError, zlib.error) as err:  # zlib.error: damaged compressed data
        raise UserError(f"{path}: cannot read: {err}") from None
    return data


def read_text_file(path: Path) -> str:
    """The whole file decoded as UTF-8 (gunzipped if it ends in .gz)."""
    return decode_utf8(read_bytes(path), str(path))


def read_json(path: Path):
    """A JSON file we wrote (meta.json, labels.json, ...); damage is reported with the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: not readable JSON ({err})") from None
    except RecursionError:
        raise UserError(f"{path}: not readable JSON (nested too deeply)") from None


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


@dataclass
class Line:
    """One line of a text file: its number (from 1), its text, and why it is unusable, if it is."""

    number: int
    text: str
    problem: str | None = None


def source_name(source: str) -> str:
    return "stdin" if source == "-" else source


def read_text_lines(source: str) -> list[Line]:
    """Every line of a file (or stdin for '-'), each decoded on its own.

    A line that is not valid UTF-8 comes back with its problem (and the byte offset in the
    file), so that a caller can skip it and go on. A final newline ends the last line; a CR
    before it is dropped (CRLF files); a UTF-8 byte order mark at the start is dropped.
    """
    if source == "-":
        import sys

        data = sys.stdin.buffer.read()
    else:
        data = read_bytes(Path(source))
    chunks = data.split(b"\n")  # safe on UTF-8: no multi-byte sequence contains 0x0A
    if chunks[-1] == b"":
        chunks.pop()
    lines, offset = [], 0
    for number, chunk in enumerate(chunks, start=1):
        try:
            text, problem = chunk.decode("utf-8"), None
        except UnicodeDecodeError as err:
            bad = chunk[err.start : err.start + 1]
            text, problem = "", f"not valid UTF-8 at byte {offset + err.start} ({bad!r})"
        if number == 1:
            text = text.removeprefix("\ufeff")
        lines.append(Line(number, text.removesuffix("\r"), problem))
        offset += len(chunk) + 1
    return lines


@functools.cache
def _umask() -> int:
    """The process's umask, read once: from /proc on Linux (no change at all), else by setting
    and restoring it, once, rather than on every write (a race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask
