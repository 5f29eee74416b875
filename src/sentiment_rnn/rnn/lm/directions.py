"""Training the directions of a run: build (or restore) each trainer, step them in turn,
checkpoint and report. Used by one process for both directions, and by each worker process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from sentiment_rnn.config import Config
from sentiment_rnn.rnn.checkpoint import check_fingerprints
from sentiment_rnn.rnn.lm.checkpoint import checkpoint_path, load_lm_checkpoint, save_lm_checkpoint
from sentiment_rnn.rnn.lm.loop import DirectionTrainer, seed_for
from sentiment_rnn.rnn.lm.model import LanguageModel
from sentiment_rnn.rnn.lm.rundir import write_history
from sentiment_rnn.rnn.runtime import resolve_device


@dataclass
class Reporter:
    """Where progress goes: the CLI draws it, tests and scripts may ignore it."""

    progress: Callable[[dict], None] = lambda update: None  # every step
    record: Callable[[dict], None] = lambda record: None  # every checkpoint (with validation)
    message: Callable[[str], None] = lambda text: None


@dataclass
class Job:
    """What every direction needs, in either process layout."""

    run_dir: Path
    config: Config
    fingerprints: dict[str, str]
    directions: list[str] = field(default_factory=list)


def build_trainer(direction: str, job: Job, train: torch.Tensor, valid: torch.Tensor,
                  vocab_size: int) -> DirectionTrainer:
    """A fresh trainer, or one restored from the direction's checkpoint (fingerprints checked)."""
    config = job.config
    device = resolve_device(config.training.device)
    torch.manual_seed(seed_for(config.seed, direction))  # initialisation, per direction
    model = LanguageModel(vocab_size, config.model, config.pretrain).to(device)
    stream_train = train if direction == "forward" else train.flip(0)
    stream_valid = valid if direction == "forward" else valid.flip(0)
    trainer = DirectionTrainer(direction, model, stream_train, stream_valid, config.pretrain,
                               device, config.seed)
    state = load_lm_checkpoint(job.run_dir, direction)
    if state is not None:
        check_fingerprints(checkpoint_path(job.run_dir, direction), state.fingerprints, job.fingerprints)
        trainer.restore(state)
    return trainer


def train_directions(
    trainers: list[DirectionTrainer], job: Job, reporter: Reporter,
    keep_going: Callable[[], bool] = lambda: True,
) -> None:
    """Step each unfinished direction in turn; checkpoint every `checkpoint_every` steps and at
    the end; stop all at a step boundary once `max_minutes` of wall-clock have passed."""
    budget = job.config.pretrain.max_minutes
    every = job.config.pretrain.checkpoint_every
    elapsed0 = max(t.elapsed for t in trainers)
    start = time.perf_counter() - elapsed0
    while keep_going():
        active = [t for t in trainers if not t.done]
        if not active:
            return
        for trainer in active:
            loss = trainer.train_step()
            trainer.elapsed = time.perf_counter() - start
            reporter.progress(_progress(trainer, loss))
            if trainer.step >= trainer.total_steps:
                trainer.finished = "completed"
            if trainer.step % every == 0 or trainer.finished:
                _checkpoint(trainer, job, reporter)
        if budget is not None and time.perf_counter() - start >= budget * 60:
            for trainer in (t for t in trainers if not t.done):
                trainer.finished = "time budget"
                _checkpoint(trainer, job, reporter)
            reporter.message(f"time budget of {budget:g} min reached; saving")


def _progress(trainer: DirectionTrainer, loss: float) -> dict:
    return {
        "direction": trainer.direction, "step": trainer.step, "total_steps": trainer.total_steps,
        "loss": loss, "perplexity": math.exp(min(loss, 50)),
        "tokens_per_second": trainer.tokens / max(trainer.seconds, 1e-9),
    }


def _checkpoint(trainer: DirectionTrainer, job: Job, reporter: Reporter) -> None:
    record = trainer.record()
    snapshot = trainer.snapshot()
    snapshot.fingerprints = job.fingerprints
    save_lm_checkpoint(job.run_dir, snapshot)
    write_history(job.run_dir, trainer.direction, trainer.history)
    reporter.record(record)
