"""Markdown tables from the outputs of `scripts/bench_imdb.sh` (the figures of docs/benchmarks.md).

    python scripts/summarize_bench.py runs/bench-imdb
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path


def time_report(path: Path) -> dict:
    """Wall-clock seconds and peak resident memory (MB) from a `/usr/bin/time -v` report."""
    text = path.read_text()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = sum(float(part) * 60**i for i, part in enumerate(reversed(wall.split(":"))))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return {"wall": seconds, "rss_mb": rss_kb / 1024}


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def run_figures(out: Path, name: str) -> dict:
    run = out / name
    metrics = json.loads((run / "metrics.json").read_text())
    history = [json.loads(line) for line in (run / "history.jsonl").read_text().splitlines()]
    timed = time_report(out / f"train-{name}.time")
    return {
        "test": metrics["test"]["accuracy"], "dev": metrics["dev"]["accuracy"],
        "best_epoch": metrics["best_epoch"], "epochs": metrics["epochs_run"],
        "epoch_seconds": statistics.mean(r["seconds"] for r in history),
        "tokens_per_second": statistics.mean(r["tokens_per_second"] for r in history),
        **timed,
    }


def last_json(path: Path) -> dict:
    text = path.read_text()
    return json.loads(text[text.index("{"):])


def main(out: Path) -> None:
    full = run_figures(out, "imdb")
    seeds = {seed: run_figures(out, f"imdb-quick-seed{seed}") for seed in (13, 14, 15)}
    print("| config | seed | test accuracy | dev accuracy | best epoch | s/epoch | tokens/s | "
          "wall-clock | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = [("imdb.yaml", 13, full)] + [("imdb-quick.yaml", s, f) for s, f in seeds.items()]
    for config, seed, f in rows:
        print(f"| {config} | {seed} | {100 * f['test']:.2f}% | {100 * f['dev']:.2f}% | "
              f"{f['best_epoch']} of {f['epochs']} | {f['epoch_seconds']:.0f} | "
              f"{f['tokens_per_second']:,.0f} | {minutes(f['wall'])} | {f['rss_mb'] / 1024:.2f} GiB |")
    tests = [100 * f["test"] for f in seeds.values()]
    print(f"\nimdb-quick.yaml over 3 seeds: test {statistics.mean(tests):.2f} ± "
          f"{statistics.stdev(tests):.2f}% (mean ± sd), wall-clock "
          f"{minutes(statistics.mean(f['wall'] for f in seeds.values()))} on average\n")

    evaluation = last_json(out / "evaluate-imdb.log")
    timed = time_report(out / "evaluate-imdb.time")
    print(f"evaluate: {evaluation['num_examples']:,} reviews, accuracy {evaluation['accuracy']:.4f}; "
          f"prediction {evaluation['texts_per_second']:,.0f} reviews/s "
          f"({evaluation['predict_seconds']:.1f} s); whole command {timed['wall']:.1f} s, "
          f"peak RSS {timed['rss_mb']:,.0f} MiB")
    lines = (out / "short-texts.txt").read_text().count("\n")
    timed = time_report(out / "predict-file-imdb.time")
    print(f"predict --file: {lines:,} short texts, whole command {timed['wall']:.1f} s "
          f"({lines / timed['wall']:,.0f} texts/s including start-up), "
          f"peak RSS {timed['rss_mb']:,.0f} MiB\n")

    print("| config | model | project tokens/s | tutorial (packed) tokens/s | ratio | "
          "max logit change under padding |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("imdb", "imdb-quick"):
        bench = last_json(out / f"bench-train-{name}.log")
        print(f"| {name}.yaml | {bench['model']} | {bench['project']['tokens_per_second']:,.0f} | "
              f"{bench['tutorial']['tokens_per_second']:,.0f} | {bench['speedup']:.0f}× | "
              f"{bench['padding_max_logit_change']:.1e} |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "runs/bench-imdb"))
