"""Training throughput on a busy machine: fixed thread counts against the automatic choice.

The recurrent kernels synchronise their threads at every time step, so a thread that shares its
core with another process stalls all the others. This measures real tokens/s of `sentiment-rnn
train` (the summary line of each epoch; the first epoch is a warm-up and is left out) with
`training.num_threads` 1, 2 (or the CPUs this process may use) and the load-aware choice of
`sentiment_rnn.rnn.runtime.auto_threads()` made once the load is running (docs/design.md,
"Threads"), while the machine is

    quiet        nothing else running
    one busy     one process spinning on one core (python -c "while True: pass")
    torch        a second training process of the same model, with its own default threads

    python scripts/bench_threads.py                    # default config, 4 epochs per run
    python scripts/bench_threads.py --config configs/gru.yaml --epochs 3 --json threads.json

Run it in a quiet window: other work on the machine is exactly what it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RATE = re.compile(r"^epoch\s+(\d+)\s.*?([\d,]+) tok/s", re.MULTILINE)
THREADS = re.compile(r"(\d+) threads?\b")


def train_command(config: Path, epochs: int, threads: str, output: Path) -> list[str]:
    return [sys.executable, "-m", "sentiment_rnn", "train", "--config", str(config),
            "--set", f"training.epochs={epochs}", "--set", f"training.num_threads={threads}",
            "--set", "training.patience=null", "--set", "training.device=cpu",
            "--output", str(output)]


def start_load(kind: str, config: Path, work: Path) -> subprocess.Popen | None:
    if kind == "quiet":
        return None
    if kind == "one busy":
        return subprocess.Popen([sys.executable, "-c", "while True: pass"])
    command = train_command(config, 1000, "null", work / "competitor")  # its own default
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def settle(limit: float = 0.5, patience: float = 240) -> None:
    """Before the quiet runs: wait (up to `patience` s) for the 1-minute load average to fall
    below `limit`, so that the load-aware choice sees the quiet it is measured in (the average
    lags: right after other work it still says the cores are busy)."""
    deadline = time.monotonic() + patience
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)


def measure(config: Path, epochs: int, threads: str, load: str, work: Path) -> dict:
    if load == "quiet":
        settle()
    competitor = start_load(load, config, work)
    try:
        if competitor is not None:
            time.sleep(5)  # let it reach its steady state (and the load average rise a little)
        count = threads
        if threads == "auto":
            from sentiment_rnn.rnn.runtime import auto_threads

            count = str(auto_threads())
        out = work / f"run-{threads}-{load.replace(' ', '-')}"  # "auto" may choose 1 or 2: its own
        done = subprocess.run(train_command(config, epochs, count, out), cwd=REPO,
                              capture_output=True, text=True)
    finally:
        if competitor is not None:
            competitor.kill()
            competitor.wait()
    if done.returncode != 0:
        sys.exit(f"train failed:\n{done.stderr[-2000:]}")
    rates = [float(rate.replace(",", "")) for epoch, rate in RATE.findall(done.stderr) if int(epoch) > 1]
    chosen = THREADS.search(done.stderr)
    return {"threads_setting": threads, "load": load, "threads_used": int(chosen.group(1)) if chosen else None,
            "tokens_per_second": statistics.median(rates) if rates else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "default.yaml")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    usable = len(os.sched_getaffinity(0))
    settings = ["1", str(max(2, usable)), "auto"]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
        for load in ("quiet", "one busy", "torch"):
            for threads in settings:
                result = measure(args.config.resolve(), args.epochs, threads, load, Path(tmp))
                results.append(result)
                rate = result["tokens_per_second"]
                print(f"{load:<9} num_threads={threads:<5} used {result['threads_used']}  "
                      f"{'-' if rate is None else f'{rate:,.0f}'} tokens/s", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"usable_cpus": usable, "results": results}, indent=2))


if __name__ == "__main__":
    main()
