"""The `pretrain` command: language models into a run directory, in one process or two.

In one process the directions take turns, one step each, on the process's threads. With
`pretrain.processes: 2` each direction trains in its own process on one thread (on 2 cores this
avoids the per-time-step thread synchronisation of the recurrent kernels); the parent reports
their progress and writes the finished run. Each direction's training depends only on its own
state (its own seed, dropout generator, optimizer, checkpoint), so both ways give the same
weights, and either way can resume a run the other started.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import queue as queue_module
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from sentiment_rnn import artifact
from sentiment_rnn.checkpoint import check_fingerprints
from sentiment_rnn.config import Config, read_yaml_mapping, validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.lm.checkpoint import (
    checkpoint_path,
    checkpoint_step,
    load_lm_checkpoint,
    save_lm_checkpoint,
)
from sentiment_rnn.lm.corpus import Corpus, build_corpus, stream_fingerprint
from sentiment_rnn.lm.loop import DirectionTrainer, LMState, seed_for
from sentiment_rnn.lm.model import LanguageModel
from sentiment_rnn.lm.rundir import STREAMS, save_lm_run, write_history
from sentiment_rnn.model import count_parameters
from sentiment_rnn.runtime import resolve_device


@dataclass
class Reporter:
    """Where progress goes: the CLI draws it, tests and scripts may ignore it."""

    progress: Callable[[dict], None] = lambda update: None  # every step
    record: Callable[[dict], None] = lambda record: None  # every checkpoint (with validation)
    message: Callable[[str], None] = lambda text: None


class PretrainInterrupted(KeyboardInterrupt):
    """Ctrl-C during pretraining, with the step of each direction's last checkpoint."""

    def __init__(self, run_dir: Path, steps: dict[str, int | None]) -> None:
        super().__init__()
        self.run_dir, self.steps = run_dir, steps


@dataclass
class Job:
    """What every direction needs, in either process layout."""

    run_dir: Path
    config: Config
    fingerprints: dict[str, str]
    directions: list[str] = field(default_factory=list)


def directions_of(config: Config) -> list[str]:
    chosen = config.pretrain.directions
    return ["forward", "backward"] if chosen == "both" else [chosen]


def check_config(config: Config) -> None:
    if config.model.cell != "lstm":
        raise UserError(
            f"model.cell is {config.model.cell!r}; pretrain trains LSTM language models "
            "(set model.cell: lstm)"
        )
    if config.pretrain.processes == 2 and config.pretrain.directions != "both":
        raise UserError(
            f"pretrain.processes is 2 but pretrain.directions is {config.pretrain.directions!r}; "
            "two processes train one direction each (set pretrain.directions: both)"
        )


def pretrain(
    config: Config, output: Path | None = None, force: bool = False, reporter: Reporter | None = None
) -> tuple[Path, dict]:
    """The whole `pretrain` command: returns the run directory and its metrics."""
    config = config.with_absolute_paths()
    check_config(config)
    run_dir = artifact.prepare_run_dir(output or artifact.default_run_dir(f"{config.name}-lm"), force)
    for direction in ("forward", "backward"):
        checkpoint_path(run_dir, direction).unlink(missing_ok=True)
    atomic_write(run_dir / artifact.CONFIG, config.to_yaml())
    return _pretrain_into(run_dir, config, reporter or Reporter())


def resume_pretrain(run_dir: Path, reporter: Reporter | None = None) -> tuple[Path, dict]:
    """`pretrain --resume`: continue each direction from its last checkpoint."""
    if not (run_dir / artifact.CONFIG).is_file():
        raise UserError(f"{run_dir}: no {artifact.CONFIG}, so not a run directory to resume")
    if (run_dir / artifact.META).exists():
        raise UserError(f"{run_dir}: this run already finished ({artifact.META} exists); nothing to resume")
    config = validate_config(read_yaml_mapping(run_dir / artifact.CONFIG), str(run_dir / artifact.CONFIG))
    check_config(config)
    return _pretrain_into(run_dir, config, reporter or Reporter())


def _pretrain_into(run_dir: Path, config: Config, reporter: Reporter) -> tuple[Path, dict]:
    start = time.perf_counter()
    corpus = build_corpus(config)
    atomic_write(run_dir / artifact.TOKENIZER, corpus.tokenizer.to_str(pretty=True))
    fingerprints = {
        "config.yaml": hashlib.sha256(config.to_yaml().encode("utf-8")).hexdigest(),
        "token streams": stream_fingerprint(corpus),
    }
    job = Job(run_dir, config, fingerprints, directions_of(config))
    reporter.message(
        f"{corpus.records['stream_texts']:,} texts, {len(corpus.train):,} tokens in the stream; "
        f"{len(corpus.valid):,} held-out tokens; vocabulary {corpus.tokenizer.get_vocab_size():,}; "
        f"directions {', '.join(job.directions)} in {config.pretrain.processes} process(es)"
    )
    try:
        if config.pretrain.processes == 2:
            run_in_processes(job, corpus, reporter)
        else:
            run_in_process(job, corpus, reporter)
    except KeyboardInterrupt:
        steps = {d: checkpoint_step(run_dir, d) for d in job.directions}
        raise PretrainInterrupted(run_dir, steps) from None
    return run_dir, _finish(job, corpus, time.perf_counter() - start)


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


