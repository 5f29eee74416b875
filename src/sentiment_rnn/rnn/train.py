"""Training runs: prepare the data, fit, save a self-contained run directory; or resume one.

The run directory gets `config.yaml` first, then `history.jsonl` and `checkpoint.safetensors`
after every epoch, and the finished run's files at the end (`meta.json` last).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console
from tokenizers import Tokenizer

from sentiment_rnn import runlock, runs
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.data.dataset import Dataset, Split, load_dataset, split_records
from sentiment_rnn.data.tokenizer import encode
from sentiment_rnn.data.tokens import prepare_tokens
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.outputs import KeepOutput, check_not_an_input, config_inputs, staged_dir
from sentiment_rnn.render.progress import ProgressBar, epoch_line
from sentiment_rnn.rnn import distributed
from sentiment_rnn.rnn.batching import num_batches
from sentiment_rnn.rnn.calibrate import fit_run_temperature
from sentiment_rnn.rnn.checkpoint import (
    CHECKPOINT,
    TrainingState,
    check_fingerprints,
    check_finite_loss,
    check_room_for_checkpoints,
    check_world_size,
    checkpoint_epoch,
    fingerprints,
    load_checkpoint,
    remove_checkpoint,
    save_checkpoint,
    write_or_explain,
)
from sentiment_rnn.rnn.embeddings import load_pretrained
from sentiment_rnn.rnn.fit import Encoded, FitResult, evaluate_encoded, fit
from sentiment_rnn.rnn.lm.rundir import LMRun, load_lm_run
from sentiment_rnn.rnn.lm.transfer import check_fits, check_no_leak, load_pretrained_weights
from sentiment_rnn.rnn.model import SentimentRNN, count_parameters
from sentiment_rnn.rnn.run import save_run
from sentiment_rnn.rnn.runtime import check_memory, resolve_device, scoped
from sentiment_rnn.tracking import Tracker


@dataclass
class Prepared:
    dataset: Dataset
    tokenizer: Tokenizer
    train: Encoded
    dev: Encoded
    test: Encoded | None
    pretrained: LMRun | None = None  # model.init_from's language models


@dataclass
class RunOptions:
    """What `tune` (or `train --dev-only`) asks of a run: an extra per-epoch hook (it reports to
    the pruner), no test evaluation (metrics' "test" is None), and data it prepared already for
    the same settings."""

    on_epoch: Callable[[dict], None] | None = None
    evaluate_test: bool = True
    prepared: Prepared | None = None


class RunStopped(KeepOutput):
    """Raised by an `on_epoch` hook to end a run on purpose (a pruned trial): not a failure."""


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training, with where to resume from (`epoch` None: no checkpoint yet);
    `replaces`: the run a `--force` was to replace, left untouched."""

    def __init__(self, run_dir: Path, epoch: int | None) -> None:
        super().__init__()
        self.run_dir, self.epoch = run_dir, epoch
        self.replaces: Path | None = None


def encode_split(split: Split, tokenizer: Tokenizer, config: Config, labels: list[str]) -> Encoded:
    index = {label: i for i, label in enumerate(labels)}
    ids = encode(tokenizer, split.texts, config.tokenizer.max_length, config.tokenizer.truncation)
    return Encoded(ids, [index[label] for label in split.labels])


def prepare(config: Config) -> Prepared:
    """Read the data, fit the tokenizer on the training texts, encode every split, through the
    token cache (`data/tokens.py`); with `model.init_from`, the texts are read to check that the
    language models never saw dev or test, and their tokenizer is used."""
    if config.model.init_from is None:
        tokens = prepare_tokens(config)
        ids = {name: Encoded(split.ids, split.targets) for name, split in tokens.splits.items()}
        return Prepared(tokens.dataset, tokens.tokenizer, ids["train"], ids["dev"], ids.get("test"))
    dataset = load_dataset(config.data, config.seed)
    pretrained = load_lm_run(config.model.init_from)
    check_fits(pretrained, config.model)
    held_out = {"dev": dataset.dev.texts, "test": [] if dataset.test is None else dataset.test.texts}
    check_no_leak(pretrained, held_out)
    tokenizer, labels = pretrained.tokenizer, dataset.labels
    encoded = [None if split is None else encode_split(split, tokenizer, config, labels)
               for split in (dataset.train, dataset.dev, dataset.test)]
    return Prepared(dataset, tokenizer, *encoded, pretrained)


def build_model(
    config: Config, tokenizer: Tokenizer, num_classes: int, pretrained: LMRun | None = None
) -> SentimentRNN:
    model = SentimentRNN(tokenizer.get_vocab_size(), num_classes, config.model)
    if pretrained is not None:
        load_pretrained_weights(model, pretrained)
    if config.model.pretrained_embeddings is not None:
        load_pretrained(model.embedding, tokenizer, config.model.pretrained_embeddings)
    if config.model.freeze_embeddings:
        model.embedding.weight.requires_grad_(False)
    return model


def train(
    config: Config,
    output: Path | None = None,
    force: bool = False,
    console: Console | None = None,
    options: RunOptions | None = None,
) -> tuple[Path, dict]:
    """The whole `train` command: returns the run directory and its metrics.

    With `force`, a non-empty `output` is replaced only once the new run is complete: it is
    built beside (`<output>.new`), so a mistake or an interruption leaves the old run whole.
    Under torchrun only rank 0 has a run directory; the others train and return ({}: no metrics).
    """
    config = config.with_absolute_paths()
    if not distributed.is_main():
        return _train_into(None, config, None, None, options or RunOptions())
    target = output or runs.default_run_dir(config.name)
    check_not_an_input(target, config_inputs(config))
    try:
        with staged_dir(target, force) as run_dir:
            atomic_write(run_dir / runs.CONFIG, config.to_yaml())
            _, metrics = _train_into(run_dir, config, None, console, options or RunOptions())
    except TrainingInterrupted as stop:
        stop.replaces = target if stop.run_dir != target else None
        raise
    return target, metrics


def resume_config(run_dir: Path) -> Config:
    """The config of an unfinished run, to resume it with; a finished run is refused."""
    if not (run_dir / runs.CONFIG).is_file():
        raise UserError(f"{run_dir}: no {runs.CONFIG}, so not a run directory to resume")
    if (run_dir / runs.META).exists():
        raise UserError(f"{run_dir}: this run already finished ({runs.META} exists); nothing to resume")
    return read_config(run_dir / runs.CONFIG)


def resume(
    run_dir: Path, console: Console | None = None, options: RunOptions | None = None
) -> tuple[Path, dict]:
    """`train --resume`: continue an unfinished run from its last checkpoint, with its own config.
    The run directory is locked first: a run still being trained is refused."""
    if not run_dir.is_dir():
        raise UserError(f"{run_dir}: no {runs.CONFIG}, so not a run directory to resume")
    with runlock.locked(*([run_dir] if distributed.is_main() else [])):  # rank 0 holds it
        config = resume_config(run_dir)
        state = load_checkpoint(run_dir)
        if console is not None:
            where = "the start (no checkpoint yet)" if state is None else f"after epoch {state.epoch}"
            console.print(f"resuming {run_dir} from {where}")
        return _train_into(run_dir, config, state, console, options or RunOptions())


def set_up(
    config: Config, prepared: Prepared | None = None
) -> tuple[torch.device, Prepared, SentimentRNN]:
    """The device, the prepared data (unless given) and a fresh model on the device. Call it
    inside `runtime.scoped(...)`, which seeds the model's initialisation (`_train_into` does)."""
    device = resolve_device(config.training.device)
    prepared = prepared or prepare(config)  # uses no torch RNG: the model starts the same
    labels = len(prepared.dataset.labels)
    check_memory(config.model, prepared.tokenizer.get_vocab_size(), labels)
    model = build_model(config, prepared.tokenizer, labels, prepared.pretrained).to(device)
    return device, prepared, model


def _train_into(
    run_dir: Path | None, config: Config, state: TrainingState | None, console: Console | None,
    options: RunOptions,
) -> tuple[Path, dict]:
    device = distributed.on_this_rank(resolve_device(config.training.device))
    threads = config.training.num_threads or distributed.threads_per_rank()
    with scoped(threads, config.seed, device):
        return _train_scoped(run_dir, config, state, console, options)


def _train_scoped(
    run_dir: Path, config: Config, state: TrainingState | None, console: Console | None,
    options: RunOptions,
) -> tuple[Path, dict]:
    device, prepared, model = set_up(config, options.prepared)
    labels = prepared.dataset.labels
    records = split_records(prepared.dataset)
    found = fingerprints(config, records)
    if state is not None:
        check_fingerprints(run_dir / CHECKPOINT, state.fingerprints, found)
        check_world_size(run_dir / CHECKPOINT, state.world_size, distributed.world_size())
    if run_dir is None or not distributed.is_main():  # another rank: its share, no files
        distributed.ready(found)
        fit(model, prepared.train, prepared.dev, labels, config.training, device, config.seed,
            on_epoch=lambda record: check_finite_loss(record, None), resume=state)
        return run_dir, {}
    check_room_for_checkpoints(run_dir, count_parameters(model))
    _rewrite_history(run_dir, [] if state is None else state.history)
    if console is not None:
        console.print(
            f"{len(prepared.train.ids):,} train / {len(prepared.dev.ids):,} dev examples, "
            f"labels {labels}, vocabulary {prepared.tokenizer.get_vocab_size():,}, "
            f"{count_parameters(model):,} parameters, device {device}"
            + (_threads(torch.get_num_threads()) if device.type == "cpu" else "")
        )

    def on_checkpoint(snapshot: TrainingState) -> None:
        snapshot.fingerprints = found
        write_or_explain(lambda: save_checkpoint(run_dir, snapshot), run_dir)

    steps_per_epoch = num_batches(len(prepared.train.ids), config.training.batch_size)
    tracker = Tracker(config, run_dir, first_step=0 if state is None else state.epoch * steps_per_epoch)

    def on_epoch(record: dict) -> None:
        check_finite_loss(record, run_dir)
        runs.append_history(run_dir, record)
        tracker.epoch(record)
        if console is not None:
            console.print(epoch_line(record))
        if options.on_epoch is not None:
            options.on_epoch(record)

    distributed.ready(found)  # every rank set up alike: the first collective step
    try:
        with ProgressBar(console) as progress:
            result = fit(
                model, prepared.train, prepared.dev, labels, config.training, device, config.seed,
                progress, on_epoch, resume=state, on_checkpoint=on_checkpoint,
                on_step=tracker.step if tracker else None,
            )
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt) or distributed.lost_peer(err):  # Ctrl-C
            tracker.close("KILLED")
            raise TrainingInterrupted(run_dir, checkpoint_epoch(run_dir)) from None
        tracker.close("KILLED" if isinstance(err, RunStopped) else "FAILED")
        raise
    metrics = _final_metrics(model, prepared, config, device, result, records, options.evaluate_test)
    test = prepared.test if options.evaluate_test else None  # a tuning trial never scores test
    temperature = fit_run_temperature(model, prepared.dev, test, config.training.batch_size * 2, device, metrics)
    write_or_explain(
        lambda: save_run(
            run_dir, model.cpu(), prepared.tokenizer, labels, config, metrics, temperature
        ),
        run_dir,
    )
    remove_checkpoint(run_dir)
    tracker.finish(metrics, run_dir)
    return run_dir, metrics


def _threads(count: int) -> str:
    return f", {count} thread{'' if count == 1 else 's'}"


def _final_metrics(
    model, prepared: Prepared, config: Config, device, result: FitResult, records: dict,
    evaluate_test: bool = True,
) -> dict:
    labels, batch_size = prepared.dataset.labels, config.training.batch_size * 2
    return {
        "dev": evaluate_encoded(model, prepared.dev, labels, batch_size, device),
        "test": None
        if prepared.test is None or not evaluate_test
        else evaluate_encoded(model, prepared.test, labels, batch_size, device),
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        "stopped_early": result.stopped_early,
        "train_seconds": result.seconds,
        "world_size": distributed.world_size(),  # processes that trained it (torchrun)
        "splits": records,
    }


def _rewrite_history(run_dir: Path, history: list[dict]) -> None:
    """history.jsonl as of the checkpoint (epochs logged after it are run again)."""
    atomic_write(run_dir / runs.HISTORY, "".join(json.dumps(r) + "\n" for r in history))
