"""Peak resident memory and wall-clock time of the memory cases of issue 16, at full size.

Each case is one `python -m sentiment_rnn ...` process, measured with wait4 (peak RSS of that
process alone), under an address-space ceiling (--cap, default 6 GiB) and a timeout, so that the
code before the fix can be measured without taking the machine down: a case that hits the
ceiling shows as "cap" (its exit status and the last line of stderr say how it ended).

    python scripts/bench_reliability_memory.py                      # the code of this checkout
    git worktree add /tmp/before <commit-before-the-fix>
    python scripts/bench_reliability_memory.py --src /tmp/before/src --label before
    python scripts/bench_reliability_memory.py --json figures.json  # the figures as JSON too

Memory, unlike time, hardly depends on what else runs on the machine; times are indicative.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIB = 1 << 20


def measure(args: list[str], src: Path, cwd: Path, cap: int, timeout: float,
            stdin_path: Path | None = None) -> dict:
    """Run one process; its exit status, wall-clock seconds, peak RSS and last stderr line."""
    env = {**os.environ, "PYTHONPATH": str(src)}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    # stdin through a pipe, as `cat FILE | sentiment-rnn ...` (st_size of a pipe is 0)
    feeder = subprocess.Popen(["cat", str(stdin_path)], stdout=subprocess.PIPE) if stdin_path else None
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "sentiment_rnn", *args], cwd=cwd, env=env,
                                stdin=feeder.stdout if feeder else subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, preexec_fn=limit)
        if feeder:
            feeder.stdout.close()  # the child holds the pipe now
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
        if feeder:
            feeder.kill()
            feeder.wait()
        err.seek(0)
        lines = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
    code = os.waitstatus_to_exitcode(status)
    last = lines[-1] if lines else ""
    hit_cap = "MemoryError" in last or "memory" in last.lower() and code not in (0, 1)
    return {"exit": code, "seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024),
            "timed_out": timed_out, "hit_cap": hit_cap, "last_line": last[:160]}


def make_inputs(work: Path, run: Path, scale: float) -> dict[str, tuple[list[str], Path | None]]:
    """Every case: (arguments, file for stdin or None)."""
    def size(n: float) -> int:
        return max(1, int(n * scale))

    cases: dict[str, tuple[list[str], Path | None]] = {}
    cases["config from /dev/zero"] = (["config", "validate", "--config", "/dev/zero"], None)

    big_yaml = work / "big.yaml"
    with open(big_yaml, "w") as handle:
        handle.write((REPO / "configs" / "default.yaml").read_text())
        for _ in range(size(50 * MIB) // 64):
            handle.write(f"# {'x' * 59}\n")
    cases["50 MB YAML via /dev/stdin"] = (["config", "validate", "--config", "/dev/stdin"], big_yaml)

    bomb = work / "train.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(b"text,label\n")
        row = b"a film of no merit whatsoever,negative\n" * (MIB // 40)
        for _ in range(size(1024)):
            handle.write(row)
    cases[f"gzip bomb ({bomb.stat().st_size / MIB:.1f} MB .gz)"] = (
        ["data", "--set", f"data.train={bomb}"], None)

    def damaged(name: str, damage) -> Path:
        copy = work / name
        subprocess.run(["cp", "-r", str(run), str(copy)], check=True)
        damage(copy)
        return copy

    def big_meta(copy: Path) -> None:
        target = work / "huge.json"
        with open(target, "wb") as handle:  # valid JSON: a long string
            handle.write(b'{"x": "')
            for _ in range(size(1024)):
                handle.write(b"a" * MIB)
            handle.write(b'"}')
        (copy / "meta.json").unlink()
        (copy / "meta.json").symlink_to(target)

    def big_tokenizer(copy: Path) -> None:
        data = json.loads((copy / "tokenizer.json").read_text())
        vocab = data["model"]["vocab"]
        for i in range(size(4_000_000)):
            vocab[f"padword{i}"] = len(vocab)
        (copy / "tokenizer.json").write_text(json.dumps(data))

    def many_labels(copy: Path) -> None:
        (copy / "labels.json").write_text(json.dumps([f"l{i}" for i in range(size(10_000_000))]))

    for name, damage in (("meta.json -> 1 GB file", big_meta),
                         ("100 MB tokenizer.json", big_tokenizer),
                         ("labels.json with 10^7 labels", many_labels)):
        copy = damaged(name.split()[0].replace(".", "_") + "_run", damage)
        cases[name] = (["predict", "--model", str(copy), "good film"], None)

    cases["hidden 8192, 8 layers, embedding 4096"] = (
        ["train", "--set", "model.hidden_size=8192", "--set", "model.num_layers=8",
         "--set", "model.embedding_dim=4096", "--set", "training.epochs=1",
         "--output", str(work / "huge-run")], None)

    cell = work / "cell.csv"
    with open(cell, "w") as handle:
        handle.write("text,label\n")
        handle.write("\"" + "the plot was superb " * (size(50 * MIB) // 20) + "\",positive\n")
        for i in range(200):
            handle.write(f"the cast was {'dull' if i % 2 else 'great'},{'negative' if i % 2 else 'positive'}\n")
    cases["50 MB text cell (data)"] = (["data", "--set", f"data.train={cell}"], None)

    lines = work / "lines.txt"
    lines.write_text("the plot was superb but the ending was not\n" * size(200_000))
    cases["predict 200,000 lines from stdin"] = (
        ["predict", "--model", str(run), "--file", "-", "--format", "jsonl"], lines)
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the package's src folder")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--cap", type=float, default=6.0, help="address-space ceiling, GiB")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--scale", type=float, default=1.0, help="shrink every input (quick check)")
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    cap = int(args.cap * (1 << 30))
    with tempfile.TemporaryDirectory(prefix="bench-reliability-") as tmp:
        work = Path(tmp)
        run = work / "run"
        trained = subprocess.run(
            [sys.executable, "-m", "sentiment_rnn", "train", "--set", "training.epochs=1",
             "--output", str(run)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(args.src)},
            capture_output=True, text=True)
        if trained.returncode != 0:
            sys.exit(f"could not train the run to measure with:\n{trained.stderr[-2000:]}")
        results = {}
        for name, (case_args, stdin) in make_inputs(work, run, args.scale).items():
            if args.only and args.only not in name:
                continue
            results[name] = measure(case_args, args.src, REPO, cap, args.timeout, stdin)
            r = results[name]
            state = "timeout" if r["timed_out"] else f"exit {r['exit']}"
            print(f"{name:<42} {r['peak_rss_mib']:>7,} MiB {r['seconds']:>8.1f} s  {state:<8} "
                  f"{r['last_line'][:70]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"label": args.label, "src": str(args.src),
                                         "cap_gib": args.cap, "scale": args.scale,
                                         "results": results}, indent=2))


if __name__ == "__main__":
    main()
