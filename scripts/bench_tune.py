"""The tuning target: a study of 20 trials on configs/imdb-quick.yaml, timed, with pruning.

Trial 0 is the shipped config itself (enqueued), so the best trial is compared with it on the same
dev split. `--workers 2` runs two `tune` processes on the one study, one thread each. After the study, the best trial's run is evaluated on the test split, once. Prints
the figures of docs/tuning.md; nothing is asserted. Run it on a quiet machine:

    python scripts/bench_tune.py --data ../shared/datasets/imdb
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import optuna
import yaml

REPO = Path(__file__).resolve().parents[1]


def shipped_settings(config: Path, space: Path) -> dict:
    """The shipped config's value of every key in the space (trial 0 runs exactly it)."""
    raw = yaml.safe_load(config.read_text())
    values = {}
    for key in yaml.safe_load(space.read_text()):
        node = raw
        for part in key.split("."):
            node = node[part]
        values[key] = node
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/datasets/imdb")
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "imdb-quick.yaml")
    parser.add_argument("--space", type=Path, default=REPO / "configs" / "spaces" / "imdb-quick.yaml")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=45, help="minutes")
    parser.add_argument("--study", default="bench-imdb-quick")
    parser.add_argument("--storage", default="sqlite:///bench-tune.db")
    parser.add_argument("--workers", type=int, default=1,
                        help="tune processes sharing the study; with more than one, each trains "
                        "on one thread (two 1-thread trials on 2 cores, rather than one trial "
                        "whose 2 threads stall whenever anything else runs)")
    args = parser.parse_args()

    study = optuna.create_study(study_name=args.study, storage=args.storage,
                                direction="maximize", load_if_exists=True)
    if not study.trials:
        study.enqueue_trial(shipped_settings(args.config, args.space))
    command = ["sentiment-rnn", "tune", "--config", str(args.config), "--set",
               f"data.path={args.data}", "--space", str(args.space), "--trials", str(args.trials),
               "--timeout", str(args.timeout), "--study", args.study, "--storage", args.storage]
    if args.workers > 1:
        command += ["--set", "training.num_threads=1"]
    print("$", " ".join(command), f"(x {args.workers})", flush=True)
    start = time.perf_counter()
    workers = [subprocess.Popen(command) for _ in range(args.workers)]
    if any(worker.wait() != 0 for worker in workers):
        sys.exit("a tune process failed")
    wall = time.perf_counter() - start

    study = optuna.load_study(study_name=args.study, storage=args.storage)
    trials = [t for t in study.trials if not t.user_attrs.get("surplus")]
    pruned: dict[int, int] = {}
    for t in trials:
        if t.state.name == "PRUNED":
            epoch = max(t.intermediate_values)
            pruned[epoch] = pruned.get(epoch, 0) + 1
    finished = [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]
    shipped, best = study.trials[0], study.best_trial
    metric = study.user_attrs.get("metric", "accuracy")
    after = ", ".join(f"{n} after epoch {e}" for e, n in sorted(pruned.items()))
    print(f"wall-clock: {wall / 60:.1f} min for {len(finished)} finished trials "
          f"({sum(t.state.name == 'COMPLETE' for t in trials)} complete, "
          f"{sum(pruned.values())} pruned{': ' + after if after else ''})")
    print(f"shipped config (trial 0): dev {metric} {shipped.value:.4f}")
    print(f"best trial {best.number}: dev {metric} {best.value:.4f} {json.dumps(best.params)}")
    evaluated = subprocess.run(
        ["sentiment-rnn", "evaluate", "--model", best.user_attrs["run_dir"], "--format", "json"],
        check=True, capture_output=True, text=True,
    )
    test = json.loads(evaluated.stdout)
    print(f"best trial, test split (evaluated once, after the study): accuracy "
          f"{test['accuracy']:.4f}, macro-F1 {test['macro_f1']:.4f}")


if __name__ == "__main__":
    sys.exit(main())
