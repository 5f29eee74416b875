"""`sentiment-rnn tune show`: a study's trials, parameter importances and Optuna's own plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentiment_rnn.errors import UserError
from sentiment_rnn.tuning.storage import EXTRA, import_optuna, load_existing_study

PLOTS = ("optimization_history", "parallel_coordinate", "intermediate_values", "param_importances")


def trial_state(trial) -> str:
    if trial.user_attrs.get("surplus"):
        return "surplus"  # started at the same moment as the study's last trial; not run
    return trial.state.name.lower()


def trial_record(trial) -> dict[str, Any]:
    seconds = None
    if trial.datetime_start is not None and trial.datetime_complete is not None:
        seconds = (trial.datetime_complete - trial.datetime_start).total_seconds()
    return {
        "number": trial.number,
        "state": trial_state(trial),
        "value": trial.value,
        "params": dict(trial.params),
        "dev_by_epoch": {str(step): value for step, value in sorted(trial.intermediate_values.items())},
        "seconds": seconds,
        "run_dir": trial.user_attrs.get("run_dir"),
        "retry_of": trial.system_attrs.get("failed_trial"),
    }


def importances(study) -> tuple[dict[str, float] | None, str | None]:
    """Optuna's parameter importances over the completed trials, or why there are none."""
    optuna = import_optuna()
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2:
        return None, f"{len(complete)} completed trial(s); importances need at least 2"
    try:
        return dict(optuna.importance.get_param_importances(study)), None
    except (RuntimeError, ValueError) as err:
        return None, str(err).splitlines()[0]


def study_report(name: str, storage: str) -> dict[str, Any]:
    study = load_existing_study(name, storage)
    trials = [trial_record(trial) for trial in study.get_trials(deepcopy=False)]
    found, why = importances(study)
    complete = [t for t in trials if t["state"] == "complete"]
    best = max(complete, key=lambda t: t["value"], default=None)
    return {
        "study": name,
        "storage": storage,
        "metric": study.user_attrs.get("metric"),
        "kind": study.user_attrs.get("kind"),
        "space": study.user_attrs.get("space"),
        "best": best,
        "importances": found,
        "importances_note": why,
        "trials": trials,
    }


def write_plots(name: str, storage: str, directory: Path, fmt: str) -> list[Path]:
    """Optuna's plots of the study, as PNG (matplotlib) or HTML (plotly), into `directory`."""
    optuna = import_optuna()
    study = load_existing_study(name, storage)
    if not study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        raise UserError(f"study {name!r} has no completed trial yet: nothing to plot")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for plot in PLOTS:
        path = directory / f"{plot}.{fmt}"
        try:
            if fmt == "png":
                _png(optuna, study, plot, path)
            else:
                _html(optuna, study, plot, path)
        except (ValueError, RuntimeError):
            continue  # e.g. importances of a single completed trial: skipped, the rest drawn
        written.append(path)
    return written


def _png(optuna, study, plot: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    axes = getattr(optuna.visualization.matplotlib, f"plot_{plot}")(study)
    figure = axes.figure if hasattr(axes, "figure") else axes.flat[0].figure
    figure.set_size_inches(10, 6)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _html(optuna, study, plot: str, path: Path) -> None:
    try:
        import plotly  # noqa: F401
    except ImportError:
        raise UserError(f"HTML plots need plotly, which is not installed: {EXTRA}") from None
    figure = getattr(optuna.visualization, f"plot_{plot}")(study)
    figure.write_html(str(path), include_plotlyjs=True)  # self-contained: opens offline
