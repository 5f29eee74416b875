"""Training throughput: the project's length-grouped dense batches vs the tutorial approach.

Both run in the same process on the same reviews, for a bidirectional LSTM (embedding 128,
hidden 256, batch 64, whole reviews), or for the model, batch size, vocabulary and truncation of
a config given with --config (the tutorial model then uses the same cell and sizes):
  - project:  `length_grouped_order` batches, dense padded tensors (widths rounded to a multiple
              of 16, as training does), `SentimentRNN` (exact under padding: backward
              direction reversed within each length, masked pooling);
  - tutorial: random-order batches through `pack_padded_sequence` into `nn.LSTM(bidirectional)`.
Throughput counts real (non-padding) tokens per second of forward + backward + AdamW step.

Reviews come from ../shared/datasets/imdb/train.csv.gz when present (tokenized with the project's
tokenizer), else synthetic token ids with IMDB-like lengths (log-normal, median ~ 230 tokens).

    python scripts/bench_train.py                 # figures on stdout
    python scripts/bench_train.py --json          # one JSON object
    python scripts/bench_train.py --config configs/imdb-quick.yaml
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from sentiment_rnn.config import ModelConfig, TokenizerConfig, load_config
from sentiment_rnn.rnn.batching import PAD_TO_MULTIPLE, collate, length_grouped_order
from sentiment_rnn.rnn.model import SentimentRNN
from sentiment_rnn.rnn.runtime import keep_freed_memory

IMDB = Path(os.environ.get("SENTIMENT_RNN_DATASETS", "../shared/datasets")) / "imdb" / "train.csv.gz"
DEFAULT_MODEL = ModelConfig(cell="lstm", embedding_dim=128, hidden_size=256, bidirectional=True,
                            pooling="mean_max", dropout=0.0)
DEFAULT_TOKENIZER = TokenizerConfig(max_size=30_000, max_length=None)
DEFAULT_BATCH = 64
_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def imdb_like_sequences(n: int, seed: int, tokenizer: TokenizerConfig) -> tuple[list[list[int]], str]:
    """Token ids of IMDB reviews when the dataset is present, else synthetic ones."""
    if IMDB.is_file():
        import pandas as pd

        from sentiment_rnn.data.tokenizer import build_tokenizer, encode

        texts = pd.read_csv(IMDB)["text"].sample(n=n, random_state=seed).tolist()
        built = build_tokenizer(texts, tokenizer)
        ids = encode(built, texts, tokenizer.max_length, tokenizer.truncation)
        return ids, f"IMDB train sample ({IMDB})"
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.exp(torch.randn(n, generator=generator) * 0.7 + 5.45).clamp(10, 2500).long()
    if tokenizer.max_length is not None:
        lengths = lengths.clamp(max=tokenizer.max_length)
    vocab = tokenizer.max_size or 30_000
    ids = [torch.randint(2, vocab, (int(k),), generator=generator).tolist() for k in lengths]
    return ids, "synthetic token ids, IMDB-like lengths"


class TutorialRNN(nn.Module):
    """The usual tutorial model: packed sequences, final hidden states of both directions."""

    def __init__(self, vocab_size: int, config: ModelConfig) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, config.embedding_dim, padding_idx=0)
        self.rnn = _CELLS[config.cell](config.embedding_dim, config.hidden_size, config.num_layers,
                                       batch_first=True, bidirectional=config.bidirectional)
        directions = 2 if config.bidirectional else 1
        self.classifier = nn.Linear(directions * config.hidden_size, 2)

    def forward(self, input_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        packed = pack_padded_sequence(
            self.embedding(input_ids), lengths, batch_first=True, enforce_sorted=False
        )
        _, hidden = self.rnn(packed)
        hidden = hidden[0] if isinstance(hidden, tuple) else hidden  # LSTM: (h, c)
        last = hidden[-2:] if self.rnn.bidirectional else hidden[-1:]  # (directions, B, H)
        return self.classifier(torch.cat(list(last), dim=-1))


def time_batches(
    model: nn.Module, batches: list[list[int]], sequences, warmup: int, pad_to_multiple: int = 1
) -> dict:
    """Real tokens per second of full training steps over `batches` (after `warmup` untimed)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train()
    tokens, seconds = 0, 0.0
    for step, group in enumerate(batches):
        labels = [i % 2 for i in group]
        batch = collate([sequences[i] for i in group], labels, group, pad_to_multiple)
        start = time.perf_counter()
        loss = nn.functional.cross_entropy(model(batch.input_ids, batch.lengths), batch.labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step >= warmup:
            seconds += time.perf_counter() - start
            tokens += batch.num_tokens
    return {"batches": len(batches) - warmup, "tokens": tokens, "seconds": seconds,
            "tokens_per_second": tokens / seconds}


def padding_gap(model: SentimentRNN, sequences: list[list[int]]) -> float:
    """Largest logit change between each text alone and inside a padded batch of others."""
    model.eval()
    with torch.no_grad():
        batch = collate(sequences, None, range(len(sequences)))
        together = model(batch.input_ids, batch.lengths)
        alone = torch.cat([model(torch.tensor([s]), torch.tensor([len(s)])) for s in sequences])
    return float((together - alone).abs().max())


def describe(config: ModelConfig, batch_size: int, max_length: int | None) -> str:
    cell = ("Bi" if config.bidirectional else "") + config.cell.upper()
    layers = f"{config.num_layers} layers, " if config.num_layers > 1 else ""
    cut = "whole reviews" if max_length is None else f"reviews cut to {max_length} tokens"
    return (f"{cell} {layers}embedding {config.embedding_dim}, hidden {config.hidden_size}, "
            f"batch {batch_size}, {cut}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40, help="timed project batches")
    parser.add_argument("--tutorial-batches", type=int, default=2, help="timed tutorial batches")
    parser.add_argument("--reviews", type=int, default=6400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=Path, help="bench this config's model, batch and truncation")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model_config, tokenizer_config, batch_size = DEFAULT_MODEL, DEFAULT_TOKENIZER, DEFAULT_BATCH
    if args.config is not None:
        loaded = load_config(args.config)
        model_config = loaded.model.model_copy(update={"dropout": 0.0})
        tokenizer_config, batch_size = loaded.tokenizer, loaded.training.batch_size
    sequences, source = imdb_like_sequences(args.reviews, args.seed, tokenizer_config)
    vocab_size = max(max(s) for s in sequences) + 1
    lengths = [len(s) for s in sequences]

    # The default allocator first (the tutorial as people run it, and ours without the tuning),
    # then ours with `keep_freed_memory()`, as `sentiment-rnn train` runs on CPU: glibc's
    # setting is process-wide and cannot be undone exactly, hence this order.
    order = torch.randperm(len(sequences), generator=torch.Generator().manual_seed(args.seed)).tolist()
    random_batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    tutorial = time_batches(TutorialRNN(vocab_size, model_config),
                            random_batches[: args.tutorial_batches + 1], sequences, warmup=1)
    project = SentimentRNN(vocab_size, 2, model_config)
    grouped = length_grouped_order(lengths, batch_size, torch.Generator().manual_seed(args.seed))
    plain = time_batches(project, grouped[: args.batches + 2], sequences, 2, PAD_TO_MULTIPLE)
    tuned_allocator = keep_freed_memory()
    ours = time_batches(project, grouped[: args.batches + 2], sequences, 2, PAD_TO_MULTIPLE)

    gap = padding_gap(project, [sequences[i][:300] for i in order[:8]])
    result = {
        "data": source,
        "model": describe(model_config, batch_size, tokenizer_config.max_length),
        "config": None if args.config is None else str(args.config),
        "mean_review_tokens": sum(lengths) / len(lengths),
        "project": ours,
        "project_default_allocator": plain,
        "allocator_tuned": tuned_allocator,
        "tutorial": tutorial,
        "speedup": ours["tokens_per_second"] / tutorial["tokens_per_second"],
        "padding_max_logit_change": gap,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {source}; mean {result['mean_review_tokens']:.0f} tokens per review")
    print(f"model: {result['model']}; torch {torch.__version__}, {result['threads']} threads")
    rows = [
        ("project  (length-grouped dense, as trained)", ours),
        ("project  (same, default glibc allocator)", plain),
        ("tutorial (random batches + packed)", tutorial),
    ]
    for name, row in rows:
        print(f"{name:<44} {row['tokens_per_second']:>9,.0f} real tokens/s "
              f"({row['batches']} batches, {row['seconds']:.1f} s)")
    print(f"speed-up: {result['speedup']:.1f}x; padding invariance: max logit change {gap:.2e}")


if __name__ == "__main__":
    main()
