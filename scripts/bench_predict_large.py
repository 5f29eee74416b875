"""Wall time and peak memory of `sentiment-rnn predict` on the largest inputs it is tested with.

Each case runs `python -m sentiment_rnn predict --model RUN --file FILE --format jsonl` as a
fresh process, `--repeat` times: the median wall time and the largest peak resident memory
(ru_maxrss of that process, from os.wait4) are reported. The long texts go through --file
because Linux limits one command-line argument to 128 KiB.

    python scripts/bench_predict_large.py                  # trains configs/default.yaml first
    python scripts/bench_predict_large.py --model runs/latest

Without --model, the bundled default config is trained into a temporary directory (about
10-20 s). Times depend on what else runs on the machine: they are indicative.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "sentiment_rnn"]


def run_measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process; its own rusage, not all children's."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        if proc.returncode != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
            sys.exit(f"{' '.join(command[:6])} ... failed ({proc.returncode}): {message}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def train_default(root: Path) -> Path:
    """Train configs/default.yaml (data paths made absolute) into root/run; runs/ lands in root."""
    data = REPO / "data"
    command = [
        *CLI, "train", "--config", str(REPO / "configs" / "default.yaml"), "--output", str(root / "run"),
        "--set", f"data.train={data / 'train.csv'}", "--set", f"data.dev={data / 'dev.csv'}",
        "--set", f"data.test={data / 'test.csv'}",
    ]
    print("training configs/default.yaml ...", file=sys.stderr)
    subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return root / "run"


def corpus_texts() -> list[str]:
    with open(REPO / "data" / "test.csv", newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def inputs(root: Path) -> dict[str, tuple[Path, str]]:
    """Each case's --file and a description of its size."""
    texts = corpus_texts()
    words = " ".join(texts).split()
    megabyte = []
    size = 0
    while size < 1_000_000:  # real review words, one line
        word = words[len(megabyte) % len(words)]
        megabyte.append(word)
        size += len(word) + 1
    one_mb = " ".join(megabyte)[:1_000_000]
    cases = {
        "one short text": ["this movie is not good"],
        "1 MB text (one line)": [one_mb],
        "10 MB text (one line)": [" ".join([one_mb] * 10)],
        "one word 100,000 times": [" ".join(["good"] * 100_000)],
        "10,000 lines": [texts[i % len(texts)] for i in range(10_000)],
    }
    files = {}
    for number, (name, lines) in enumerate(cases.items()):
        path = root / f"case{number}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[name] = (path, f"{len(lines):,} line(s), {path.stat().st_size / 1e6:.2f} MB")
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="run directory [default: train one]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        model = args.model.resolve() if args.model else train_default(root)
        results = []
        for name, (path, size) in inputs(root).items():
            command = [*CLI, "predict", "--model", str(model), "--file", str(path), "--format", "jsonl"]
            runs = [run_measured(command, root) for _ in range(args.repeat)]
            results.append({
                "input": name, "size": size,
                "wall_seconds": statistics.median(r[0] for r in runs),
                "peak_rss_mb": max(r[1] for r in runs),
            })
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'input':<24} {'size':<26} {'wall s (median)':>15} {'peak RSS MiB':>12}")
    for r in results:
        print(f"{r['input']:<24} {r['size']:<26} {r['wall_seconds']:>15.2f} {r['peak_rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
