"""Wall time of `sentiment-rnn predict` for one sentence, against `python -c "import torch"`.

Each command runs as a fresh process, `--repeat` times; the median is reported. The predict path
imports no scikit-learn and no pandas, so most of its time should be torch's own import.

    python scripts/bench_predict.py --model runs/latest
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/latest", help="run directory")
    parser.add_argument("--text", default="this movie is not good")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cli = shutil.which("sentiment-rnn") or sys.executable
    predict = [cli] if cli != sys.executable else [cli, "-m", "sentiment_rnn"]
    predict += ["predict", "--model", args.model, args.text]
    subprocess.run(predict, check=True, stdout=subprocess.DEVNULL)  # warm the file cache
    result = {
        "import_torch_seconds": median_seconds([sys.executable, "-c", "import torch"], args.repeat),
        "predict_seconds": median_seconds(predict, args.repeat),
        "repeat": args.repeat,
    }
    result["overhead_seconds"] = result["predict_seconds"] - result["import_torch_seconds"]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f'python -c "import torch":        {result["import_torch_seconds"]:.2f} s (median of {args.repeat})')
    print(f'sentiment-rnn predict "{args.text}": {result["predict_seconds"]:.2f} s')
    print(f"beyond importing torch:          {result['overhead_seconds']:.2f} s")


if __name__ == "__main__":
    main()
