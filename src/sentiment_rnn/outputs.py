"""Writing what a user keeps: stdout checked byte by byte, output files checked before the work,
and output directories built beside the old one and swapped in only at the end.

- `Stdout` writes every byte to file descriptor 1 (a short write, as an unbuffered stream on a
  nearly full disk gives, is continued; a failed one is a `UserError` naming stdout), so that no
  command exits 0 with its output cut short.
- `check_output_file` refuses, before any work, a path that exists and is not a regular file (a
  device such as /dev/null, a FIFO, a directory), whose folder is missing, or that cannot be
  written, and a disk without room for it.
- `staged_dir` gives `--force` its meaning: the old output stays whole until the new one is
  complete, then the two are swapped (atomically where the kernel can: renameat2 EXCHANGE).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sentiment_rnn import runlock
from sentiment_rnn.errors import UserError


class Stdout(io.TextIOBase):
    """A text stream onto `sys.stdout` (as it is when written to: the CLI runner of the tests
    replaces it) that writes all it is given and flushes it, or raises UserError."""

    def write(self, text: str) -> int:
        import sys

        write_all(sys.stdout, text, "stdout")
        return len(text)

    def isatty(self) -> bool:
        import sys

        return sys.stdout.isatty()

    def fileno(self) -> int:
        import sys

        return sys.stdout.fileno()

    @property
    def encoding(self) -> str:
        return "utf-8"


def write_all(stream, text: str, name: str) -> None:
    """Write `text` to a text stream through its binary layer until every byte is out (an
    unbuffered stream can write part of it), then flush; an OSError becomes a UserError."""
    try:
        stream.flush()
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            stream.write(text)
        else:
            view = memoryview(text.encode(stream.encoding or "utf-8", "backslashreplace"))
            while view:
                written = buffer.write(view)
                if not written:  # a non-blocking stream that is full
                    raise OSError(0, "the stream took no more bytes")
                view = view[written:]
            buffer.flush()
        stream.flush()
    except OSError as err:
        raise UserError(f"{name}: cannot write ({err.strerror or err}); the output is incomplete") from None


def echo(text: str = "", newline: bool = True) -> None:
    """typer.echo for stdout, checked."""
    Stdout().write(text + ("\n" if newline else ""))


def check_free_space(folder: Path, needed: int, what: str) -> None:
    """Refuse when the disk holding `folder` has less than `needed` bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise UserError(
            f"{folder}: {free / 1e6:,.1f} MB free on this disk, {what} needs about "
            f"{needed / 1e6:,.1f} MB; free some space or choose another place"
        )


def check_output_file(path: Path, option: str, needed: int = 0) -> None:
    """Before the work: `path` can be written as a new regular file (see the module notes)."""
    with contextlib.suppress(FileNotFoundError):  # a dangling link is replaced, not followed
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
            raise UserError(
                f"{path}: exists and is not a regular file ({kind}); {option} writes a new "
                "file there: choose another path"
            )
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{path}: folder {folder} does not exist; create it or choose another {option}")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise UserError(f"{path}: cannot write in {folder} ({err.strerror}); choose another {option}") from None
    if needed:
        check_free_space(folder, needed, f"{option} {path.name}")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directory entries in one step (Linux renameat2 RENAME_EXCHANGE); False where
    the kernel, C library or file system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _replace_dir(old: Path, new: Path) -> None:
    """Put `new` where `old` is; `old`'s content is deleted."""
    if _exchange(old, new):
        shutil.rmtree(new)  # now the old content
        return
    aside = old.with_name(f".{old.name}.old-{os.getpid()}")
    os.rename(old, aside)
    os.rename(new, old)
    shutil.rmtree(aside)


def _beside(path: Path) -> Path:
    build, number = path.with_name(f"{path.name}.new"), 1
    while build.exists():
        number += 1
        build = path.with_name(f"{path.name}.new-{number}")
    return build


def _non_empty(path: Path) -> bool:
    return any(not runlock.is_lock_file(child) for child in path.iterdir())


RESUMABLE = "checkpoint.safetensors"  # a build holding one is kept on failure: it can resume


def _discard(build: Path, whole: bool) -> None:
    """Remove a failed build: the directory itself if we made it, else what we put in it."""
    if whole:
        shutil.rmtree(build, ignore_errors=True)
        return
    for child in build.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_dir(path: Path, force: bool, option: str = "--output") -> Iterator[Path]:
    """The directory to build an output in, locked; see the module notes.

    A new or empty `path` is used as it is. A non-empty one is refused without `force`; with
    it, a sibling `<path>.new` is built and swapped in when the block ends without error, so
    `path` is untouched until then. A failed build is removed, unless it was stopped by Ctrl-C
    or holds a training checkpoint: then it is kept, to be resumed.
    """
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: exists and is not a directory; choose another {option}")
    replace = path.is_dir() and _non_empty(path)
    if replace and not force:
        raise UserError(f"{path}: directory is not empty; pass --force to replace it")
    build = _beside(path) if replace else path
    created = replace or not path.exists()
    try:
        build.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{build}: cannot create the directory ({err.strerror})") from None
    with runlock.locked(*([path] if replace else [])):
        try:
            with runlock.locked(build):
                yield build
        except BaseException as err:
            if not isinstance(err, KeyboardInterrupt) and not (build / RESUMABLE).exists():
                _discard(build, whole=created)
            raise
        if replace:
            _replace_dir(path, build)