def run_in_process(job: Job, corpus: Corpus, reporter: Reporter) -> None:
    vocab = corpus.tokenizer.get_vocab_size()
    trainers = [build_trainer(d, job, corpus.train, corpus.valid, vocab) for d in job.directions]
    train_directions(trainers, job, reporter)


def run_in_processes(job: Job, corpus: Corpus, reporter: Reporter) -> None:
    """One spawned process per direction, one thread each; progress comes back on a queue."""
    atomic_write(job.run_dir / STREAMS, save({"train": corpus.train, "valid": corpus.valid}))
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    vocab = corpus.tokenizer.get_vocab_size()
    workers = [
        context.Process(target=_worker, args=(str(job.run_dir), d, job.fingerprints, vocab,
                                              messages, os.getpid()), name=f"pretrain-{d}")
        for d in job.directions
    ]
    for worker in workers:
        worker.start()
    errors: list[str] = []
    try:
        while any(worker.is_alive() for worker in workers) or not messages.empty():
            try:
                kind, payload = messages.get(timeout=0.2)
            except queue_module.Empty:
                continue
            if kind == "error":
                errors.append(payload)
            else:
                getattr(reporter, kind)(payload)
    except KeyboardInterrupt:
        _stop(workers)
        raise
    for worker in workers:
        worker.join()
    if errors:
        raise UserError(errors[0])
    failed = [f"{w.name} (exit code {w.exitcode})" for w in workers if w.exitcode != 0]
    if failed:
        raise RuntimeError(f"pretraining process failed: {', '.join(failed)}")


def _stop(workers: list) -> None:
    """Ctrl-C: pass it on to the workers (a terminal sends it to all; `kill` to the parent only)."""
    for worker in workers:
        if worker.is_alive():
            os.kill(worker.pid, signal.SIGINT)
    for worker in workers:
        worker.join(timeout=30)
        if worker.is_alive():
            worker.kill()


def _worker(run_dir: str, direction: str, fingerprints: dict, vocab: int, messages, parent: int) -> None:
    """One direction in its own process, on one thread; ends quietly on Ctrl-C."""
    from sentiment_rnn.runtime import keep_freed_memory

    try:
        torch.set_num_threads(1)
        keep_freed_memory()
        path = Path(run_dir)
        config = validate_config(read_yaml_mapping(path / artifact.CONFIG), str(path / artifact.CONFIG))
        streams = load_file(path / STREAMS)
        job = Job(path, config, fingerprints, [direction])
        trainer = build_trainer(direction, job, streams["train"], streams["valid"], vocab)
        reporter = Reporter(
            progress=_throttled(lambda u: messages.put(("progress", u))),
            record=lambda r: messages.put(("record", r)),
            message=lambda text: messages.put(("message", text)),
        )
        train_directions([trainer], job, reporter, keep_going=lambda: os.getppid() == parent)
    except UserError as err:
        messages.put(("error", str(err)))
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def _throttled(send: Callable[[dict], None], interval: float = 0.25) -> Callable[[dict], None]:
    last = [0.0]

    def throttled(update: dict) -> None:
        now = time.perf_counter()
        if now - last[0] >= interval or update["step"] == update["total_steps"]:
            last[0] = now
            send(update)

    return throttled


def _finish(job: Job, corpus: Corpus, wall_seconds: float) -> dict:
    """Every direction has its final checkpoint: write the finished run, drop the checkpoints."""
    states: dict[str, LMState] = {}
    for direction in job.directions:
        state = load_lm_checkpoint(job.run_dir, direction)
        if state is None or state.finished is None:
            raise RuntimeError(f"{direction} language model did not finish")  # a bug, not input
        states[direction] = state
    model = LanguageModel(corpus.tokenizer.get_vocab_size(), job.config.model, job.config.pretrain)
    metrics = {
        "directions": {d: _summary(s) for d, s in states.items()},
        "softmax": "adaptive" if model.adaptive else "full",
        "num_parameters": count_parameters(model),
        "pretrain_seconds": wall_seconds,
        "corpus": corpus.records,
    }
    save_lm_run(job.run_dir, {d: s.model for d, s in states.items()}, corpus.hashes,
                job.config, metrics)
    for direction in job.directions:
        checkpoint_path(job.run_dir, direction).unlink(missing_ok=True)
    (job.run_dir / STREAMS).unlink(missing_ok=True)
    return metrics


def _summary(state: LMState) -> dict:
    last = state.history[-1]
    return {
        "steps": state.step, "total_steps": state.total_steps, "finished": state.finished,
        "tokens": state.tokens, "train_seconds": state.seconds,
        "tokens_per_second": state.tokens / max(state.seconds, 1e-9),
        "train_loss": last["train_loss"], "valid_loss": last["valid_loss"],
        "valid_perplexity": last["valid_perplexity"],
    }
