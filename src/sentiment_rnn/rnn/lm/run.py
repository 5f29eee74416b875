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
import time
from pathlib import Path

from sentiment_rnn import runs
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.outputs import check_not_an_input, config_inputs, staged_dir
from sentiment_rnn.rnn.lm.checkpoint import (
    checkpoint_path,
    checkpoint_step,
    load_lm_checkpoint,
)
from sentiment_rnn.rnn.lm.corpus import Corpus, build_corpus, stream_fingerprint
from sentiment_rnn.rnn.lm.directions import Job, Reporter, build_trainer, train_directions
from sentiment_rnn.rnn.lm.loop import LMState
from sentiment_rnn.rnn.lm.model import LanguageModel
from sentiment_rnn.rnn.lm.processes import run_in_processes
from sentiment_rnn.rnn.lm.rundir import STREAMS, save_lm_run
from sentiment_rnn.rnn.model import count_parameters
from sentiment_rnn.rnn.runtime import resolve_device, scoped


class PretrainInterrupted(KeyboardInterrupt):
    """Ctrl-C during pretraining, with the step of each direction's last checkpoint."""

    def __init__(self, run_dir: Path, steps: dict[str, int | None]) -> None:
        super().__init__()
        self.run_dir, self.steps = run_dir, steps
        self.replaces: Path | None = None  # the run a `--force` was to replace, left untouched


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
    """The whole `pretrain` command: returns the run directory and its metrics.

    With `force`, a non-empty `output` is replaced only once the new run is complete (built
    beside it, as `train` does), so a mistake or an interruption leaves the old run whole.
    """
    config = config.with_absolute_paths()
    check_config(config)
    target = output or runs.default_run_dir(f"{config.name}-lm")
    check_not_an_input(target, config_inputs(config))
    try:
        with staged_dir(target, force) as run_dir:
            atomic_write(run_dir / runs.CONFIG, config.to_yaml())
            _, metrics = _pretrain_into(run_dir, config, reporter or Reporter())
    except PretrainInterrupted as stop:
        stop.replaces = target if stop.run_dir != target else None
        raise
    return target, metrics


def resume_pretrain(run_dir: Path, reporter: Reporter | None = None) -> tuple[Path, dict]:
    """`pretrain --resume`: continue each direction from its last checkpoint."""
    if not (run_dir / runs.CONFIG).is_file():
        raise UserError(f"{run_dir}: no {runs.CONFIG}, so not a run directory to resume")
    if (run_dir / runs.META).exists():
        raise UserError(f"{run_dir}: this run already finished ({runs.META} exists); nothing to resume")
    config = read_config(run_dir / runs.CONFIG)
    check_config(config)
    return _pretrain_into(run_dir, config, reporter or Reporter())


def _pretrain_into(run_dir: Path, config: Config, reporter: Reporter) -> tuple[Path, dict]:
    start = time.perf_counter()
    corpus = build_corpus(config)
    atomic_write(run_dir / runs.TOKENIZER, corpus.tokenizer.to_str(pretty=True))
    fingerprints = {
        "config.yaml": hashlib.sha256(config.to_yaml().encode("utf-8")).hexdigest(),
        "token streams": stream_fingerprint(corpus),
    }
    job = Job(run_dir, config, fingerprints, directions_of(config))
    reporter.message(
        f"{corpus.records['stream_texts']:,} texts, {len(corpus.train):,} tokens in the stream; "
        f"{len(corpus.valid):,} held-out tokens; vocabulary {corpus.tokenizer.get_vocab_size():,}; "
        f"directions {', '.join(job.directions)} in {config.pretrain.processes} process(es)"
        + ("; streams read from the token cache" if corpus.cache_hit else "")
    )
    try:
        if config.pretrain.processes == 2:
            run_in_processes(job, corpus, reporter)
        else:  # the caller's thread count and RNG are restored afterwards
            with scoped(config.training.num_threads, config.seed, resolve_device(config.training.device)):
                run_in_process(job, corpus, reporter)
    except KeyboardInterrupt:
        steps = {d: checkpoint_step(run_dir, d) for d in job.directions}
        raise PretrainInterrupted(run_dir, steps) from None
    return run_dir, _finish(job, corpus, time.perf_counter() - start)


def run_in_process(job: Job, corpus: Corpus, reporter: Reporter) -> None:
    vocab = corpus.tokenizer.get_vocab_size()
    trainers = [build_trainer(d, job, corpus.train, corpus.valid, vocab) for d in job.directions]
    train_directions(trainers, job, reporter)


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
