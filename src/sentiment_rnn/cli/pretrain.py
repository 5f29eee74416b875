"""`pretrain`: forward and backward LSTM language models for `train --set model.init_from=RUN`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    ConfigOption,
    SetOption,
    app,
    errors_to_exit_codes,
    stdout_console,
)


@app.command()
@errors_to_exit_codes
def pretrain(
    config: ConfigOption = None,
    set_: SetOption = None,
    output: Annotated[
        Optional[Path], typer.Option(help="Run directory [default: runs/<name>-lm-<timestamp>].")
    ] = None,
    force: Annotated[bool, typer.Option(
        help="Replace a non-empty --output directory, once the new run is complete."
    )] = False,
    resume: Annotated[
        Optional[Path],
        typer.Option(help="Continue an interrupted pretraining run from its checkpoints."),
    ] = None,
) -> None:
    """Pretrain language models on unlabelled text + the training split; runs/latest-lm points at it."""
    from rich.console import Console

    from sentiment_rnn.config import load_config, read_config
    from sentiment_rnn.rnn import distributed
    from sentiment_rnn.render.progress import PretrainProgress
    from sentiment_rnn.rnn.lm.run import PretrainInterrupted, Reporter, resume_pretrain
    from sentiment_rnn.rnn.lm.run import pretrain as pretrain_run
    from sentiment_rnn.rnn.runtime import set_up_process
    from sentiment_rnn.runs import CONFIG, LATEST_LM, check_latest_replaceable, point_latest

    distributed.refuse_launched(
        "pretrain", "pretrain runs its forward and backward language models in two processes of "
        "its own and is not distributed yet",
    )
    if resume is not None and (config is not None or set_ or output is not None or force):
        raise typer.BadParameter(
            "--resume continues a run with the config.yaml in its directory; "
            "it cannot be combined with --config, --set, --output or --force",
            param_hint="--resume",
        )
    if resume is None:
        resolved = load_config(config, set_)
    elif (resume / CONFIG).is_file():
        resolved = read_config(resume / CONFIG)
    else:
        resolved = None  # resume_pretrain says what is wrong
    check_latest_replaceable(LATEST_LM)  # before training, not after it
    if resolved is not None:
        set_up_process(resolved.training.device)
    try:
        with PretrainProgress(Console(stderr=True, soft_wrap=True)) as bar:
            reporter = Reporter(progress=bar.update, record=bar.record, message=bar.message)
            if resume is not None:
                run_dir, metrics = resume_pretrain(resume, reporter)
            else:
                run_dir, metrics = pretrain_run(resolved, output, force, reporter)
    except PretrainInterrupted as stop:
        where = ", ".join(
            f"{d} {'no checkpoint yet' if s is None else f'step {s}'}" for d, s in stop.steps.items()
        )
        typer.echo(
            f"interrupted: checkpoints: {where}. runs/latest-lm was not changed."
            + ("" if stop.replaces is None else f" The run in {stop.replaces} is untouched.")
            + f" Resume with: sentiment-rnn pretrain --resume {stop.run_dir}", err=True,
        )
        raise typer.Exit(130) from None
    point_latest(run_dir, LATEST_LM)
    console = stdout_console()
    for direction, summary in metrics["directions"].items():
        console.print(
            f"{direction}: {summary['steps']:,} of {summary['total_steps']:,} steps "
            f"({summary['finished']}), valid perplexity {summary['valid_perplexity']:.1f}, "
            f"{summary['tokens_per_second']:,.0f} tokens/s"
        )
    console.print(f"saved to {run_dir}; fine-tune with: sentiment-rnn train --set model.init_from={run_dir}")
