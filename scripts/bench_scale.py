"""Preparation and training at scale: synthetic datasets of 25k / 250k / 1M reviews built from the
real IMDB texts, prepared into the token cache (first run, then a cache hit), then a short
training run; wall time and peak resident memory of each, as separate processes.

    python scripts/bench_scale.py                                   # 25000 250000 1000000
    python scripts/bench_scale.py --sizes 2000 --batches 20         # a check that it works
    python scripts/bench_scale.py --workdir /data/bench --imdb ../shared/datasets/imdb
    python scripts/bench_scale.py --fit-texts 250000   # vocabulary from 250,000 drawn training texts

Data: the 25,000 labelled training reviews and the 50,000 unlabelled ones of IMDB (unlabelled
ones get a seeded random label: this measures speed and memory, not accuracy); each synthetic
review is one of them with its sentences shuffled and, one time in four, one sentence dropped.
One CSV per size under --workdir (default /tmp/sentiment-rnn-bench-scale; never the repository),
kept for later runs. The run: `configs/imdb-quick.yaml` with that CSV as `data.train`, 2% carved
for dev and 2% for test.

Each measured step is its own process, started by a small launcher that reads the step's peak
resident memory from wait4 (the peak of a process forked from a large one would include its
parent's pages). Steps:
  prepare (miss)  read + build the tokenizer + tokenize into an empty cache (`prepare_tokens`)
  prepare (hit)   the same again: read from the cache
  train           `train()` on the cached data, one epoch capped at --batches training batches
                  (dev and test scored whole), the run directory written under --workdir
Peak memory (ru_maxrss) counts the pages of the memory-mapped cache that a step has mapped: page
cache the kernel can take back, not allocations. Right after preparation the whole ids file is in
the page cache, and each page fault of a batch maps the cached pages around it too (the kernel's
fault-around), so training's RSS grows with the file while its allocations do not; the "anon"
column is the peak of RssAnon (sampled every 50 ms), the process's own memory. Targets: 1M reviews prepared in <= 5 min at <= 2 GB,
a cache hit in <= 5 s, memory flat in the number of reviews. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"prepare_seconds": 300, "prepare_bytes": 2 << 30, "hit_seconds": 5}
LAUNCHER = """
import os, resource, sys, time
report, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.execv(argv[0], argv)
anon = 0  # RssAnon, sampled: the process's own allocations, without mapped file pages
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    try:
        with open(f"/proc/{pid}/status") as proc_status:
            for line in proc_status:
                if line.startswith("RssAnon:"):
                    anon = max(anon, int(line.split()[1]) * 1024)
    except OSError:
        pass
    time.sleep(0.05)
with open(report, "w") as handle:
    handle.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024} {anon}")
