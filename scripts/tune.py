"""Hyperparameter search on the dev split only: the test split is never evaluated.

Each --variant is a set of overrides (separated by ';') applied on top of the config; every
variant is trained from scratch and scored on dev after each epoch. One JSON line per variant is
appended to --out, and a table is printed at the end.

    python scripts/tune.py --config configs/imdb.yaml --set data.path=../shared/datasets/imdb \\
        --variant "" --variant "tokenizer.max_length=512" --variant "model.dropout=0.5" \\
        --out tune-imdb.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from sentiment_rnn.config import load_config
from sentiment_rnn.rnn.fit import fit
from sentiment_rnn.rnn.model import count_parameters
from sentiment_rnn.rnn.runtime import resolve_device, scoped, set_up_process
from sentiment_rnn.rnn.train import set_up


def run_variant(config_path: Path, overrides: list[str], variant: str) -> dict:
    """One variant trained with its threads and seed, as `sentiment-rnn train` would."""
    extra = [item.strip() for item in variant.split(";") if item.strip()]
    config = load_config(config_path, overrides + extra)
    set_up_process(config.training.device)  # the allocator, as the train command sets it
    with scoped(config.training.num_threads, config.seed, resolve_device(config.training.device)):
        return train_variant(config, variant, extra)


def train_variant(config, variant: str, extra: list[str]) -> dict:
    start = time.perf_counter()
    device, prepared, model = set_up(config)
    labels = prepared.dataset.labels

    def show(record: dict) -> None:
        print(f"  [{variant or 'as configured'}] epoch {record['epoch']}: dev accuracy "
              f"{record['dev_accuracy']:.4f}, {record['seconds']:.0f} s", flush=True)

    result = fit(model, prepared.train, prepared.dev, labels, config.training, device,
                 config.seed, on_epoch=show)
    history = result.history
    return {
        "variant": variant or "as configured",
        "overrides": extra,
        "dev_accuracy_by_epoch": [round(r["dev_accuracy"], 4) for r in history],
        "best_dev_accuracy": history[result.best_epoch - 1]["dev_accuracy"],  # of the kept epoch
        "best_epoch": result.best_epoch,
        "epochs_run": len(history),
        "seconds_per_epoch": sum(r["seconds"] for r in history) / len(history),
        "tokens_per_second": sum(r["tokens_per_second"] for r in history) / len(history),
        "wall_seconds": time.perf_counter() - start,
        "num_parameters": count_parameters(model),
        "threads": torch.get_num_threads(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--variant", action="append", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    results = []
    for variant in args.variant:
        result = run_variant(args.config, args.overrides, variant)
        results.append(result)
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
    print(f"\n{'variant':<45} {'best dev acc':>12} {'epoch':>6} {'s/epoch':>8}")
    for r in results:
        print(f"{r['variant']:<45} {r['best_dev_accuracy']:>12.4f} {r['best_epoch']:>6} "
              f"{r['seconds_per_epoch']:>8.0f}")


if __name__ == "__main__":
    main()
