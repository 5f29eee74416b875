"""Language-model pretraining throughput: tokens/s of the forward + backward LSTM language models,
trained in one process (directions taking turns, on N threads) and in two processes (one
direction each, one thread each), and the same models with a full softmax in place of the
adaptive one, all in the same run.

    python scripts/bench_pretrain.py                       # IMDB sizes (configs/imdb-lm.yaml)
    python scripts/bench_pretrain.py --steps 40 --json     # longer, and the figures as JSON

The stream is the IMDB training split (../shared/datasets/imdb, or $SENTIMENT_RNN_DATASETS),
with the vocabulary of configs/imdb-lm.yaml (30,000 words); every token is a real token (a
stream has no padding). Each figure is tokens predicted per second of training steps (forward,
backward, clipping, AdamW), after warm-up steps; for two processes, the tokens of both
divided by the wall-clock time from the first step of either to the last step of both.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from pathlib import Path

import torch

from sentiment_rnn.config import load_config
from sentiment_rnn.data.split import read_split
from sentiment_rnn.data.tokenizer import build_tokenizer
from sentiment_rnn.rnn.lm.corpus import EOS, encode_stream
from sentiment_rnn.rnn.lm.loop import DirectionTrainer
from sentiment_rnn.rnn.lm.model import LanguageModel
from sentiment_rnn.rnn.runtime import keep_freed_memory

REPO = Path(__file__).resolve().parents[1]


def datasets_dir() -> Path:
    return Path(os.environ.get("SENTIMENT_RNN_DATASETS", REPO.parent / "shared" / "datasets"))


def make_stream(config, texts: int) -> tuple[torch.Tensor, int]:
    split = read_split(datasets_dir() / "imdb" / "train.csv.gz")
    tokenizer = build_tokenizer(split.texts, config.tokenizer)
    tokenizer.add_special_tokens([EOS])
    return encode_stream(tokenizer, split.texts[:texts]), tokenizer.get_vocab_size()


def trainer(config, direction: str, stream: torch.Tensor, vocab: int, softmax: str) -> DirectionTrainer:
    pretrain = config.pretrain.model_copy(update={"softmax": softmax})
    torch.manual_seed(0)
    model = LanguageModel(vocab, config.model, pretrain)
    data = stream if direction == "forward" else stream.flip(0)
    return DirectionTrainer(direction, model, data, data[:1000], pretrain, torch.device("cpu"), 0)


def timed_steps(trainers: list[DirectionTrainer], warmup: int, steps: int) -> tuple[int, float]:
    """Tokens and seconds of `steps` turns of every trainer, after `warmup` turns."""
    for _ in range(warmup):
        for t in trainers:
            t.train_step()
    tokens0 = sum(t.tokens for t in trainers)
    start = time.perf_counter()
    for _ in range(steps):
        for t in trainers:
            t.train_step()
    return sum(t.tokens for t in trainers) - tokens0, time.perf_counter() - start


def in_process(config, stream, vocab, softmax: str, threads: int, directions, warmup, steps) -> float:
    torch.set_num_threads(threads)
    trainers = [trainer(config, d, stream, vocab, softmax) for d in directions]
    tokens, seconds = timed_steps(trainers, warmup, steps)
    return tokens / seconds


def _worker(config_path, overrides, direction, stream, vocab, warmup, steps, barrier, results):
    torch.set_num_threads(1)
    keep_freed_memory()
    config = load_config(config_path, overrides)
    t = trainer(config, direction, stream, vocab, "adaptive")
    timed_steps([t], warmup, 0)
    barrier.wait()
    start = time.perf_counter()
    tokens, _ = timed_steps([t], 0, steps)
    results.put((tokens, start, time.perf_counter()))


def two_processes(config_path, overrides, stream, vocab, warmup, steps) -> float:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_worker, args=(config_path, overrides, d, stream, vocab, warmup,
                                              steps, barrier, results))
        for d in ("forward", "backward")
    ]
    for w in workers:
        w.start()
    got = [results.get() for _ in workers]
    for w in workers:
        w.join()
    tokens = sum(g[0] for g in got)
    return tokens / (max(g[2] for g in got) - min(g[1] for g in got))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "imdb-lm.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--texts", type=int, default=3000, help="training reviews in the stream")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=15, help="timed steps per direction")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keep_freed_memory()
    config = load_config(args.config, args.overrides)
    stream, vocab = make_stream(config, args.texts)
    both = ("forward", "backward")
    figures = {
        "one process, both directions, adaptive": in_process(
            config, stream, vocab, "adaptive", args.threads, both, args.warmup, args.steps),
        "two processes, one thread each, adaptive": two_processes(
            args.config, args.overrides, stream, vocab, args.warmup, args.steps),
        "one direction, one thread, adaptive": in_process(
            config, stream, vocab, "adaptive", 1, ("forward",), args.warmup, args.steps),
        "one direction, one thread, full softmax": in_process(
            config, stream, vocab, "full", 1, ("forward",), args.warmup, args.steps),
    }
    ratio = figures["one direction, one thread, adaptive"] / figures["one direction, one thread, full softmax"]
    m = config.model
    setting = (f"LSTM embedding {m.embedding_dim}, hidden {m.hidden_size}, {m.num_layers} layer(s); "
               f"vocabulary {vocab:,}; batch {config.pretrain.batch_size} x bptt {config.pretrain.bptt}; "
               f"{args.threads} threads in one process")
    if args.json:
        print(json.dumps({"setting": setting, "tokens_per_second": figures,
                          "adaptive_over_full": ratio}, indent=2))
        return
    print(setting)
    for name, value in figures.items():
        print(f"{name:<44} {value:>10,.0f} tokens/s")
    print(f"adaptive softmax / full softmax (one direction, one thread): {ratio:.1f}x")


if __name__ == "__main__":
    main()
