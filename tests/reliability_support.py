"""Helpers for the reliability tests (issue 16): real `sentiment-rnn` processes, small disks,
snapshots of directories, and the one-line error every user mistake must give.

The tests drive the command line, not the modules behind it, so that they keep testing the same
promises whatever the package's layout.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import TINY_CONFIG, write_dataset

MEMORY_CEILING = 3 << 30  # address space of a child process: a blow-up fails it, not the machine


def limit_memory(limit: int = MEMORY_CEILING):
    """A preexec_fn capping the child's address space (torch alone maps ~0.7 GB)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def command(*args) -> list[str]:
    return [sys.executable, "-m", "sentiment_rnn", *map(str, args)]


def run_cli(*args, cwd: Path, input: bytes | None = None, env: dict | None = None,
            stdout=subprocess.PIPE, timeout: float = 300,
            memory: int | None = MEMORY_CEILING) -> subprocess.CompletedProcess:
    """One real `sentiment-rnn` process; stdout and stderr as text (stdout None if redirected)."""
    proc = subprocess.run(
        command(*args), cwd=cwd, input=input, stdout=stdout, stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})}, timeout=timeout,
        preexec_fn=None if memory is None else limit_memory(memory),
    )
    out = proc.stdout.decode("utf-8", "replace") if isinstance(proc.stdout, bytes) else proc.stdout
    return subprocess.CompletedProcess(proc.args, proc.returncode, out,
                                       proc.stderr.decode("utf-8", "replace"))


# A small launcher between the test and the measured process: Linux counts the resident memory a
# process had when it was forked in its peak (ru_maxrss survives exec), so a child forked straight
# from this test process would report the test process's own size. The launcher is small; it caps
# the address space, runs the command, and writes the command's own wait4 peak to a file.
LAUNCHER = """
import os, resource, sys
limit, report, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execv(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as handle:
    handle.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


def run_measured(*args, cwd: Path, stdin=None, stdout=subprocess.DEVNULL, timeout: float = 300,
                 memory: int | None = MEMORY_CEILING) -> tuple[int, str, int]:
    """A real process: (exit status, stderr, peak resident memory in bytes) via wait4."""
    report = Path(cwd) / f".peak-{os.getpid()}-{time.monotonic_ns()}"
    launcher = [sys.executable, "-c", LAUNCHER, str(memory or 0), str(report)]
    proc = subprocess.Popen([*launcher, *command(*args)], cwd=cwd, stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        _, stderr = proc.communicate()
    code, peak = map(int, report.read_text().split()) if report.is_file() else (-9, 0)
    report.unlink(missing_ok=True)
    return code, stderr.decode("utf-8", "replace"), peak


def one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 1, one `error:` line on stderr holding every needle, no traceback."""
    assert "Traceback" not in proc.stderr and "panicked" not in proc.stderr, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-3000:])
    assert len(lines) >= 1 and lines[-1].startswith("error: "), lines[-5:]
    message = lines[-1]
    for needle in needles:
        assert needle in message, (needle, message)
    return message


def write_config(root: Path, name: str = "tiny", **sections) -> Path:
    """A tiny config (conftest's TINY_CONFIG on a fresh dataset) with sections replaced."""
    config = {**TINY_CONFIG, "name": name, "data": write_dataset(root / "data")}
    for key, value in sections.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative path -> SHA-256), links as their targets."""
    found = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@contextlib.contextmanager
def small_disk(path: Path, size: str, read_only: bool = False):
    """A real file system of `size` (tmpfs) mounted at `path`; skips where mounting is not
    allowed (not root)."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(directory: Path, leave: int = 0) -> None:
    """Fill the file system holding `directory`, leaving about `leave` bytes free."""
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize - leave
    with open(directory / "filler", "wb") as handle:
        with contextlib.suppress(OSError):
            handle.write(b"\0" * max(free, 0))
