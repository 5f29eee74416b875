"""One trial: sample the settings, train a normal run directory, report each epoch to the pruner.

RNN trials run `train.train` and baseline trials `baseline.train_baseline`, both with the test
split left unread. A process prepares the data once and reuses it while the trials vary only the
model and training settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from sentiment_rnn.config import Config, validate_config
from sentiment_rnn.config_file import apply_override
from sentiment_rnn.rnn.train import RunStopped
from sentiment_rnn.tuning.space import Param, Space, from_optuna, overrides
from sentiment_rnn.tuning.storage import import_optuna, mark_owner

optuna = import_optuna()
State = optuna.trial.TrialState
FINISHED = (State.COMPLETE, State.PRUNED)


class TrialPruned(RunStopped, optuna.TrialPruned):
    """The pruner stopped this trial after an epoch (a planned stop, not a failure)."""


class SurplusTrial(Exception):
    """Another process started the study's last trial at the same moment: this one is not run."""


@dataclass
class Search:
    """A running search: the Optuna study and its storage, the base config, the space, where runs go."""

    study: Any
    storage: Any
    base: Config
    space: Space
    trials: int
    output: Path
    console: Console | None
    current: int | None = None  # the number of the trial this process runs now
    data: dict = field(default_factory=dict)  # prepared data by the settings it depends on

    @property
    def metric(self) -> str:
        return self.base.training.metric


def count(study, states) -> int:
    return len(study.get_trials(deepcopy=False, states=states))


def is_surplus(study, trial, total: int) -> bool:
    """Whether trials before this one (finished, running, queued) already make `total`."""
    before = [
        t for t in study.get_trials(deepcopy=False, states=(*FINISHED, State.RUNNING))
        if t.number < trial.number
    ]
    return len(before) + count(study, (State.WAITING,)) >= total


def _suggest(trial, param: Param) -> Any:
    if param.choices:
        return from_optuna(param, trial.suggest_categorical(param.key, param.optuna_choices()))
    if param.integer:
        return trial.suggest_int(param.key, int(param.low), int(param.high), log=param.log)
    return trial.suggest_float(param.key, param.low, param.high, log=param.log)


def trial_config(base: Config, values: dict[str, Any]) -> Config:
    """The base config with the sampled values set (validated: the space was checked already)."""
    raw = base.model_dump(mode="json")
    for item in overrides(values):
        apply_override(raw, item)
    return validate_config(raw, source="trial settings")


def objective(ctx: Search, trial) -> float:
    mark_owner(trial)
    ctx.current = trial.number
    if is_surplus(ctx.study, trial, ctx.trials):
        trial.set_user_attr("surplus", True)
        raise SurplusTrial()
    values = {param.key: _suggest(trial, param) for param in ctx.space.params}
    config = trial_config(ctx.base, values)
    run_dir = ctx.output / f"trial-{trial.number:04d}"
    trial.set_user_attr("run_dir", str(run_dir.resolve()))
    if ctx.console is not None:
        shown = ", ".join(f"{key}={json.dumps(value)}" for key, value in values.items())
        ctx.console.print(f"[bold]trial {trial.number}[/bold]: {shown} -> {run_dir}")
    if ctx.space.kind == "baseline":
        from sentiment_rnn.baseline.train import train_baseline

        _, metrics = train_baseline(config, run_dir, evaluate_test=False)
    else:
        _, metrics = _train_rnn(ctx, trial, config, run_dir)
    return float(metrics["dev"][ctx.metric])


def _train_rnn(ctx: Search, trial, config: Config, run_dir: Path):
    from sentiment_rnn.rnn.checkpoint import remove_checkpoint
    from sentiment_rnn.rnn.train import RunOptions, train

    def report(record: dict) -> None:
        trial.report(record[f"dev_{ctx.metric}"], record["epoch"])
        if trial.should_prune():
            raise TrialPruned(f"pruned after epoch {record['epoch']}")

    from sentiment_rnn.rnn.train import prepare

    key = json.dumps([config.seed, config.data.model_dump(mode="json"),
                      config.tokenizer.model_dump(mode="json")])
    if config.model.init_from is not None:  # prepare checks the language models against the model
        ctx.data = {}
    elif key not in ctx.data:  # trials that vary only the model or training share the data
        ctx.data = {key: prepare(config)}
    try:
        options = RunOptions(on_epoch=report, evaluate_test=False, prepared=ctx.data.get(key))
        return train(config, run_dir, console=ctx.console, options=options)
    except TrialPruned:
        remove_checkpoint(run_dir)  # a pruned trial keeps its config and history, not 2 copies of weights
        raise
