"""`sentiment-rnn tune`: an Optuna study over a search space, maximising a dev metric.

Each trial is an ordinary run directory (`<output>/trial-NNNN`) trained by `rnn.train.train` or
`baseline.train.train_baseline` with the test split left unread (trials.py). RNN trials report their dev metric
after every epoch, and the pruner may stop them there. The study lives in a database: a second
process on the same storage shares the work, and a killed one loses nothing (storage.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from rich.console import Console

from sentiment_rnn.config import Config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.tuning.space import Space, from_optuna
from sentiment_rnn.tuning.storage import (
    fail_lost_trials,
    import_optuna,
    open_storage,
    retry_callback,
)
from sentiment_rnn.tuning.trials import (
    FINISHED,
    Search,
    State,
    SurplusTrial,
    count,
    objective,
    trial_config,
)

optuna = import_optuna()
WAIT_SECONDS = 2.0
PRUNERS = ("median", "halving", "none")


class TuneInterrupted(KeyboardInterrupt):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def make_pruner(name: str):
    if name == "median":  # the first five trials always finish: they set the median
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=0)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise UserError(f"--pruner {name!r}: accepted: {', '.join(PRUNERS)}")


def open_study(name: str, url: str, base: Config, space: Space, pruner: str):
    """Create the study, or continue it if it was started with the same config and space."""
    storage = open_storage(url)
    study = optuna.create_study(
        study_name=name, storage=storage, direction="maximize", load_if_exists=True,
        pruner=make_pruner(pruner), sampler=optuna.samplers.TPESampler(),
    )
    expected = {
        "config_sha256": hashlib.sha256(base.to_yaml().encode("utf-8")).hexdigest(),
        "space": {param.key: param.describe() for param in space.params},
        "kind": space.kind,
        "metric": base.training.metric,
    }
    for key, value in expected.items():
        found = study.user_attrs.get(key)
        if found is None:
            study.set_user_attr(key, value)
        elif found != value:
            what = "config (after --set)" if key == "config_sha256" else key
            raise UserError(
                f"study {name!r} in {url} was started with another {what}"
                f"{'' if key == 'config_sha256' else f' ({found!r}, now {value!r})'}; "
                "continue it with the same --config, --set and --space, or pass a new --study"
            )
    return study, storage


def run_study(ctx: Search, timeout_minutes: float | None) -> list[int]:
    """Run trials until the study holds `ctx.trials` finished ones (or the timeout passes);
    returns the numbers of this process's trials."""
    deadline = None if timeout_minutes is None else time.monotonic() + timeout_minutes * 60
    mine: list[int] = []
    waiting_said = False
    while count(ctx.study, FINISHED) < ctx.trials:
        if deadline is not None and time.monotonic() >= deadline:
            break
        for number in fail_lost_trials(ctx.study, ctx.storage):
            _say(ctx, f"trial {number} was left running by a process that is gone: queued again")
        if count(ctx.study, (*FINISHED, State.RUNNING)) >= ctx.trials:
            if not waiting_said:  # the rest are running in other processes
                _say(ctx, "the remaining trials are running in other processes; waiting for them")
                waiting_said = True
            time.sleep(WAIT_SECONDS)
            continue
        ctx.current = None
        try:
            ctx.study.optimize(lambda trial: objective(ctx, trial), n_trials=1, catch=(SurplusTrial,))
        except KeyboardInterrupt:
            raise _interrupted(ctx) from None
        if ctx.current is not None:
            mine.append(ctx.current)
            _after_trial(ctx, ctx.current)
    write_best_config(ctx)
    return mine


def _after_trial(ctx: Search, number: int) -> None:
    trial = ctx.study.get_trials(deepcopy=False)[number]
    if trial.user_attrs.get("surplus"):
        return
    if trial.state == State.PRUNED:
        last = max(trial.intermediate_values, default=0)
        _say(ctx, f"trial {number}: pruned after epoch {last}")
    elif trial.state == State.COMPLETE:
        best = ctx.study.best_trial
        _say(ctx, f"trial {number}: dev {ctx.metric} {trial.value:.4f} "
                  f"(best: trial {best.number}, {best.value:.4f})")
        write_best_config(ctx)


