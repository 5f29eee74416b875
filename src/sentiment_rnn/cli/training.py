"""Commands that train: `train`, `baseline`, `compare`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    ConfigOption,
    SetOption,
    app,
    errors_to_exit_codes,
    print_split_metrics,
    stdout_console,
)


@app.command()
@errors_to_exit_codes
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
    console = stdout_console()
    print_split_metrics(console, metrics)
    console.print(f"best epoch {metrics['best_epoch']} of {metrics['epochs_run']}; saved to {run_dir}")


@app.command("baseline")
@errors_to_exit_codes
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
    console = stdout_console()
    console.print(f"{resolved.baseline.kind}: {metrics['num_features']:,} features, "
                  f"fitted in {metrics['train_seconds']:.1f} s")
    print_split_metrics(console, metrics)
    console.print(f"saved to {run_dir}")


@app.command("compare")
@errors_to_exit_codes
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
    print_summary(report, stdout_console())
