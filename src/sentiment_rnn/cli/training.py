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
    force: Annotated[bool, typer.Option(help="Replace a non-empty --output, once the new one is complete.")] = False,
    resume: Annotated[
        Optional[Path],
        typer.Option(help="Continue an interrupted run from its last checkpoint, with its config."),
    ] = None,
    dev_only: Annotated[
        bool,
        typer.Option(
            "--dev-only",
            help="Score dev alone and leave the test split unscored, while choosing settings; "
            "`evaluate --model RUN` scores test later.",
        ),
    ] = False,
) -> None:
    """Train a model; a run under ./runs (the default) becomes runs/latest.

    A run written elsewhere with --output leaves runs/latest as it was: pass it with --model.
    Under torchrun (`torchrun --nproc_per_node=N -m sentiment_rnn train ...`), data-parallel.
    """
    from rich.console import Console

    from sentiment_rnn.config import load_config
    from sentiment_rnn.rnn import distributed
    from sentiment_rnn.rnn.runtime import set_up_process
    from sentiment_rnn.rnn.train import RunOptions, TrainingInterrupted, resume_config
    from sentiment_rnn.rnn.train import resume as resume_run
    from sentiment_rnn.rnn.train import train as train_run
    from sentiment_rnn.runs import check_latest_replaceable, inside_runs_root, point_latest

    if resume is not None and (config is not None or set_ or output is not None or force):
        raise typer.BadParameter(
            "--resume continues a run with the config.yaml in its directory; "
            "it cannot be combined with --config, --set, --output or --force",
            param_hint="--resume",
        )
    resolved = resume_config(resume) if resume is not None else load_config(config, set_)
    set_up_process(resolved.training.device)
    with distributed.process_group(resolved.training.device):
        main = distributed.is_main()  # under torchrun, only rank 0 writes and prints
        if main:
            check_latest_replaceable()  # before training, not after it
        log = Console(stderr=True, soft_wrap=True) if main else None
        try:
            options = RunOptions(evaluate_test=not dev_only)
            if resume is not None:
                run_dir, metrics = resume_run(resume, log, options)
            else:
                run_dir, metrics = train_run(resolved, output, force, log, options)
        except TrainingInterrupted as stop:
            if main:
                typer.echo(_interrupted_message(stop, command=distributed.train_command()), err=True)
            raise typer.Exit(130) from None
    if not main:
        return
    latest = inside_runs_root(run_dir)
    if latest:
        point_latest(run_dir)
    console = stdout_console()
    print_split_metrics(console, metrics)
    console.print(f"best epoch {metrics['best_epoch']} of {metrics['epochs_run']}; saved to {run_dir}")
    if not latest:
        console.print(
            f"runs/latest unchanged ({run_dir} is outside ./runs); use it with --model {run_dir}"
        )


def _interrupted_message(stop, then: str = "", command: str = "sentiment-rnn train") -> str:
    """What a Ctrl-C (or SIGTERM) during training left, and the command that continues it."""
    from sentiment_rnn.rnn.checkpoint import CHECKPOINT

    run_dir = stop.run_dir
    saved = (
        "no epoch had finished, so there is no checkpoint yet"
        if stop.epoch is None
        else f"checkpoint after epoch {stop.epoch}: {run_dir / CHECKPOINT}"
    )
    kept = "" if stop.replaces is None else f" The run in {stop.replaces} is untouched."
    return (
        f"interrupted: {saved}. The run is not marked finished and runs/latest was not changed."
        f"{kept} Resume with: {command} --resume {run_dir}{then}"
    )


@app.command("baseline")
@errors_to_exit_codes
def baseline_command(
    config: ConfigOption = None,
    set_: SetOption = None,
    output: Annotated[
        Optional[Path], typer.Option(help="Run directory [default: runs/<name>-<kind>-<timestamp>].")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace a non-empty --output, once the new one is complete.")] = False,
) -> None:
    """Train the bag-of-words baseline on the same splits as `train` (config's baseline section)."""
    from sentiment_rnn.baseline.train import train_baseline
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
    force: Annotated[bool, typer.Option(help="Replace a non-empty --output, once the new one is complete.")] = False,
) -> None:
    """RNN against bag of words on the same test split: figures, significance, probes, report."""
    from rich.console import Console

    from sentiment_rnn.config import load_config
    from sentiment_rnn.evaluation.compare import compare
    from sentiment_rnn.render.comparison import print_summary
    from sentiment_rnn.rnn.distributed import refuse_launched
    from sentiment_rnn.rnn.runtime import set_up_process
    from sentiment_rnn.rnn.train import TrainingInterrupted

    refuse_launched(
        "compare", "compare trains and scores in one process; train with torchrun, then pass --rnn RUN"
    )
    resolved = load_config(config, set_)
    if rnn is None:
        set_up_process(resolved.training.device)
    try:
        report = compare(
            resolved, rnn, baseline, output, Console(stderr=True, soft_wrap=True),
            force=force, probes=probes,
        )
    except TrainingInterrupted as stop:
        rest = " ".join(f"{flag} {value}" for flag, value in (
            ("--config", config), ("--baseline", baseline), ("--probes", probes),
            *(("--set", item) for item in set_ or [])) if value)
        then = f"; then: sentiment-rnn compare --rnn {stop.run_dir} {rest}".rstrip()
        typer.echo(_interrupted_message(stop, then), err=True)
        raise typer.Exit(130) from None
    print_summary(report, stdout_console())
