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
    """A text stream onto `sys.stdout` (as it is when written to: a test runner replaces it)
    that writes all it is given, or raises UserError (see `write_all`)."""

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
    """Write `text` to a text stream and flush it; an OSError becomes a UserError.

    A stream on a real file descriptor is written with os.write until every byte is out: an
    unbuffered stream (PYTHONUNBUFFERED=1) can take part of a write and drop the rest silently,
    and a buffered one can keep a tail that fails again, with a traceback, at exit.
    """
    try:
        stream.flush()
        try:
            fd = stream.fileno()
        except (AttributeError, ValueError, io.UnsupportedOperation):
            fd = None  # an in-memory stream (a test runner's)
        if fd is None:
            stream.write(text)
            stream.flush()
            return
        view = memoryview(text.encode(getattr(stream, "encoding", None) or "utf-8", "backslashreplace"))
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:
        raise UserError(f"{name}: cannot write ({err.strerror or err}); the output is incomplete") from None


def echo(text: str = "", newline: bool = True) -> None:
    """typer.echo for stdout, checked."""
    Stdout().write(text + ("\n" if newline else ""))


def check_free_space(folder: Path, needed: int, what: str, name: Path | None = None) -> None:
    """Refuse when the disk holding `folder` has less than `needed` bytes free (the message
    names `name`, or the folder)."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise UserError(
            f"{name or folder}: {free / 1e6:,.1f} MB free on this disk, {what} needs about "
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
        check_free_space(folder, needed, option, name=path)


def config_inputs(config) -> dict[str, Path | None]:
    """The files and folders a config (`config.Config`) reads, by key."""
    data = config.data
    return {"data.train": data.train, "data.dev": data.dev, "data.test": data.test,
            "data.path": data.path, "model.pretrained_embeddings": config.model.pretrained_embeddings}


def check_not_an_input(output: Path, inputs: dict[str, Path | None], option: str = "--output") -> None:
    """Refuse an output that is, holds, or lies inside one of the command's inputs: replacing
    it would destroy what the command reads."""
    out = output.resolve()
    for name, path in inputs.items():
        if path is None:
            continue
        found = path.resolve()
        relation = ("is" if found == out else "holds" if out in found.parents
                    else "is inside" if found in out.parents else None)
        if relation:
            raise UserError(
                f"{output}: {option} {relation} {name} ({path}), which this command reads; "
                f"choose another {option}"
            )


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


RESUMABLE = "checkpoint*.safetensors"  # a build holding one is kept on failure: it can resume
# (train's checkpoint.safetensors, pretrain's checkpoint-<direction>.safetensors)


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


class KeepOutput(Exception):
    """An exception that ends a build on purpose (a pruned tuning trial): what was built stays."""


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
    if path.is_symlink():  # runs/latest: the run it points at is the one replaced
        path = path.resolve()
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
            kept = isinstance(err, (KeyboardInterrupt, KeepOutput)) or any(build.glob(RESUMABLE))
            if not kept:
                _discard(build, whole=created)
            raise
        if replace:
            _replace_dir(path, build)
