"""Prediction throughput of one run on its test split: the ONNX graph (onnxruntime) against torch.

Loads the run both ways in this process, with the same number of threads, and times
`predict_proba` over the whole test split (tokenizing included, loading not), `--repeat` times
each, alternating; reports the best texts/s of each, their ratio, and how far the two agree
(largest probability difference, labels that differ). The run is exported first if it has no
`model.onnx`. For the IMDB figure, use a run trained on IMDB (its test split is IMDB's):

    sentiment-rnn train --config configs/imdb-quick.yaml --output runs/imdb-quick
    python scripts/bench_onnx_throughput.py --model runs/imdb-quick --threads 2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("runs/latest"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="first N test texts only")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch

    from sentiment_rnn.data.dataset import load_dataset
    from sentiment_rnn.predictors import load_predictor
    from sentiment_rnn.rnn.export import export_onnx
    from sentiment_rnn.runs import ONNX

    torch.set_num_threads(args.threads)
    if not (args.model / ONNX).is_file():
        export_onnx(args.model)
    predictors = {"torch": load_predictor(args.model, "torch"),
                  "onnx": load_predictor(args.model, "onnx", threads=args.threads)}
    config = predictors["torch"].config
    texts = load_dataset(config.data, config.seed, show_progress=False).test.texts[: args.limit]
    best: dict[str, float] = {}
    probabilities = {}
    for _ in range(args.repeat):
        for name, predictor in predictors.items():
            start = time.perf_counter()
            probabilities[name] = np.asarray(predictor.predict_proba(texts))
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    result = {
        "model": str(args.model), "texts": len(texts), "threads": args.threads,
        "torch_texts_per_second": len(texts) / best["torch"],
        "onnx_texts_per_second": len(texts) / best["onnx"],
        "onnx_over_torch": best["torch"] / best["onnx"],
        "largest_probability_difference": float(np.abs(probabilities["torch"] - probabilities["onnx"]).max()),
        "labels_that_differ": int((probabilities["torch"].argmax(1) != probabilities["onnx"].argmax(1)).sum()),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.model}: {len(texts):,} test texts, {args.threads} threads, best of {args.repeat}")
    print(f"torch: {result['torch_texts_per_second']:,.0f} texts/s")
    print(f"onnx:  {result['onnx_texts_per_second']:,.0f} texts/s ({result['onnx_over_torch']:.2f}x torch)")
    print(f"largest probability difference {result['largest_probability_difference']:.1e}, "
          f"{result['labels_that_differ']} labels differ")


if __name__ == "__main__":
    main()
