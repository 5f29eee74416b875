"""Score a run on a dev sample carved from the IMDB *train* split (never the test split).

The bundled corpus labels reviews `negative` / `positive`; the IMDB files say `neg` / `pos`,
so this script maps them. The sample is seeded and stratified, and it is what choices about
the bundled corpus and configs/default.yaml were made on.

    python scripts/eval_imdb_dev.py --model runs/latest            # 2,000 reviews
    python scripts/eval_imdb_dev.py --model runs/latest --n 5000 --split test   # final figure only
"""
from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import sys
from pathlib import Path

LABEL_MAP = {"neg": "negative", "pos": "positive"}
DATASETS = Path(os.environ.get("SENTIMENT_RNN_DATASETS",
                               Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"))


def read_imdb(split: str) -> list[tuple[str, str]]:
    path = DATASETS / "imdb" / f"{split}.csv.gz"
    if not path.exists():
        sys.exit(f"{path} not found (set SENTIMENT_RNN_DATASETS)")
    csv.field_size_limit(10**8)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [(row["text"], LABEL_MAP[row["label"]]) for row in csv.DictReader(handle)]


def dev_sample(n: int, seed: int = 17) -> list[tuple[str, str]]:
    """n reviews of IMDB train, half of each label, seeded."""
    rows = read_imdb("train")
    rng = random.Random(seed)
    out = []
    for label in sorted(set(LABEL_MAP.values())):
        group = [row for row in rows if row[1] == label]
        out += rng.sample(group, n // 2)
    rng.shuffle(out)
    return out


def score(model: Path, rows: list[tuple[str, str]]) -> dict:
    from sentiment_rnn.predictors import load_predictor  # an RNN or a baseline run

    predictor = load_predictor(model)
    predicted = [p.label for p in predictor.predict([text for text, _ in rows])]
    gold = [label for _, label in rows]
    correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(p == g == label for p, g in zip(predicted, gold, strict=True))
        fp = sum(p == label != g for p, g in zip(predicted, gold, strict=True))
        fn = sum(g == label != p for p, g in zip(predicted, gold, strict=True))
        f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
    return {"n": len(rows), "accuracy": correct / len(rows), "macro_f1": sum(f1s) / len(f1s),
            "share_positive": predicted.count("positive") / len(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("runs/latest"))
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="dev: sample of IMDB train; test: all of IMDB test (final figure)")
    args = parser.parse_args()
    rows = dev_sample(args.n) if args.split == "dev" else read_imdb("test")
    result = score(args.model, rows)
    print(f"IMDB {args.split} ({result['n']} reviews): accuracy {result['accuracy']:.4f}, "
          f"macro-F1 {result['macro_f1']:.4f}, predicted positive {result['share_positive']:.1%}")


if __name__ == "__main__":
    main()
