"""Issue 16, busy machines: the thread count comes from the CPUs the process may use and from
how many of them other processes keep busy. Throughput under load is measured, not asserted,
by scripts/bench_threads.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reliability_support import command, write_config
from sentiment_rnn.rnn.runtime import threads_for, usable_cpus


def train_on(cpus: set[int], config, tmp_path, threads: str) -> str:
    """stderr of a real `train` process limited to `cpus` (its affinity, as taskset sets)."""
    done = subprocess.run(
        command("train", "--config", config, "--set", f"training.num_threads={threads}",
                "--output", tmp_path / f"run-{threads}"),
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: os.sched_setaffinity(0, cpus),
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs os.sched_setaffinity")
def test_the_thread_count_follows_the_cpus_the_process_may_use(tmp_path) -> None:
    config = write_config(tmp_path, training={"epochs": 1})
    first = min(os.sched_getaffinity(0))
    assert ", 1 thread\n" in train_on({first}, config, tmp_path, "null")
    # an explicit setting is the user's choice, kept as it is
    assert ", 2 threads\n" in train_on({first}, config, tmp_path, "2")


@pytest.mark.parametrize(("usable", "others", "expected"),
                         [(2, 0, 2), (2, 1, 1), (2, 7, 1), (8, 3, 5), (1, 0, 1), (4, -1, 4)])
def test_the_thread_policy_leaves_busy_cpus_alone(usable, others, expected) -> None:
    assert threads_for(usable, others) == expected


def test_usable_cpus_is_the_affinity() -> None:
    if hasattr(os, "sched_getaffinity"):
        assert usable_cpus() == len(os.sched_getaffinity(0))
    else:
        assert usable_cpus() == (os.cpu_count() or 1)
    assert sys.platform != "linux" or usable_cpus() >= 1
