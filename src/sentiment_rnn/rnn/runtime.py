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
import os
import sys
import time
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
    """Inside: torch's thread count as configured (None: `usable_cpus()`; not the load-aware
    `auto_threads()`, since the thread count changes floating-point results and a resumed run
    must use the count it started with), its RNG seeded with `seed`. Afterwards: the caller's
    thread count and RNG state."""
    threads = torch.get_num_threads()
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        try:
            torch.set_num_threads(num_threads if num_threads is not None else usable_cpus())
            torch.manual_seed(seed)
            yield
        finally:
            torch.set_num_threads(threads)


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity: taskset, cgroup cpusets), not the
    machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def threads_for(usable: int, others_running: int) -> int:
    """The policy: one thread per usable CPU that no other process keeps busy, at least one.
    The recurrent kernels synchronise their threads at every time step, so a thread sharing
    its core with another process stalls all the others (scripts/bench_threads.py)."""
    return max(1, usable - max(0, others_running))


def others_running(samples: int = 5, interval: float = 0.02) -> int:
    """How many other tasks are runnable right now (/proc/loadavg's running count, less this
    process; the median of a few samples); 0 where that cannot be read."""
    counts = []
    for _ in range(samples):
        try:
            with open("/proc/loadavg", encoding="ascii") as handle:
                running = int(handle.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return 0
        counts.append(running - 1)
        time.sleep(interval)
    return sorted(counts)[len(counts) // 2]


def auto_threads() -> int:
    """The load-aware choice, `threads_for(usable_cpus(), others_running())`: what
    scripts/bench_threads.py measures against fixed counts; not the default (see `scoped`)."""
    return threads_for(usable_cpus(), others_running())


TRAINING_COPIES = 6  # weights, gradients, AdamW's two moments, best weights, checkpoint copy


def memory_limit() -> int:
    """The bytes this process may use: the machine's memory, or less under an address-space
    limit (ulimit -v)."""
    import resource

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return total if soft == resource.RLIM_INFINITY else min(total, soft)


def check_memory(config, vocab_size: int, num_classes: int) -> None:
    """Refuse, before building anything, a model whose training cannot fit in memory
    (`config`: the model section)."""
    from sentiment_rnn.rnn.model import estimate_parameters

    parameters = estimate_parameters(vocab_size, num_classes, config)
    needed, limit = parameters * 4 * TRAINING_COPIES, memory_limit()
    if needed > limit:
        raise UserError(
            f"model: about {parameters:,} parameters (cell {config.cell!r}, hidden_size "
            f"{config.hidden_size}, num_layers {config.num_layers}, embedding_dim "
            f"{config.embedding_dim}) need about {needed / 1e9:,.1f} GB to train, more than the "
            f"{limit / 1e9:,.1f} GB of memory this process may use; make the model smaller"
        )


def set_up_process(device: str) -> None:
    """What `sentiment-rnn train` (and `compare`, which may train) sets for the whole process,
    once, at the entry point: glibc's allocator kept for repeated tensors when training runs on
    the CPU. The library never calls this."""
    if device == "cpu" or (device == "auto" and not torch.cuda.is_available()):
        keep_freed_memory()
