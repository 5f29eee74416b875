"""Commands that choose between runs: `tune`, `tune show`, `runs`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    ConfigOption,
    ReportFormat,
    SetOption,
    app,
    errors_to_exit_codes,
    print_report,
)

tune_app = typer.Typer(
    help="Search settings on the dev split with Optuna (`tune show` to look at a study).",
    invoke_without_command=True,
)
app.add_typer(tune_app, name="tune")

StudyOption = Annotated[
    Optional[str], typer.Option("--study", help="Study name [default: the config's name].")
]
StorageOption = Annotated[
    str, typer.Option("--storage", help="Where the study lives: any SQLAlchemy URL.")
]


class Pruner(str, Enum):
    median = "median"
    halving = "halving"
    none = "none"


class PlotFormat(str, Enum):
    png = "png"
    html = "html"


class Metric(str, Enum):
    accuracy = "accuracy"
    macro_f1 = "macro_f1"


@tune_app.callback()
@errors_to_exit_codes
def tune_command(
    ctx: typer.Context,
    space: Annotated[
        Optional[Path], typer.Option(help="Search space YAML: dotted config keys, ranges or choices.")
    ] = None,
    config: ConfigOption = None,
    set_: SetOption = None,
    trials: Annotated[
        int, typer.Option(min=1, help="Finished trials the study should hold (all processes).")
    ] = 20,
    timeout: Annotated[
        Optional[float], typer.Option(min=0, help="Start no new trial after this many minutes.")
    ] = None,
    study: StudyOption = None,
    storage: StorageOption = "sqlite:///tune.db",
    output: Annotated[
        Optional[Path], typer.Option(help="Trial runs and best.yaml [default: runs/tune-<study>].")
    ] = None,
    pruner: Annotated[Pruner, typer.Option(help="Stop poor trials after an epoch.")] = Pruner.median,
) -> None:
    """Run or continue an Optuna study maximising the dev metric; the test split is never read."""
    if ctx.invoked_subcommand is not None:
        return
    if space is None:
        raise typer.BadParameter("a search space file is required", param_hint="--space")
    from rich.console import Console

    from sentiment_rnn.config import load_config
    from sentiment_rnn.tuning.storage import quiet_optuna

    quiet_optuna()
    from sentiment_rnn.rnn.distributed import refuse_launched
    from sentiment_rnn.tuning.study import TuneInterrupted, tune

    refuse_launched(
        "tune", "tune runs each trial in one process (start several tune processes on one study instead)"
    )

    resolved = load_config(config, set_)
    log = Console(stderr=True, soft_wrap=True)
    try:
        result = tune(
            resolved, space, trials, timeout_minutes=timeout, study_name=study,
            storage=storage, output=output, pruner=pruner.value, console=log,
        )
    except TuneInterrupted as stop:
        typer.echo(stop.message, err=True)
        raise typer.Exit(130) from None
    _print_tune_summary(result)


def _print_tune_summary(result: dict) -> None:
    states = ", ".join(f"{count} {state}" for state, count in result["states"].items())
    pruned = "; ".join(f"{n} after epoch {e}" for e, n in sorted(result["pruned_after_epoch"].items()))
    typer.echo(f"study {result['study']!r}: {result['finished']} of {result['target']} trials "
               f"finished ({states}); {result['ran_here']} ran in this process"
               + (f"; pruned: {pruned}" if pruned else ""))
    best = result["best"]
    if best is None:
        typer.echo("no completed trial yet")
        return
    settings = ", ".join(f"{key}={value}" for key, value in best["params"].items())
    typer.echo(f"best: trial {best['number']}, dev {result['metric']} {best['value']:.4f} ({settings})")
    typer.echo(f"best config: {result['best_config']}  "
               f"(sentiment-rnn {'baseline' if result['kind'] == 'baseline' else 'train'} "
               f"--config {result['best_config']})")


@tune_app.command("show")
@errors_to_exit_codes
def tune_show(
    study: Annotated[str, typer.Option("--study", help="The study's name.")],
    storage: StorageOption = "sqlite:///tune.db",
    format: Annotated[ReportFormat, typer.Option(help="table or json.")] = ReportFormat.table,
    plot: Annotated[
        Optional[Path], typer.Option(help="Write Optuna's plots of the study into this folder.")
    ] = None,
    plot_format: Annotated[PlotFormat, typer.Option(help="png or html.")] = PlotFormat.png,
) -> None:
    """A study's trials (settings, dev metric per epoch, state), importances and plots."""
    from sentiment_rnn.tuning.storage import quiet_optuna

    quiet_optuna()
    from sentiment_rnn.tuning.show import study_report, write_plots

    report = study_report(study, storage)
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")  # files only, never a window
        report["plots"] = [str(p) for p in write_plots(study, storage, plot, plot_format.value)]
    from sentiment_rnn.render.tuning import study_tables

    print_report(report, format, study_tables)
    if plot is not None and format is ReportFormat.table:
        typer.echo("plots: " + ", ".join(report["plots"]))


@app.command("runs")
@errors_to_exit_codes
def runs_command(
    dir: Annotated[Path, typer.Option("--dir", help="Folder to search for run directories.")] = Path("runs"),
    format: Annotated[ReportFormat, typer.Option(help="table or json.")] = ReportFormat.table,
    metric: Annotated[Metric, typer.Option(help="Dev metric to sort by.")] = Metric.accuracy,
) -> None:
    """Every run under a folder (RNN and baseline, finished or not), best dev metric first."""
    from sentiment_rnn.leaderboard import list_runs
    from sentiment_rnn.render.tuning import runs_table

    rows = list_runs(dir, metric.value)
    print_report(rows, format, lambda rows: [runs_table(rows, metric.value)])
