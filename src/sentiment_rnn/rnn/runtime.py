"""Where the work runs: device choice, the thread count and seed of one training (restored
afterwards), and one process-wide CPU memory setting that `sentiment-rnn train` makes at its
entry point (never the library: it cannot be undone).

On Linux with glibc, every large tensor freed after a training step goes back to the operating
system and the next step's tensors page-fault their memory in again. `keep_freed_memory()` asks
glibc to keep freed memory in the process heap instead (mallopt: no mmap for blocks under 1 GiB,
no trimming). What that costs and gains is measured once, in the README's Performance section
(`scripts/bench_train.py`). Peak memory is unchanged: the memory is reused, not grown.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys
from collections.abc import Iterator

import torch

from sentiment_rnn.errors import UserError

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> bool:
    """Tune glibc's allocator for repeated large tensors; False where it does not apply."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, 1 << 30)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA when present, else the CPU; other names are checked for availability."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UserError(f"training.device={name!r} but CUDA is not available; use 'auto' or 'cpu'")
    if name == "mps" and not torch.backends.mps.is_available():
        raise UserError("training.device='mps' but MPS is not available; use 'auto' or 'cpu'")
    return torch.device(name)


@contextlib.contextmanager
def scoped(num_threads: int | None, seed: int, device: torch.device) -> Iterator[None]:
    """Inside: torch's thread count as configured, its RNG seeded with `seed` (initialisation,
    dropout). Afterwards: the caller's thread count and RNG state, as they were."""
    threads = torch.get_num_threads()
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        try:
            if num_threads is not None:
                torch.set_num_threads(num_threads)
            torch.manual_seed(seed)
            yield
        finally:
            torch.set_num_threads(threads)


def set_up_process(device: str) -> None:
    """What `sentiment-rnn train` (and `compare`, which may train) sets for the whole process,
    once, at the entry point: glibc's allocator kept for repeated tensors when training runs on
    the CPU. The library never calls this."""
    if device == "cpu" or (device == "auto" and not torch.cuda.is_available()):
        keep_freed_memory()
