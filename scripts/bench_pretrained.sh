#!/usr/bin/env bash
# Every pretraining figure of docs/benchmarks.md ("Pretraining"), one command each, on a quiet
# 2-core machine (about 3 hours). Each command's output and `/usr/bin/time -v` report
# go to OUT/<name>.log and OUT/<name>.time.
#
#   bash scripts/bench_pretrained.sh [OUT]          (OUT defaults to runs/bench-pretrained)
#   STEP=finetune LM_RUN=runs/imdb-lm bash scripts/bench_pretrained.sh
#                       (start at a step: pretrain, finetune, ablation, compare; LM_RUN: the
#                        language models to fine-tune from, default OUT/lm)
#
# Needs ../shared/datasets/imdb (or IMDB=path/to/imdb) and GNU time (/usr/bin/time).
# The fine-tuning and ablation runs score dev alone (`--dev-only`): settings are chosen on dev,
# and test is scored once per final run, by `compare`. Most runs go two at a time with one thread
# each (an epoch of ~285 s each, against ~165 s for one run on two threads: a little more work per
# minute, and two dev figures at once).
set -euo pipefail
OUT=${1:-runs/bench-pretrained}
IMDB=${IMDB:-../shared/datasets/imdb}
STEP=${STEP:-pretrain}
LM_RUN=${LM_RUN:-$OUT/lm}
mkdir -p "$OUT"
# shellcheck source=scripts/bench_common.sh
source "$(dirname "$0")/bench_common.sh"
pair() {  # pair NAME1 "ARGS1" NAME2 "ARGS2": two fine-tuning runs at once, one thread each
  timed "$1" sentiment-rnn train --config configs/imdb-pretrained.yaml --set data.path="$IMDB" \
    --dev-only --set training.num_threads=1 --output "$OUT/$1" $2 &
  timed "$3" sentiment-rnn train --config configs/imdb-pretrained.yaml --set data.path="$IMDB" \
    --dev-only --set training.num_threads=1 --output "$OUT/$3" $4 &
  wait
}
LM="--set model.init_from=$LM_RUN"
at() { [[ " $* " == *" $STEP "* ]]; }

# The forward and backward language models, an hour at most (configs/imdb-lm.yaml).
if at pretrain; then
  timed pretrain sentiment-rnn pretrain --config configs/imdb-lm.yaml --set data.path="$IMDB" \
    --output "$LM_RUN"
  STEP=finetune
fi

# Choosing the fine-tuning on dev: ULMFiT's settings (the first imdb-pretrained.yaml), then
# dropout 0.2 and lr 0.004 with and without gradual unfreezing (without: the shipped config).
if at finetune; then
  ULMFIT="--set model.dropout=0.5 --set training.lr=0.002 --set training.gradual_unfreezing=true"
  timed try-ulmfit sentiment-rnn train --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LM $ULMFIT --dev-only --output "$OUT/try-ulmfit"
  pair finetune-seed13 "$LM" \
    ablation-lstm-unfreezing "$LM --set training.gradual_unfreezing=true"
  STEP=ablation
fi

# The second seed, which keeps the dev and test carve of seed 13 (the language models' own)
# through data.split_seed, and two more tries on dev: the bundled corpus (built around negation
# and contrast) mixed into training, and 800 tokens a review instead of 400.
if at ablation; then
  pair finetune-seed14 "$LM --set seed=14 --set data.split_seed=13" \
    try-negation-mix "$LM --set data.extra_train=[data/train.csv]"
  timed try-length-800 sentiment-rnn train --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LM --set tokenizer.max_length=800 --dev-only --output "$OUT/try-length-800"
  # The ablation on dev with the same budget (the shipped epochs and schedule); "embedding +
  # LSTM" with and without gradual unfreezing are the pair of the finetune step.
  pair ablation-scratch "" ablation-embedding "$LM --set model.init_lstm=false"
  pair ablation-scratch-unfreezing "--set training.gradual_unfreezing=true" \
    ablation-embedding-unfreezing "$LM --set model.init_lstm=false --set training.gradual_unfreezing=true"
  STEP=compare
fi

# Test, once per final run: each fine-tuning seed against nbsvm on the same split.
if at compare; then
  timed compare-seed13 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" --rnn "$OUT/finetune-seed13" --output "$OUT/compare-seed13"
  timed compare-seed14 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" --set seed=14 --set data.split_seed=13 \
    --rnn "$OUT/finetune-seed14" --output "$OUT/compare-seed14"
fi
python - "$OUT" <<'EOF'
import json, sys
from pathlib import Path
for metrics in sorted(Path(sys.argv[1]).glob("*/metrics.json")):
    m = json.loads(metrics.read_text())
    if "dev" in m:  # a classifier run
        test = "" if m["test"] is None else f", test {m['test']['accuracy']:.4f}"
        print(f"{metrics.parent.name}: dev {m['dev']['accuracy']:.4f}{test}, best epoch "
              f"{m['best_epoch']} of {m['epochs_run']}, {m['train_seconds']:.0f} s training")
EOF