"""


def base_reviews(imdb: Path) -> list[tuple[str, str]]:
    rng = random.Random(0)
    rows = []
    for name in ("train.csv.gz", "unsup.csv.gz"):
        with gzip.open(imdb / name, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append((row["text"], row["label"] or rng.choice(["neg", "pos"])))
    return rows


def write_synthetic(path: Path, size: int, base: list[tuple[str, str]], seed: int = 1) -> None:
    """`size` reviews, each a base review with its sentences shuffled (written once, then kept)."""
    if path.exists():
        return
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for _ in range(size):
            text, label = base[rng.randrange(len(base))]
            sentences = text.split(". ")
            rng.shuffle(sentences)
            if len(sentences) > 2 and rng.random() < 0.25:
                sentences.pop()
            writer.writerow([". ".join(sentences), label])
    tmp.rename(path)


def bench_config(train_csv: Path, fit_texts: int | None) -> dict:
    import yaml

    config = yaml.safe_load((REPO / "configs" / "imdb-quick.yaml").read_text(encoding="utf-8"))
    config["tokenizer"]["fit_texts"] = fit_texts
    config["data"] = {"source": "files", "train": str(train_csv), "dev": None, "test": None,
                      "dev_fraction": 0.02, "test_fraction": 0.02}
    config["training"].update(epochs=1, device="cpu", patience=None)
    return config


def measured(step: list[str], workdir: Path, env: dict) -> dict:
    """Run a child step through the launcher: its JSON line, wall seconds and peak RSS."""
    report = workdir / f".peak-{os.getpid()}"
    argv = [sys.executable, "-c", LAUNCHER, str(report), sys.executable, __file__, *step]
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **env})
    wall = time.perf_counter() - started
    status, peak, anon = map(int, report.read_text().split())
    report.unlink()
    if status != 0:
        raise SystemExit(f"step {step[:2]} failed ({status}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**result, "wall_seconds": wall, "peak_bytes": peak, "peak_anon_bytes": anon}


def child_prepare(config_path: Path) -> None:
    from sentiment_rnn.config import validate_config
    from sentiment_rnn.data.tokens import prepare_tokens

    config = validate_config(json.loads(config_path.read_text()), "bench").with_absolute_paths()
    started = time.perf_counter()
    tokens = prepare_tokens(config)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "hit": tokens.hit,
                      "examples": {name: len(split.ids) for name, split in tokens.splits.items()}}))


def child_train(config_path: Path, batches: int, output: Path) -> None:
    from itertools import islice

    import sentiment_rnn.rnn.distributed as distributed
    from sentiment_rnn.config import validate_config
    from sentiment_rnn.rnn.train import train

    every_step = distributed.shares  # what rnn/fit.py's training epoch iterates (training only)

    def capped(sequences, labels, batch_size, generator):
        return islice(every_step(sequences, labels, batch_size, generator), batches)

    distributed.shares = capped
    config = validate_config(json.loads(config_path.read_text()), "bench")
    started = time.perf_counter()
    _, metrics = train(config, output, force=True)
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "dev_accuracy": metrics["dev"]["accuracy"]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 250_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sentiment-rnn-bench-scale"))
    parser.add_argument("--imdb", type=Path, default=REPO.parent / "shared" / "datasets" / "imdb")
    parser.add_argument("--batches", type=int, default=300, help="training batches per run")
    parser.add_argument("--fit-texts", type=int, default=None,
                        help="tokenizer.fit_texts: fit the vocabulary on this many training texts")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, config_path, *rest = args.child
        if step == "prepare":
            child_prepare(Path(config_path))
        else:
            child_train(Path(config_path), int(rest[0]), Path(rest[1]))
        return
    if REPO in args.workdir.resolve().parents or args.workdir.resolve() == REPO:
        raise SystemExit(f"--workdir {args.workdir} is inside the repository; use /tmp or elsewhere")
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = None
    rows = []
    for size in args.sizes:
        train_csv = args.workdir / f"reviews-{size}.csv"
        if not train_csv.exists():
            base = base or base_reviews(args.imdb)
            write_synthetic(train_csv, size, base)
        config_path = args.workdir / f"config-{size}.json"
        config_path.write_text(json.dumps(bench_config(train_csv, args.fit_texts)))
        cache_dir = args.workdir / f"cache-{size}"
        shutil.rmtree(cache_dir, ignore_errors=True)
        env = {"SENTIMENT_RNN_CACHE": str(cache_dir), "PYTHONPATH": str(REPO / "src")}
        miss = measured(["--child", "prepare", str(config_path)], args.workdir, env)
        hit = measured(["--child", "prepare", str(config_path)], args.workdir, env)
        assert not miss["hit"] and hit["hit"], (miss, hit)
        run = args.workdir / f"run-{size}"
        trained = measured(["--child", "train", str(config_path), str(args.batches), str(run)],
                           args.workdir, env)
        rows.append((size, train_csv.stat().st_size, miss, hit, trained))
        report(rows, args.batches)


def report(rows: list, batches: int) -> None:
    mib = 2**20
    print(f"\n{'reviews':>9} {'csv MiB':>8} | {'prepare s':>9} {'peak MiB':>8} | {'hit s':>6} "
          f"{'peak MiB':>8} | {'train s':>7} {'peak MiB':>8} {'anon MiB':>8}   (train: {batches} batches;"
          " anon: the peak of RssAnon, sampled every 50 ms)")
    for size, csv_bytes, miss, hit, trained in rows:
        print(f"{size:>9,} {csv_bytes / mib:>8,.0f} | {miss['seconds']:>9.1f} {miss['peak_bytes'] / mib:>8,.0f} | "
              f"{hit['seconds']:>6.2f} {hit['peak_bytes'] / mib:>8,.0f} | {trained['seconds']:>7.1f} "
              f"{trained['peak_bytes'] / mib:>8,.0f} {trained['peak_anon_bytes'] / mib:>8,.0f}")
    size, _, miss, hit, _ = rows[-1]
    print(f"targets (1M reviews): prepare <= {TARGETS['prepare_seconds']} s at <= "
          f"{TARGETS['prepare_bytes'] / mib:,.0f} MiB; a hit <= {TARGETS['hit_seconds']} s; "
          f"largest here ({size:,}): prepare {miss['seconds']:.1f} s at {miss['peak_bytes'] / mib:,.0f} MiB, "
          f"hit {hit['seconds']:.2f} s (wall, with imports: {hit['wall_seconds']:.1f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
