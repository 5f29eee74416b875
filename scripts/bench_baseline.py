"""The bag-of-words baselines on IMDB: test accuracy and fit seconds, through the project's code.

The data path is the one `sentiment-rnn train --config configs/imdb.yaml` takes:
`data.load_dataset` with `data.source: imdb`, so a stratified, seeded 10% dev split is carved
from the 25,000 training reviews and both models fit on the remaining 22,500. The fit time covers
everything from raw texts to a fitted model (normalising, counting n-grams, the classifier).

    python scripts/bench_baseline.py                 # both kinds, the tuned settings below
    python scripts/bench_baseline.py --json          # one JSON object
    python scripts/bench_baseline.py --tune          # the grid on the DEV split (never test)
    python scripts/bench_baseline.py --kind nbsvm --set baseline.C=1.0

IMDB comes from ../shared/datasets/imdb/{train,test}.csv.gz (or $SENTIMENT_RNN_DATASETS/imdb);
without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from sentiment_rnn.baseline.model import (
    BaselineModel,
    evaluate_split,
    fit_baseline,
    fit_counts,
    fit_linear,
    text_settings,
)
from sentiment_rnn.config import BaselineConfig, Config, validate_config
from sentiment_rnn.config_file import apply_override
from sentiment_rnn.data.dataset import Dataset, load_dataset

IMDB = Path(os.environ.get("SENTIMENT_RNN_DATASETS", "../shared/datasets")) / "imdb"
# Chosen with --tune on the dev split (see docs/compare.md); the config defaults should match.
TUNED = {
    "tfidf_logreg": {"ngram_range": [1, 3], "min_df": 3, "C": 16.0},
    "nbsvm": {"ngram_range": [1, 3], "min_df": 3, "C": 0.3, "nb_alpha": 0.5},
}
GRID = {
    "text": [{"ngram_range": [1, 2], "min_df": 1}, {"ngram_range": [1, 2], "min_df": 2},
             {"ngram_range": [1, 3], "min_df": 2}, {"ngram_range": [1, 3], "min_df": 3}],
    "tfidf_logreg": [{"C": c} for c in (4.0, 8.0, 16.0, 32.0, 64.0)],
    "nbsvm": [{"C": c, "nb_alpha": a} for c, a in itertools.product((0.1, 0.3, 1.0, 3.0), (0.5, 1.0))],
}


def imdb_config(kind: str, overrides: list[str]) -> Config:
    raw = {  # configs/imdb.yaml's data section, with data.path at the CSV form
        "name": "imdb", "data": {"source": "imdb", "path": str(IMDB), "dev_fraction": 0.1},
        "baseline": {"kind": kind, **TUNED[kind]},
    }
    for item in overrides:
        apply_override(raw, item)
    return validate_config(raw, source="bench_baseline")


def bench(config: Config, dataset: Dataset) -> dict:
    start = time.perf_counter()
    model = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    test = evaluate_split(model, dataset.test)
    predict_seconds = time.perf_counter() - start
    return {
        "kind": config.baseline.kind, "settings": config.baseline.model_dump(mode="json"),
        "fit_seconds": round(fit_seconds, 2), "dev_accuracy": evaluate_split(model, dataset.dev)["accuracy"],
        "test_accuracy": test["accuracy"], "test_macro_f1": test["macro_f1"], "test_log_loss": test["loss"],
        "test_texts_per_second": round(len(dataset.test) / predict_seconds),
        "num_features": len(model.vocabulary), "num_parameters": model.num_parameters,
    }


def tune(kind: str, dataset: Dataset, seed: int) -> list[dict]:
    """Every grid point scored on the dev split: counts once per text setting, then each C."""
    y = np.array([dataset.labels.index(label) for label in dataset.train.labels])
    rows = []
    for text in GRID["text"]:
        counts, vocabulary = fit_counts(dataset.train.texts, BaselineConfig(kind=kind, **text))
        for classifier in GRID[kind]:
            config = BaselineConfig(kind=kind, **text, **classifier)
            arrays, link = fit_linear(counts, y, len(dataset.labels), config, seed)
            model = BaselineModel({**text_settings(config), "link": link}, dataset.labels, vocabulary, arrays)
            dev = evaluate_split(model, dataset.dev)
            row = {**text, **classifier, "dev_accuracy": dev["accuracy"], "dev_log_loss": dev["loss"]}
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return sorted(rows, key=lambda row: (-row["dev_accuracy"], row["dev_log_loss"]))


def machine() -> dict:
    return {
        "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["tfidf_logreg", "nbsvm", "both"], default="both")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. baseline.C=1.0 (repeatable)")
    parser.add_argument("--tune", action="store_true", help="score the grid on the dev split")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (IMDB / "train.csv.gz").is_file() or not (IMDB / "test.csv.gz").is_file():
        print(f"skipped: IMDB not found under {IMDB} (set SENTIMENT_RNN_DATASETS)")
        return
    kinds = ["tfidf_logreg", "nbsvm"] if args.kind == "both" else [args.kind]
    configs = [imdb_config(kind, args.set) for kind in kinds]
    dataset = load_dataset(configs[0].data, configs[0].seed)  # the same splits for every kind
    result = {"data": str(IMDB), "train": len(dataset.train), "dev": len(dataset.dev),
              "test": len(dataset.test), "machine_before": machine()}
    if args.tune:
        result["tuning"] = {kind: tune(kind, dataset, configs[0].seed)[:5] for kind in kinds}
    else:
        result["results"] = [bench(config, dataset) for config in configs]
    result["machine_after"] = machine()
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"IMDB: {result['train']:,} train / {result['dev']:,} dev (carved) / {result['test']:,} test; "
          f"load average {result['machine_before']['load_average']} -> {result['machine_after']['load_average']}")
    for kind, rows in result.get("tuning", {}).items():
        print(f"{kind}: best on dev")
        for row in rows:
            print("   ", row)
    for row in result.get("results", []):
        print(f"{row['kind']:>13}: test accuracy {row['test_accuracy']:.4f} (dev {row['dev_accuracy']:.4f}), "
              f"fit {row['fit_seconds']:.1f} s, {row['num_features']:,} features, "
              f"{row['test_texts_per_second']:,} texts/s")


if __name__ == "__main__":
    main()
