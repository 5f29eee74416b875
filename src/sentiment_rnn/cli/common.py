"""What every command shares: the Typer apps, common options, error handling, output."""

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


def _version(value: bool) -> None:
    if value:
        from sentiment_rnn import __version__

        typer.echo(f"sentiment-rnn {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Recurrent-network sentiment classification for review text."""


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
    Optional[Path],
    typer.Option(
        "--model",
        "-m",
        help="Run directory; without it, runs/latest (the newest run `train` finished here).",
        show_default="runs/latest",
    ),
]


class Backend(str, Enum):
    torch = "torch"
    onnx = "onnx"


BackendOption = Annotated[
    Optional[Backend],
    typer.Option(
        help="torch or onnx; by default onnx when the run has model.onnx (from sentiment-rnn "
        "export) and onnxruntime is installed, else torch. RNN runs only.",
    ),
]


# Control characters in a message (a path or label holding ESC, a newline) are shown escaped.
CONTROLS = {code: f"\\x{code:02x}" for code in (*range(32), *range(127, 160))}


class PredictFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


def errors_to_exit_codes(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as err:  # one line, and nothing in it can drive the terminal
            typer.echo(f"error: {str(err).translate(CONTROLS)}", err=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


def stdout_console():
    """A rich console onto stdout whose every write is checked (see `outputs.Stdout`)."""
    from rich.console import Console

    from sentiment_rnn.outputs import Stdout

    return Console(file=Stdout(), soft_wrap=True)


def echo(text: str, newline: bool = True) -> None:
    """A line (or text) on stdout, checked: a full disk is a UserError, not a silent exit 0."""
    from sentiment_rnn.outputs import echo as checked_echo

    checked_echo(text, newline)


def print_report(report: dict, format: ReportFormat, tables) -> None:
    """JSON for scripts, or the rich tables `tables(report)` returns."""
    if format is ReportFormat.json:
        echo(json.dumps(report, indent=2))
        return
    console = stdout_console()
    for table in tables(report):
        console.print(table)


def print_split_metrics(console, metrics: dict) -> None:
    from sentiment_rnn.render.tables import split_metrics_lines

    for line in split_metrics_lines(metrics):
        console.print(line)
