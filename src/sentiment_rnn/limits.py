"""Reading within limits: no input can make a command read (or decompress) without bound.

`st_size` is 0 for pipes and devices (`/dev/zero`, `/dev/stdin`), so a size check on it alone
lets anything through: `read_limited` reads at most the limit plus one byte instead. Gzip data
is decompressed a chunk at a time, with a cap on the total and on the expansion ratio (no text
compresses 100 to 1; a decompression bomb does). Files of a run directory are checked for size,
and for links leading out of the directory, before anything parses them.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

from sentiment_rnn.errors import UserError

MAX_DECOMPRESSED = 1 << 30  # a gzipped data file may expand to 1 GiB at most
BOMB_RATIO, BOMB_FLOOR = 100, 64 << 20  # beyond 64 MiB, more than 100:1 is a bomb
CHUNK = 1 << 20


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path` (a file, pipe or device), refused when over `limit`."""
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0  # let open() report it
    if size > limit:
        raise UserError(f"{path}: {what} is {size:,} bytes; at most {limit:,} accepted")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UserError(f"{path}: {what} is over {limit:,} bytes; at most {limit:,} accepted")
    return data


def gunzip_limited(path: Path, limit: int = MAX_DECOMPRESSED) -> bytes:
    """The decompressed content of a .gz file, a chunk at a time, refused past `limit` or
    when it expands like a decompression bomb."""
    compressed = max(os.stat(path).st_size, 1)
    out = bytearray()
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise UserError(
                        f"{path}: decompresses to over {limit:,} bytes; at most {limit:,} accepted"
                    )
                if len(out) > BOMB_FLOOR and len(out) > BOMB_RATIO * compressed:
                    raise UserError(
                        f"{path}: {compressed:,} bytes expand to over {len(out):,} (more than "
                        f"{BOMB_RATIO}:1, which no text reaches); refused as a decompression bomb"
                    )
    except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise UserError(f"{path}: cannot read: {err}") from None
    return bytes(out)


def check_run_file(run_dir: Path, name: str, limit: int) -> Path:
    """`run_dir/name` is a file inside the run directory (no link out of it), of at most
    `limit` bytes; returns its path."""
    path = run_dir / name
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(run_dir.resolve()):
            raise UserError(
                f"{path}: a link to {target}, outside the run directory; a run directory "
                "holds its own files"
            )
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise UserError(f"{path}: missing; the run is incomplete") from None
    if size > limit:
        raise UserError(
            f"{path}: {size:,} bytes, more than a run's {name} can be ({limit:,}); "
            "the file is damaged or not from a run"
        )
    return path
