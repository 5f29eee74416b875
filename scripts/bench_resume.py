"""Interrupt a real training run, resume it, and compare with a run never interrupted.

Trains configs/default.yaml (bundled corpus) three ways in a temporary directory:
  1. uninterrupted;
  2. started as a separate process, stopped with SIGINT (or SIGKILL) once epoch --after has
     been checkpointed;
  3. `sentiment-rnn train --resume` of run 2.
Prints both runs' test and dev metrics, best epochs, and the largest weight difference.

    python scripts/bench_resume.py                 # SIGINT after epoch 4
    python scripts/bench_resume.py --signal KILL --after 2
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from safetensors.torch import load_file

from sentiment_rnn.rnn.checkpoint import CHECKPOINT, checkpoint_epoch

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "sentiment_rnn"]


def train_command(output: Path) -> list[str]:
    data = REPO / "data"
    return [
        *CLI, "train", "--config", str(REPO / "configs" / "default.yaml"), "--output", str(output),
        "--set", f"data.train={data / 'train.csv'}", "--set", f"data.dev={data / 'dev.csv'}",
        "--set", f"data.test={data / 'test.csv'}",
    ]


def interrupted_run(root: Path, after: int, sig: signal.Signals) -> tuple[int, int]:
    """Start training, send `sig` once epoch `after` is checkpointed: (exit code, epoch saved)."""
    run = root / "resumed"
    proc = subprocess.Popen(train_command(run), cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    while (checkpoint_epoch(run) or 0) < after:
        if proc.poll() is not None:
            sys.exit(f"training ended before epoch {after}: {proc.stderr.read()}")
        time.sleep(0.02)
    proc.send_signal(sig)
    _, stderr = proc.communicate()
    print(stderr.strip().splitlines()[-1] if stderr.strip() else f"(killed by {sig.name})")
    return proc.returncode, checkpoint_epoch(run)


def summary(run: Path) -> dict:
    metrics = json.loads((run / "metrics.json").read_text())
    return {"test accuracy": metrics["test"]["accuracy"], "test loss": metrics["test"]["loss"],
            "dev accuracy": metrics["dev"]["accuracy"], "best epoch": metrics["best_epoch"],
            "epochs run": metrics["epochs_run"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--after", type=int, default=4, help="interrupt after this epoch")
    parser.add_argument("--signal", choices=["INT", "KILL"], default="INT")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run(train_command(root / "reference"), cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        code, saved = interrupted_run(root, args.after, signal.Signals[f"SIG{args.signal}"])
        print(f"SIG{args.signal}: exit code {code}, checkpoint after epoch {saved}, "
              f"finished run: {(root / 'resumed' / 'meta.json').exists()}")
        subprocess.run([*CLI, "train", "--resume", str(root / "resumed")], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        reference, resumed = summary(root / "reference"), summary(root / "resumed")
        a = load_file(root / "reference" / "model.safetensors")
        b = load_file(root / "resumed" / "model.safetensors")
        gap = max(float((a[key] - b[key]).abs().max()) for key in a)
        print(f"{'':<14} {'uninterrupted':>14} {'resumed':>14}")
        for key in reference:
            print(f"{key:<14} {reference[key]:>14} {resumed[key]:>14}")
        print(f"largest weight difference: {gap}; checkpoint left: "
              f"{(root / 'resumed' / CHECKPOINT).exists()}")


if __name__ == "__main__":
    main()
