"""Preparing the IMDB training split: read, clean, tokenize, build the vocabulary, encode.

Runs the project's own code path (`readers.read_split`, `tokenizer.build_tokenizer`,
`tokenizer.encode` with the IMDB config's max_length) on the 25,000 reviews of
../shared/datasets/imdb/train.csv.gz (or $SENTIMENT_RNN_DATASETS/imdb), and prints the seconds
for each stage and the process's peak resident memory.

    python scripts/bench_data.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

from sentiment_rnn.config import TokenizerConfig
from sentiment_rnn.data.split import read_split
from sentiment_rnn.data.tokenizer import build_tokenizer, encode

IMDB = Path(os.environ.get("SENTIMENT_RNN_DATASETS", "../shared/datasets")) / "imdb" / "train.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-length", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not IMDB.is_file():
        sys.exit(f"skipped: {IMDB} not found (set SENTIMENT_RNN_DATASETS)")
    stages, start = {}, time.perf_counter()
    split = read_split(IMDB)
    stages["read and decode"] = time.perf_counter() - start
    mark = time.perf_counter()
    tokenizer = build_tokenizer(split.texts, TokenizerConfig())
    stages["clean, tokenize, build vocabulary"] = time.perf_counter() - mark
    mark = time.perf_counter()
    ids = encode(tokenizer, split.texts, args.max_length, "head_tail")
    stages["encode and truncate"] = time.perf_counter() - mark
    total = time.perf_counter() - start
    result = {
        "reviews": len(split),
        "tokens_kept": sum(map(len, ids)),
        "vocabulary": tokenizer.get_vocab_size(),
        "stages_seconds": stages,
        "total_seconds": total,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, seconds in stages.items():
        print(f"{name:<36} {seconds:6.2f} s")
    print(f"{'total':<36} {total:6.2f} s for {len(split):,} reviews "
          f"({result['tokens_kept']:,} tokens kept, vocabulary {result['vocabulary']:,})")
    print(f"peak resident memory: {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
