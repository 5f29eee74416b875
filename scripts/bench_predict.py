"""Cold start of `sentiment-rnn predict` for one sentence: ONNX and torch paths, and `import torch`.

Each command runs as a fresh process, `--repeat` times (at least 7), the three interleaved so
that a busy moment hits all of them alike; medians are reported. With a run that has `model.onnx`
(`sentiment-rnn export`), `predict` uses onnxruntime and imports no torch; `--backend torch`
times the torch path on the same run. The issue's target: ONNX predict <= 0.3 s median and
<= 0.3x `python -c "import torch"`.

    python scripts/bench_predict.py --model runs/latest            # after sentiment-rnn export
    python scripts/bench_predict.py --model runs/latest --json
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/latest", help="run directory")
    parser.add_argument("--text", default="this movie is not good")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.repeat < 7:
        parser.error("--repeat: at least 7 runs, so that the median means something")
    cli = shutil.which("sentiment-rnn")
    predict = [cli] if cli else [sys.executable, "-m", "sentiment_rnn"]
    predict += ["predict", "--model", args.model, args.text]
    commands = {"import_torch": [sys.executable, "-c", "import torch"],
                "predict_torch": [*predict, "--backend", "torch"]}
    if (Path(args.model) / "model.onnx").is_file():
        commands["predict_onnx"] = [*predict, "--backend", "onnx"]
    else:
        print(f"{args.model} has no model.onnx: run `sentiment-rnn export --model {args.model}` "
              "to time the ONNX path too", file=sys.stderr)
    for command in commands.values():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # warm the file cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            times[name].append(seconds(command))
    result = {f"{name}_seconds": statistics.median(values) for name, values in times.items()}
    result["repeat"] = args.repeat
    torch_import = result["import_torch_seconds"]
    for name in ("predict_torch", "predict_onnx"):
        if f"{name}_seconds" in result:
            result[f"{name}_over_import_torch"] = result[f"{name}_seconds"] / torch_import
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"medians of {args.repeat} runs, each a fresh process")
    print(f'python -c "import torch"            {torch_import:.2f} s')
    for name, label in (("predict_torch", "predict --backend torch"),
                        ("predict_onnx", "predict (ONNX, no torch)")):
        if f"{name}_seconds" in result:
            print(f"{label:<35} {result[f'{name}_seconds']:.2f} s "
                  f"({result[f'{name}_over_import_torch']:.2f}x import torch)")


if __name__ == "__main__":
    main()
