"""One writer per run directory: an OS file lock (`fcntl.flock`) on `RUN/.lock`.

`train`, `train --resume`, `baseline` and `compare` hold the lock of every directory they write
for as long as they write it. A second writer is refused with the holder's PID. The operating
system drops the lock when the holder exits in any way (SIGKILL included), so a lock is never
stale; the file itself is removed on a clean release and is harmless when left behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sentiment_rnn.errors import UserError

LOCK = ".lock"


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return f"PID {pid}" if pid.isdigit() else "another process"


def acquire(run_dir: Path) -> int:
    """Lock `run_dir` (which must exist) for writing; returns the lock's file descriptor."""
    path = run_dir / LOCK
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise UserError(f"{run_dir}: cannot lock the run directory ({err.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UserError(f"{run_dir}: cannot lock the run directory ({err.strerror})") from None
            raise UserError(
                f"{run_dir}: being written by {_holder(path)} (sentiment-rnn holds {path}); "
                "wait for it to finish or stop it, or choose another --output"
            ) from None
        try:  # a releasing holder may have removed the file between our open and our lock
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    with contextlib.suppress(OSError):  # the PID is for messages; a full disk cannot hold it
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    return fd


def release(run_dir: Path, fd: int) -> None:
    """Remove the lock file, then drop the lock (in that order: see `acquire`)."""
    with contextlib.suppress(OSError):
        if os.path.samestat(os.fstat(fd), os.stat(run_dir / LOCK)):
            os.unlink(run_dir / LOCK)
    os.close(fd)


@contextlib.contextmanager
def locked(*run_dirs: Path) -> Iterator[None]:
    """Hold the lock of each directory (each must exist) for the duration of the block."""
    held: list[tuple[Path, int]] = []
    try:
        for run_dir in run_dirs:
            held.append((run_dir, acquire(run_dir)))
        yield
    finally:
        for run_dir, fd in reversed(held):
            release(run_dir, fd)


def is_lock_file(path: Path) -> bool:
    return path.name == LOCK