def _say(ctx: Search, line: str) -> None:
    if ctx.console is not None:
        ctx.console.print(line)


def _interrupted(ctx: Search) -> TuneInterrupted:
    """Ctrl-C: the trial that was running is queued again, to run first when the study goes on."""
    queued = ""
    if ctx.current is not None:
        trial = ctx.study.get_trials(deepcopy=False)[ctx.current]
        if trial.state == State.FAIL and trial.user_attrs.get("pid") == os.getpid():
            retry_callback()(ctx.study, trial)
            queued = f"trial {trial.number} is queued to run again; "
    done = count(ctx.study, FINISHED)
    return TuneInterrupted(
        f"interrupted: {done} of {ctx.trials} trials finished, {queued}run the same "
        "command again to continue the study"
    )


def best_config_path(ctx: Search) -> Path:
    return ctx.output / "best.yaml"


def write_best_config(ctx: Search) -> Path | None:
    """The best trial's resolved config as YAML that `train --config` accepts."""
    if count(ctx.study, (State.COMPLETE,)) == 0:
        return None
    best = ctx.study.best_trial
    values = {param.key: from_optuna(param, best.params[param.key]) for param in ctx.space.params
              if param.key in best.params}
    config = trial_config(ctx.base, values)
    header = (
        f"# Best trial of study {ctx.study.study_name!r}: trial {best.number}, dev {ctx.metric} "
        f"{best.value:.4f}\n# settings: {json.dumps(values)}\n"
        f"#   sentiment-rnn train --config {best_config_path(ctx)}\n"
    )
    ctx.output.mkdir(parents=True, exist_ok=True)
    atomic_write(best_config_path(ctx), header + config.to_yaml())
    return best_config_path(ctx)


def tune(
    config: Config,
    space_path: Path,
    trials: int,
    *,
    timeout_minutes: float | None = None,
    study_name: str | None = None,
    storage: str = "sqlite:///tune.db",
    output: Path | None = None,
    pruner: str = "median",
    console: Console | None = None,
) -> dict:
    """The whole `tune` command: run (or continue) the study; returns its summary."""
    from sentiment_rnn.tuning.space import load_space

    base = config.with_absolute_paths()
    space = load_space(space_path, base.model_dump(mode="json"))
    name = study_name or base.name
    output = output or Path("runs") / f"tune-{name}"
    study, storage_object = open_study(name, storage, base, space, pruner)
    ctx = Search(study, storage_object, base, space, trials, output, console)
    mine = run_study(ctx, timeout_minutes)
    return summary(ctx, mine)


def summary(ctx: Search, mine: list[int]) -> dict:
    trials = [t for t in ctx.study.get_trials(deepcopy=False) if not t.user_attrs.get("surplus")]
    states = {state.name.lower(): sum(t.state == state for t in trials) for state in State}
    pruned_after: dict[str, int] = {}
    for t in trials:
        if t.state == State.PRUNED:
            epoch = str(max(t.intermediate_values, default=0))
            pruned_after[epoch] = pruned_after.get(epoch, 0) + 1
    best = None
    if states["complete"]:
        b = ctx.study.best_trial
        best = {"number": b.number, "value": b.value, "params": b.params,
                "run_dir": b.user_attrs.get("run_dir")}
    return {
        "study": ctx.study.study_name, "metric": ctx.metric, "kind": ctx.space.kind,
        "target": ctx.trials, "finished": states["complete"] + states["pruned"],
        "states": {k: v for k, v in states.items() if v}, "pruned_after_epoch": pruned_after,
        "ran_here": len(mine), "best": best,
        "best_config": str(best_config_path(ctx)) if best else None, "output": str(ctx.output),
    }
