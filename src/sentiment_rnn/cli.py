"""The `sentiment-rnn` command line: parse arguments, call the library, map errors to exit codes.

User mistakes (`UserError`) print one line on stderr and exit 1; bad arguments exit 2 (Typer);
Ctrl-C exits 130.
"""

from __future__ import annotations

import functools
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.errors import UserError

app = typer.Typer(
    help="Recurrent-network sentiment classification for review text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Show or check a config.", no_args_is_help=True)
app.add_typer(config_app, name="config")

ConfigOption = Annotated[
    Optional[Path],
    typer.Option("--config", "-c", help="YAML config [default: configs/default.yaml]."),
]
SetOption = Annotated[
    Optional[list[str]],
    typer.Option("--set", help="Override a config value, e.g. training.epochs=5 (repeatable)."),
]
ModelOption = Annotated[
    Optional[Path], typer.Option("--model", "-m", help="Run directory [default: runs/latest].")
]


class PredictFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


def _errors_to_exit_codes(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def _stdout():
    from rich.console import Console

    return Console(soft_wrap=True)


def _print_report(report: dict, format: ReportFormat, tables) -> None:
    """JSON for scripts, or the rich tables `tables(report)` returns."""
    if format is ReportFormat.json:
        typer.echo(json.dumps(report, indent=2))
        return
    console = _stdout()
    for table in tables(report):
        console.print(table)


def _print_split_metrics(console, metrics: dict) -> None:
    for split in ("dev", "test"):
        if metrics[split] is not None:
            console.print(
                f"{split}: accuracy {metrics[split]['accuracy']:.4f}, "
                f"macro-F1 {metrics[split]['macro_f1']:.4f} "
                f"({metrics[split]['num_examples']:,} examples)"
            )


@app.command()
@_errors_to_exit_codes
def train(
    config: ConfigOption = None,
    set_: SetOption = None,
    output: Annotated[
        Optional[Path], typer.Option(help="Run directory [default: runs/<name>-<timestamp>].")
    ] = None,
    force: Annotated[bool, typer.Option(help="Write into a non-empty --output directory.")] = False,
) -> None:
    """Train a model; the run directory becomes runs/latest."""
    from rich.console import Console

    from sentiment_rnn.artifact import check_latest_replaceable, point_latest
    from sentiment_rnn.config import load_config
    from sentiment_rnn.train import train as train_run

    resolved = load_config(config, set_)
    check_latest_replaceable()  # before training, not after it
    try:
        run_dir, metrics = train_run(resolved, output, force, Console(stderr=True, soft_wrap=True))
    except KeyboardInterrupt:
        typer.echo(
            "interrupted: the run directory is left unfinished (no meta.json) and "
            "runs/latest was not changed",
            err=True,
        )
        raise typer.Exit(130) from None
    point_latest(run_dir)
    console = _stdout()
    _print_split_metrics(console, metrics)
    console.print(f"best epoch {metrics['best_epoch']} of {metrics['epochs_run']}; saved to {run_dir}")


@app.command()
@_errors_to_exit_codes
def predict(
    texts: Annotated[Optional[list[str]], typer.Argument(help="Texts to classify.")] = None,
    model: ModelOption = None,
    file: Annotated[
        Optional[str], typer.Option("--file", "-f", help="One text per line; '-' reads stdin.")
    ] = None,
    baseline: Annotated[
        Optional[Path], typer.Option(help="Also a baseline run: both answers side by side.")
    ] = None,
    format: Annotated[PredictFormat, typer.Option("--format")] = PredictFormat.table,
) -> None:
    """Label texts, with the probability of every class (RNN or baseline run)."""
    from sentiment_rnn.files import read_lines
    from sentiment_rnn.output import predictions_table, predictions_text, side_by_side
    from sentiment_rnn.predict import load_predictor

    inputs = list(texts or []) + (read_lines(file) if file is not None else [])
    if not inputs:
        raise UserError("nothing to classify: give TEXT arguments or --file PATH (or --file -)")
    predictor = load_predictor(model)
    predictions = predictor.predict(inputs)
    if baseline is not None:
        from sentiment_rnn.baseline import BaselineModel

        other = BaselineModel.from_dir(baseline)
        if other.labels != predictor.labels:
            raise UserError(
                f"{baseline}: labels {other.labels} differ from the model's {predictor.labels}"
            )
        rendered = side_by_side(predictions, other.predict(inputs), predictor.labels, format.value)
        if format is PredictFormat.table:
            _stdout().print(rendered)
        else:
            typer.echo(rendered)
    elif format is PredictFormat.table:
        _stdout().print(predictions_table(predictions, predictor.labels))
    else:
        typer.echo(predictions_text(predictions, predictor.labels, format.value))


@app.command()
@_errors_to_exit_codes
def evaluate(
    model: ModelOption = None,
    data: Annotated[
        Optional[Path], typer.Option(help="Labelled file [default: the run's test split].")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Accuracy, macro-F1, per-class figures and the confusion matrix."""
    from sentiment_rnn.evaluate import evaluate as evaluate_run
    from sentiment_rnn.output import evaluation_tables

    _print_report(evaluate_run(model, data), format, evaluation_tables)


@app.command("baseline")
@_errors_to_exit_codes
def baseline_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    output: Annotated[
        Optional[Path], typer.Option(help="Run directory [default: runs/<name>-<kind>-<timestamp>].")
    ] = None,
    force: Annotated[bool, typer.Option(help="Write into a non-empty --output directory.")] = False,
) -> None:
    """Train the bag-of-words baseline on the same splits as `train` (config's baseline section)."""
    from sentiment_rnn.baseline import train_baseline
    from sentiment_rnn.config import load_config

    resolved = load_config(config, set_)
    run_dir, metrics = train_baseline(resolved, output, force)
    console = _stdout()
    console.print(f"{resolved.baseline.kind}: {metrics['num_features']:,} features, "
                  f"fitted in {metrics['train_seconds']:.1f} s")
    _print_split_metrics(console, metrics)
    console.print(f"saved to {run_dir}")


@app.command("compare")
@_errors_to_exit_codes
def compare_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    rnn: Annotated[Optional[Path], typer.Option(help="RNN run [default: train one].")] = None,
    baseline: Annotated[
        Optional[Path], typer.Option(help="Baseline run [default: train one].")
    ] = None,
    output: Annotated[
        Optional[Path], typer.Option(help="Report directory [default: runs/compare-<timestamp>].")
    ] = None,
    probes: Annotated[
        Optional[Path], typer.Option(help="Your own probe file (JSON Lines) instead of ours.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Write into a non-empty --output directory.")] = False,
) -> None:
    """RNN against bag of words on the same test split: figures, significance, probes, report."""
    from rich.console import Console

    from sentiment_rnn.compare import compare
    from sentiment_rnn.config import load_config
    from sentiment_rnn.report import print_summary

    resolved = load_config(config, set_)
    report = compare(
        resolved, rnn, baseline, output, Console(stderr=True, soft_wrap=True),
        force=force, probes=probes,
    )
    print_summary(report, _stdout())


@app.command("probe")
@_errors_to_exit_codes
def probe_command(
    model: ModelOption = None,
    probes: Annotated[
        Optional[Path], typer.Option(help="Your own probe file (JSON Lines) instead of ours.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Minimal pairs (negation, contrast, word order, ...): pass rates for one model."""
    from sentiment_rnn.predict import load_predictor
    from sentiment_rnn.probes import run_probes
    from sentiment_rnn.report import probe_table

    result = run_probes(load_predictor(model), probes)
    _print_report(result, format, lambda report: [probe_table(report)])


@app.command("data")
@_errors_to_exit_codes
def data_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Look at the data before training: sizes, labels, lengths, vocabulary, problems."""
    from sentiment_rnn.config import load_config
    from sentiment_rnn.datacheck import inspect_data
    from sentiment_rnn.output import data_tables

    _print_report(inspect_data(load_config(config, set_)), format, data_tables)


@config_app.command("show")
@_errors_to_exit_codes
def config_show(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Print the fully resolved config (defaults filled in, overrides applied)."""
    from sentiment_rnn.config import load_config

    typer.echo(load_config(config, set_).to_yaml(), nl=False)


@config_app.command("validate")
@_errors_to_exit_codes
def config_validate(config: ConfigOption = None, set_: SetOption = None) -> None:
    """Check a config: exit 0 when valid, 1 with the problems when not."""
    from sentiment_rnn.config import DEFAULT_CONFIG, load_config

    load_config(config, set_)
    typer.echo(f"{config or DEFAULT_CONFIG}: valid")


def main() -> None:
    app()
