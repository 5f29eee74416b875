#!/usr/bin/env bash
# Every pretraining figure of docs/benchmarks.md ("Pretraining"), one command each, on a quiet
# 2-core machine (about 3 hours). Each command's output and `/usr/bin/time -v` report
# go to OUT/<name>.log and OUT/<name>.time.
#
#   bash scripts/bench_pretrained.sh [OUT]          (OUT defaults to runs/bench-pretrained)
#   STEP=finetune LM_RUN=runs/imdb-lm bash scripts/bench_pretrained.sh
#                       (start at a step: pretrain, finetune, compare; LM_RUN: the
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

# The settings of the tries below, against the shipped imdb-pretrained.yaml (the embeddings alone
# and the bundled corpus mixed in):
LSTM="--set model.init_lstm=true --set data.extra_train=[]"   # embeddings + LSTM, IMDB alone
EMBEDDING="--set data.extra_train=[]"                         # embeddings alone, IMDB alone
SCRATCH="--set model.init_from=null --set model.init_lstm=true --set data.extra_train=[]"
SEED14="--set seed=14 --set data.split_seed=13"  # the same dev and test carve as seed 13
GU="--set training.gradual_unfreezing=true"

# Choosing the fine-tuning on dev, in the order it was done: ULMFiT's settings (the first
# imdb-pretrained.yaml); dropout 0.2 and lr 0.004 with and without gradual unfreezing (without:
# the config shipped first, tested on two seeds); the ablation (from scratch / embeddings alone /
# embeddings + LSTM, with and without gradual unfreezing, the same 5-epoch budget); the bundled
# corpus mixed into training (the config shipped now).
if at finetune; then
  ULMFIT="--set model.dropout=0.5 --set training.lr=0.002 $GU"
  timed try-ulmfit sentiment-rnn train --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LM $LSTM $ULMFIT --dev-only --output "$OUT/try-ulmfit"
  pair try-d02-lr4-nogu "$LM $LSTM" try-d02-lr4-gu "$LM $LSTM $GU"
  timed finetune-seed14 sentiment-rnn train --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LM $LSTM $SEED14 --set training.num_threads=1 --dev-only \
    --output "$OUT/finetune-seed14"
  pair ablation-scratch "$SCRATCH" ablation-embedding "$LM $EMBEDDING"
  pair try-negation-mix "$LM" ablation-embedding-unfreezing "$LM $EMBEDDING $GU"
  pair negation-mix-seed14 "$LM $SEED14" ablation-scratch-unfreezing "$SCRATCH $GU"
  STEP=compare
fi

# Test, once per final configuration and seed: each against nbsvm trained on the same data.
if at compare; then
  timed compare-seed13 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LSTM --rnn "$OUT/try-d02-lr4-nogu" --output "$OUT/compare-seed13"
  timed compare-seed14 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $LSTM $SEED14 --rnn "$OUT/finetune-seed14" --output "$OUT/compare-seed14"
  timed compare-mix-seed13 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" --rnn "$OUT/try-negation-mix" --output "$OUT/compare-mix-seed13"
  timed compare-mix-seed14 sentiment-rnn compare --config configs/imdb-pretrained.yaml \
    --set data.path="$IMDB" $SEED14 --rnn "$OUT/negation-mix-seed14" --output "$OUT/compare-mix-seed14"
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
