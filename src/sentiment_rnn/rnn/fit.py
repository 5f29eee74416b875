"""The training loop: AdamW, a learning-rate schedule, clipping, early stopping, checkpoints.

`fit` trains a model on encoded splits and knows nothing of files or terminals: it hands the
full training state to a callback after every epoch (`rnn/checkpoint.py` writes it), can start
again from such a state, and reports progress through `Progress` callbacks (drawn by
`render/progress.py`, or by anything else that has the three methods).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import torch
from torch import nn

from sentiment_rnn.config import TrainingConfig
from sentiment_rnn.metrics import score
from sentiment_rnn.rnn import distributed
from sentiment_rnn.rnn.batching import num_batches
from sentiment_rnn.rnn.finetune import param_groups, slanted_triangular, unfreeze_for_epoch
from sentiment_rnn.rnn.model import predict_logits


class Progress(Protocol):
    """Where the loop reports progress; `render.progress.ProgressBar` draws it in a terminal."""

    def start_epoch(self, epoch: int, batches: int) -> None: ...
    def batch_done(self, loss: float, tokens_per_second: float) -> None: ...
    def end_epoch(self) -> None: ...


class NoProgress:
    """Reports nothing."""

    def start_epoch(self, epoch: int, batches: int) -> None:
        pass

    def batch_done(self, loss: float, tokens_per_second: float) -> None:
        pass

    def end_epoch(self) -> None:
        pass


@dataclass
class TrainingState:
    """Where training stands after a completed epoch (saved by `rnn/checkpoint.py`)."""

    epoch: int
    best_epoch: int
    best_score: float
    history: list[dict]
    seconds: float
    model: dict[str, torch.Tensor]
    best: dict[str, torch.Tensor]
    optimizer: dict
    scheduler: dict
    generator: torch.Tensor
    torch_rng: torch.Tensor
    fingerprints: dict[str, str]
    stopped_early: bool = False
    world_size: int = 1  # processes that trained it (torchrun); a resume must use as many
    rank_rngs: list[torch.Tensor] = field(default_factory=list)  # ranks 1.. torch RNG states


@dataclass
class Encoded:
    """One split as token ids and class indices."""

    ids: list[list[int]]
    targets: list[int]


@dataclass
class FitResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -math.inf
    stopped_early: bool = False
    seconds: float = 0.0


def make_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainingConfig, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    if config.schedule == "onecycle" and total_steps >= 3:
        # OneCycleLR divides by each phase's length in steps: the rise must end after step 0
        # (with warmup_fraction 0.1 it did not for 10 steps or fewer: a ZeroDivisionError).
        pct_start = max(config.warmup_fraction, 1 / total_steps)
        if pct_start * total_steps < 2:
            pct_start = 2 / total_steps
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=[group["lr"] for group in optimizer.param_groups],
            total_steps=total_steps, pct_start=pct_start,
        )
    if config.schedule == "slanted_triangular":
        return torch.optim.lr_scheduler.LambdaLR(
            optimizer, slanted_triangular(total_steps, config.warmup_fraction)
        )
    if config.schedule == "onecycle":  # 1 or 2 steps in all: no cycle to make, the peak rate
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
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
    """`metrics.score` of `model` on one encoded split."""
    logits = predict_logits(model, data.ids, batch_size, device)
    return score(data.targets, logits.softmax(dim=-1).numpy(), labels)


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
    on_step: Callable[[dict], None] | None = None,
) -> tuple[float, int, float]:
    """One pass over the training data: (mean loss, real tokens seen, seconds), over all ranks.

    `on_step` receives, after every optimizer step, its loss, learning rate, gradient norm
    (before clipping) and tokens/s over the batch (this rank's share in a distributed run).
    """
    model.train()
    total_loss, seen, tokens, start = 0.0, 0, 0, time.perf_counter()
    progress.start_epoch(epoch, num_batches(len(data.ids), config.batch_size))
    for batch, scale in distributed.shares(data.ids, data.targets, config.batch_size, generator):
        step_start = time.perf_counter()
        batch = batch.to(device)
        logits = model(batch.input_ids, batch.lengths)  # (B, C)
        if scale is None:  # a plain run
            loss = nn.functional.cross_entropy(logits, batch.labels)
            objective = loss
        else:  # this rank's share of the global batch's mean (see rnn/distributed.py)
            losses = nn.functional.cross_entropy(logits, batch.labels, reduction="none")
            loss, objective = losses.mean(), losses.sum() * scale
        optimizer.zero_grad(set_to_none=True)
        objective.backward()
        grad_norm = None
        if config.clip_grad_norm is not None:
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad_norm)
        elif on_step is not None:
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), math.inf)
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        if on_step is not None:
            on_step({
                "loss": loss.item(), "lr": lr, "grad_norm": float(grad_norm),
                "tokens_per_second": batch.num_tokens / max(time.perf_counter() - step_start, 1e-9),
            })
        if scale == 0.0:  # the stand-in of an empty share: trained at weight 0, not counted
            continue
        size = len(batch.index)
        total_loss += loss.item() * size
        seen += size
        tokens += batch.num_tokens
        elapsed = time.perf_counter() - start
        progress.batch_done(total_loss / seen, tokens / max(elapsed, 1e-9))
    progress.end_epoch()
    total_loss, seen, tokens = distributed.sum_all([total_loss, seen, tokens])
    return total_loss / max(seen, 1), int(tokens), time.perf_counter() - start


def fit(
    model: nn.Module,
    train: Encoded,
    dev: Encoded,
    labels: list[str],
    config: TrainingConfig,
    device: torch.device,
    seed: int,
    progress: Progress | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    *,
    resume: TrainingState | None = None,
    on_checkpoint: Callable[[TrainingState], None] | None = None,
    on_step: Callable[[dict], None] | None = None,
) -> FitResult:
    """Train with AdamW, the LR schedule and clipping; keep the best weights on the dev metric.

    `on_checkpoint` receives the full training state after every epoch; `resume` continues
    from such a state exactly as if training had never stopped (same batches, same dropout).
    `on_step` receives each optimizer step's figures (see `train_epoch`). Under torchrun every
    rank calls it; rank 0 evaluates dev for all (rnn/distributed.py).
    """
    generator = torch.Generator().manual_seed(seed)
    frozen_for_good = {id(param) for param in model.parameters() if not param.requires_grad}
    optimizer = torch.optim.AdamW(param_groups(model, config), weight_decay=config.weight_decay)
    total_steps = config.epochs * num_batches(len(train.ids), config.batch_size)
    scheduler = make_scheduler(optimizer, config, total_steps)
    result, best_state = FitResult(), None
    if resume is not None:
        best_state = _restore(resume, model, optimizer, scheduler, generator, result)
    else:
        distributed.seed_dropout(seed)
    start = time.perf_counter() - result.seconds
    progress = progress or NoProgress()
    for epoch in range(len(result.history) + 1, config.epochs + 1):
        if result.stopped_early:
            break
        if config.gradual_unfreezing:
            unfreeze_for_epoch(model, epoch, frozen_for_good)
        loss, tokens, seconds = train_epoch(
            distributed.wrap(model, device), train, optimizer, scheduler, config, device,
            generator, progress, epoch, on_step,
        )
        scores = distributed.from_main(
            lambda: evaluate_encoded(model, dev, labels, config.batch_size * 2, device),
            ("loss", "accuracy", "macro_f1"),
        )
        record = {
            "epoch": epoch, "train_loss": loss, "dev_loss": scores["loss"],
            "dev_accuracy": scores["accuracy"], "dev_macro_f1": scores["macro_f1"],
            "seconds": seconds, "tokens_per_second": tokens / seconds,
        }
        result.history.append(record)
        if scores[config.metric] > result.best_score:
            result.best_score, result.best_epoch = scores[config.metric], epoch
            best_state = copy.deepcopy(model.state_dict())
        elif config.patience is not None and epoch - result.best_epoch >= config.patience:
            result.stopped_early = True
        if on_checkpoint is not None or distributed.world_size() > 1:
            rngs = distributed.rng_states()  # every rank's: all take part
            result.seconds = time.perf_counter() - start
            if on_checkpoint is not None:
                on_checkpoint(
                    _snapshot(result, model, best_state, optimizer, scheduler, generator, rngs)
                )
        if on_epoch is not None:
            on_epoch(record)
    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - start
    return result


def _snapshot(result, model, best_state, optimizer, scheduler, generator, rngs) -> TrainingState:
    return TrainingState(
        epoch=len(result.history), best_epoch=result.best_epoch, best_score=result.best_score,
        history=list(result.history), seconds=result.seconds, model=model.state_dict(),
        best=best_state, optimizer=optimizer.state_dict(), scheduler=scheduler.state_dict(),
        generator=generator.get_state(), torch_rng=rngs[0], fingerprints={},
        stopped_early=result.stopped_early, world_size=len(rngs), rank_rngs=rngs[1:],
    )


def _restore(state: TrainingState, model, optimizer, scheduler, generator, result) -> dict:
    """Put a checkpoint's state back into fresh objects; returns the best weights so far."""
    model.load_state_dict(state.model)
    optimizer.load_state_dict(state.optimizer)
    scheduler.load_state_dict(state.scheduler)
    generator.set_state(state.generator)
    rank = distributed.rank()
    torch.set_rng_state(state.torch_rng if rank == 0 else state.rank_rngs[rank - 1])
    result.history = list(state.history)
    result.best_epoch, result.best_score = state.best_epoch, state.best_score
    result.stopped_early, result.seconds = state.stopped_early, state.seconds
    return state.best
