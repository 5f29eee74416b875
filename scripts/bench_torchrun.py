"""Training throughput: 1 process x 2 threads against `torchrun --nproc_per_node=2` x 1 thread.

Both train the same config on the same reviews for the same number of optimizer steps (the
same global batches: `training.batch_size` is the global batch under torchrun), through the real
command line, and the figure is the history's tokens/s (real tokens of the whole global batch
per second of the training epoch, dev evaluation and start-up excluded), averaged over epochs.
On a 2-core CPU this shows the overhead of the gradient all-reduce, not a speed-up.

The reviews: the first --reviews rows of ../shared/datasets/imdb/train.csv.gz when present
(SENTIMENT_RNN_DATASETS moves it), else of the bundled corpus (data/train.csv); dev is the next
--dev rows. They are written to a temporary folder, never into the repository.

    python scripts/bench_torchrun.py                                   # imdb-quick, 4,000 reviews
    python scripts/bench_torchrun.py --config configs/default.yaml --reviews 2000 --epochs 2
    python scripts/bench_torchrun.py --reviews 200 --dev 50 --epochs 1 --json   # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from sentiment_rnn.config import load_config

IMDB = Path(os.environ.get("SENTIMENT_RNN_DATASETS", "../shared/datasets")) / "imdb" / "train.csv.gz"
BUNDLED = Path("data/train.csv")


def write_data(folder: Path, reviews: int, dev: int, seed: int) -> tuple[dict, str]:
    """train.csv and dev.csv under `folder`; the config's data section and where they came from."""
    source = IMDB if IMDB.is_file() else BUNDLED
    frame = pd.read_csv(source).sample(frac=1.0, random_state=seed)
    if len(frame) < reviews + dev:
        raise SystemExit(f"{source}: {len(frame):,} rows, fewer than --reviews + --dev")
    paths = {"train": folder / "train.csv", "dev": folder / "dev.csv"}
    frame.iloc[:reviews].to_csv(paths["train"], index=False)
    frame.iloc[reviews : reviews + dev].to_csv(paths["dev"], index=False)
    data = {"source": "files", "train": str(paths["train"]), "dev": str(paths["dev"]),
            "test": None, "test_fraction": 0.0}
    return data, str(source)


def run(command: list[str], cwd: Path, env: dict) -> tuple[list[dict], float]:
    """Run one training command; its history and its wall-clock seconds (start-up included)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    output = cwd / "run"
    history = [json.loads(line) for line in (output / "history.jsonl").read_text().splitlines()]
    return history, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("configs/imdb-quick.yaml"))
    parser.add_argument("--reviews", type=int, default=4000)
    parser.add_argument("--dev", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    config = yaml.safe_load(load_config(args.config, None).to_yaml())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(Path(__file__).resolve().parents[1] / "src"), os.environ.get("PYTHONPATH")]))}
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-torchrun-") as tmp:
        folder = Path(tmp)
        config["data"], source = write_data(folder, args.reviews, args.dev, config["seed"])
        config["training"].update({"epochs": args.epochs, "patience": None, "device": "cpu"})
        setups = {
            "1 process x 2 threads": (2, [sys.executable, "-m", "sentiment_rnn"]),
            "2 processes x 1 thread": (1, [sys.executable, "-m", "torch.distributed.run",
                                           "--standalone", "--nproc_per_node=2", "-m", "sentiment_rnn"]),
        }
        for name, (threads, launcher) in setups.items():
            config["training"]["num_threads"] = threads
            path = folder / f"{threads}.yaml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            workdir = folder / f"work-{threads}"
            workdir.mkdir()
            history, wall = run([*launcher, "train", "--config", str(path), "--output", "run"], workdir, env)
            rates = [record["tokens_per_second"] for record in history]
            results[name] = {
                "tokens_per_second": sum(rates) / len(rates),
                "epoch_seconds": [record["seconds"] for record in history],
                "wall_seconds": wall,
                "final_train_loss": history[-1]["train_loss"],
            }
    report = {"config": str(args.config), "reviews": args.reviews, "source": source,
              "epochs": args.epochs, "cpu": platform.processor() or platform.machine(),
              "results": results}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.config}: {args.reviews:,} reviews from {source}, {args.epochs} epoch(s), "
          f"batch {config['training']['batch_size']} (global)")
    for name, figures in results.items():
        print(f"  {name:24s} {figures['tokens_per_second']:>10,.0f} tokens/s   "
              f"(wall {figures['wall_seconds']:.1f} s with start-up, final train loss "
              f"{figures['final_train_loss']:.4f})")


if __name__ == "__main__":
    main()
