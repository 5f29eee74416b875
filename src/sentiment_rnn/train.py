"""Training: prepare the data, fit with early stopping, save a self-contained run directory."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from tokenizers import Tokenizer
from torch import nn

from sentiment_rnn import artifact
from sentiment_rnn.batching import iterate_batches, num_batches
from sentiment_rnn.config import Config, TrainingConfig
from sentiment_rnn.data import Dataset, Split, load_dataset, split_records
from sentiment_rnn.embeddings import load_pretrained
from sentiment_rnn.files import atomic_write
from sentiment_rnn.metrics import classification_report
from sentiment_rnn.model import SentimentRNN, count_parameters, predict_logits
from sentiment_rnn.runtime import keep_freed_memory, resolve_device
from sentiment_rnn.tokenizer import build_tokenizer, encode


@dataclass
class Encoded:
    """One split as token ids and class indices."""

    ids: list[list[int]]
    targets: list[int]


@dataclass
class Prepared:
    dataset: Dataset
    tokenizer: Tokenizer
    train: Encoded
    dev: Encoded
    test: Encoded | None


@dataclass
class FitResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -math.inf
    stopped_early: bool = False
    seconds: float = 0.0


def encode_split(split: Split, tokenizer: Tokenizer, config: Config, labels: list[str]) -> Encoded:
    index = {label: i for i, label in enumerate(labels)}
    ids = encode(tokenizer, split.texts, config.tokenizer.max_length, config.tokenizer.truncation)
    return Encoded(ids, [index[label] for label in split.labels])


def prepare(config: Config) -> Prepared:
    """Read the data, fit the tokenizer on the training texts, encode every split."""
    dataset = load_dataset(config.data, config.seed)
    tokenizer = build_tokenizer(dataset.train.texts, config.tokenizer)
    labels = dataset.labels
    test = None if dataset.test is None else encode_split(dataset.test, tokenizer, config, labels)
    return Prepared(
        dataset,
        tokenizer,
        encode_split(dataset.train, tokenizer, config, labels),
        encode_split(dataset.dev, tokenizer, config, labels),
        test,
    )


def build_model(config: Config, tokenizer: Tokenizer, num_classes: int) -> SentimentRNN:
    model = SentimentRNN(tokenizer.get_vocab_size(), num_classes, config.model)
    if config.model.pretrained_embeddings is not None:
        load_pretrained(model.embedding, tokenizer, config.model.pretrained_embeddings)
    if config.model.freeze_embeddings:
        model.embedding.weight.requires_grad_(False)
    return model


def make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainingConfig, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.lr, total_steps=total_steps,
            pct_start=max(config.warmup_fraction, 1 / total_steps),
        )
    warmup = max(1, round(config.warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if config.schedule == "constant":
            return 1.0
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def evaluate_encoded(
    model: nn.Module, data: Encoded, labels: list[str], batch_size: int, device: torch.device
) -> dict:
    """Loss and the classification report of `model` on one encoded split."""
    logits = predict_logits(model, data.ids, batch_size, device)
    targets = torch.tensor(data.targets)
    report = classification_report(data.targets, logits.argmax(dim=1).tolist(), labels)
    report["loss"] = float(nn.functional.cross_entropy(logits, targets))
    return report


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("epoch {task.fields[epoch]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TextColumn("{task.fields[speed]:>8,.0f} tok/s"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=console is None,
    )


def train_epoch(
    model: nn.Module,
    data: Encoded,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    config: TrainingConfig,
    device: torch.device,
    generator: torch.Generator,
    progress: Progress,
    epoch: int,
) -> tuple[float, int, float]:
    """One pass over the training data: (mean loss, real tokens seen, seconds)."""
    model.train()
    total_loss, seen, tokens, start = 0.0, 0, 0, time.perf_counter()
    task = progress.add_task(
        "train", total=num_batches(len(data.ids), config.batch_size), epoch=epoch, loss=0.0, speed=0.0
    )
    for batch in iterate_batches(data.ids, data.targets, config.batch_size, generator):
        batch = batch.to(device)
        loss = nn.functional.cross_entropy(model(batch.input_ids, batch.lengths), batch.labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if config.clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad_norm)
        optimizer.step()
        scheduler.step()
        size = len(batch.index)
        total_loss += loss.item() * size
        seen += size
        tokens += batch.num_tokens
        elapsed = time.perf_counter() - start
        progress.update(task, advance=1, loss=total_loss / seen, speed=tokens / max(elapsed, 1e-9))
    progress.remove_task(task)
    return total_loss / max(seen, 1), tokens, time.perf_counter() - start


def fit(
    model: nn.Module,
    prepared: Prepared,
    config: TrainingConfig,
    device: torch.device,
    seed: int,
    console: Console | None = None,
    on_epoch: Callable[[dict], None] | None = None,
) -> FitResult:
    """Train with AdamW, the LR schedule and clipping; keep the best weights on the dev metric."""
    labels = prepared.dataset.labels
    generator = torch.Generator().manual_seed(seed)
    params = [param for param in model.parameters() if param.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    total_steps = config.epochs * num_batches(len(prepared.train.ids), config.batch_size)
    scheduler = make_scheduler(optimizer, config, total_steps)
    result, best_state, start = FitResult(), None, time.perf_counter()
    with _progress(console) as progress:
        for epoch in range(1, config.epochs + 1):
            loss, tokens, seconds = train_epoch(
                model, prepared.train, optimizer, scheduler, config, device, generator, progress, epoch
            )
            dev = evaluate_encoded(model, prepared.dev, labels, config.batch_size * 2, device)
            record = {
                "epoch": epoch, "train_loss": loss, "dev_loss": dev["loss"],
                "dev_accuracy": dev["accuracy"], "dev_macro_f1": dev["macro_f1"],
                "seconds": seconds, "tokens_per_second": tokens / seconds,
            }
            result.history.append(record)
            if on_epoch is not None:
                on_epoch(record)
            if dev[config.metric] > result.best_score:
                result.best_score, result.best_epoch = dev[config.metric], epoch
                best_state = copy.deepcopy(model.state_dict())
            elif config.patience is not None and epoch - result.best_epoch >= config.patience:
                result.stopped_early = True
                break
    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - start
    return result


def _summary_line(record: dict) -> str:
    return (
        f"epoch {record['epoch']:>3}  train loss {record['train_loss']:.4f}  "
        f"dev acc {record['dev_accuracy']:.4f}  dev macro-F1 {record['dev_macro_f1']:.4f}  "
        f"{record['seconds']:.1f}s  {record['tokens_per_second']:,.0f} tok/s"
    )


def train(
    config: Config, output: Path | None = None, force: bool = False, console: Console | None = None
) -> tuple[Path, dict]:
    """The whole `train` command: returns the run directory and its metrics."""
    config = config.with_absolute_paths()
    run_dir = artifact.prepare_run_dir(output or artifact.default_run_dir(config.name), force)
    atomic_write(run_dir / artifact.CONFIG, config.to_yaml())
    (run_dir / artifact.HISTORY).unlink(missing_ok=True)
    if config.training.num_threads is not None:
        torch.set_num_threads(config.training.num_threads)
    device = resolve_device(config.training.device)
    if device.type == "cpu":
        keep_freed_memory()
    torch.manual_seed(config.seed)
    prepared = prepare(config)
    labels = prepared.dataset.labels
    model = build_model(config, prepared.tokenizer, len(labels)).to(device)
    if console is not None:
        console.print(
            f"{len(prepared.train.ids):,} train / {len(prepared.dev.ids):,} dev examples, "
            f"labels {labels}, vocabulary {prepared.tokenizer.get_vocab_size():,}, "
            f"{count_parameters(model):,} parameters, device {device}"
        )

    def on_epoch(record: dict) -> None:
        artifact.append_history(run_dir, record)
        if console is not None:
            console.print(_summary_line(record))

    result = fit(model, prepared, config.training, device, config.seed, console, on_epoch)
    batch_size = config.training.batch_size * 2
    metrics = {
        "dev": evaluate_encoded(model, prepared.dev, labels, batch_size, device),
        "test": None
        if prepared.test is None
        else evaluate_encoded(model, prepared.test, labels, batch_size, device),
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        "stopped_early": result.stopped_early,
        "train_seconds": result.seconds,
        "splits": split_records(prepared.dataset),
    }
    artifact.save_run(run_dir, model.cpu(), prepared.tokenizer, labels, config, metrics)
    return run_dir, metrics
