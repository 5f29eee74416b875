#!/usr/bin/env bash
# Every IMDB figure of docs/benchmarks.md, one command each, on a quiet machine (about 35 minutes
# on 2 cores). Each command's output and `/usr/bin/time -v` report go to OUT/<name>.log.
#
#   bash scripts/bench_imdb.sh [OUT]          (OUT defaults to runs/bench-imdb)
#
# Needs ../shared/datasets/imdb (or IMDB=path/to/imdb) and GNU time (/usr/bin/time).
set -euo pipefail
OUT=${1:-runs/bench-imdb}
IMDB=${IMDB:-../shared/datasets/imdb}
mkdir -p "$OUT"
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"

# Training: the full configuration once, the quick one on three seeds.
timed train-imdb sentiment-rnn train --config configs/imdb.yaml --set data.path="$IMDB" \
  --output "$OUT/imdb"
for seed in 13 14 15; do
  timed "train-imdb-quick-seed$seed" sentiment-rnn train --config configs/imdb-quick.yaml \
    --set data.path="$IMDB" --set seed=$seed --output "$OUT/imdb-quick-seed$seed"
done

# Prediction: the 25,000-review test split, and 10,000 short texts from a file.
timed evaluate-imdb sentiment-rnn evaluate --model "$OUT/imdb" --format json
python - "$IMDB/test.csv.gz" "$OUT/short-texts.txt" <<'EOF'
import sys, pandas as pd
texts = pd.read_csv(sys.argv[1])["text"].sample(n=10_000, random_state=0)
first = texts.str.replace(r"\s+", " ", regex=True).str.split(r"(?<=[.!?]) ").str[0].str.strip()
open(sys.argv[2], "w").write("".join(t + "\n" for t in first if t))
EOF
timed predict-file-imdb sentiment-rnn predict --model "$OUT/imdb" --file "$OUT/short-texts.txt" \
  --format jsonl

# Throughput against the packed-sequence tutorial, for each shipped IMDB config.
timed bench-train-imdb python scripts/bench_train.py --config configs/imdb.yaml --json
timed bench-train-imdb-quick python scripts/bench_train.py --config configs/imdb-quick.yaml --json

# RNN against the bag-of-words baseline on the same test split.
timed compare-imdb sentiment-rnn compare --config configs/imdb.yaml --set data.path="$IMDB" \
  --rnn "$OUT/imdb" --output "$OUT/compare"
