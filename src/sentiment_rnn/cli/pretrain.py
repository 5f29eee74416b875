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
    force: Annotated[bool, typer.Option(help="Write into a non-empty --output directory.")] = False,
    resume: Annotated[
        Optional[Path],
        typer.Option(help="Continue an interrupted pretraining run from its checkpoints."),
    ] = None,
) -> None:
    """Pretrain language models on unlabelled text + the training split; runs/latest-lm points at it."""
    from rich.console import Console

    from sentiment_rnn.config import load_config
    from sentiment_rnn.lm.run import PretrainInterrupted, resume_pretrain
    from sentiment_rnn.lm.run import pretrain as pretrain_run
    from sentiment_rnn.lm.rundir import LATEST_LM

    if resume is not None and (config is not None or set_ or output is not None or force):
        raise typer.BadParameter(
            "--resume continues a run with the config.yaml in its directory; "
            "it cannot be combined with --config, --set, --output or --force",
            param_hint="--resume",
        )
    resolved = None if resume is not None else load_config(config, set_)
    _check_latest_replaceable(LATEST_LM)
    log = Console(stderr=True, soft_wrap=True)
    try:
        with _ProgressReporter(log) as reporter:
            if resume is not None:
                _set_threads(_run_config(resume))
                run_dir, metrics = resume_pretrain(resume, reporter.reporter())
            else:
                _set_threads(resolved)
                run_dir, metrics = pretrain_run(resolved, output, force, reporter.reporter())
    except PretrainInterrupted as stop:
        where = ", ".join(
            f"{d} {'no checkpoint yet' if s is None else f'step {s}'}" for d, s in stop.steps.items()
        )
        typer.echo(
            f"interrupted: checkpoints: {where}. runs/latest-lm was not changed. "
            f"Resume with: sentiment-rnn pretrain --resume {stop.run_dir}", err=True,
        )
        raise typer.Exit(130) from None
    _point(LATEST_LM, run_dir)
    console = stdout_console()
    for direction, summary in metrics["directions"].items():
        console.print(
            f"{direction}: {summary['steps']:,} of {summary['total_steps']:,} steps "
            f"({summary['finished']}), valid perplexity {summary['valid_perplexity']:.1f}, "
            f"{summary['tokens_per_second']:,.0f} tokens/s"
        )
    console.print(f"saved to {run_dir}; fine-tune with: sentiment-rnn train --set model.init_from={run_dir}")


def _run_config(run_dir: Path):
    from sentiment_rnn.config import read_yaml_mapping, validate_config

    path = run_dir / "config.yaml"
    if not path.is_file():
        return None  # resume_pretrain says what is wrong
    return validate_config(read_yaml_mapping(path), str(path))


def _set_threads(config) -> None:
    """Process-wide settings, made here at the entry point (the workers of processes: 2 use 1)."""
    import torch

    from sentiment_rnn.runtime import keep_freed_memory

    if config is not None and config.training.num_threads is not None:
        torch.set_num_threads(config.training.num_threads)
    keep_freed_memory()


def _check_latest_replaceable(link: Path) -> None:
    from sentiment_rnn.errors import UserError

    if link.exists() and not link.is_symlink():
        raise UserError(f"{link} is a real file or directory, not a link; move it away")


def _point(link: Path, run_dir: Path) -> None:
    import os

    link.parent.mkdir(exist_ok=True)
    target = run_dir.resolve()
    if target.parent == link.parent.resolve():
        target = Path(target.name)
    tmp = link.with_name(f".{link.name}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


class _ProgressReporter:
    """A rich progress bar per direction (loss, perplexity, tokens/s), a line per checkpoint."""

    def __init__(self, console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = console
        self.progress = Progress(
            TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.3f}  ppl {task.fields[ppl]:>7.1f}"),
            TextColumn("{task.fields[speed]:>8,.0f} tok/s"), TimeElapsedColumn(),
            console=console, transient=True,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def reporter(self):
        from sentiment_rnn.lm.run import Reporter

        return Reporter(progress=self._update, record=self._record, message=self.console.print)

    def _update(self, update: dict) -> None:
        direction = update["direction"]
        if direction not in self.tasks:
            self.tasks[direction] = self.progress.add_task(
                direction, total=update["total_steps"], loss=0.0, ppl=0.0, speed=0.0
            )
        self.progress.update(
            self.tasks[direction], completed=update["step"], loss=update["loss"],
            ppl=update["perplexity"], speed=update["tokens_per_second"],
        )

    def _record(self, record: dict) -> None:
        self.console.print(
            f"{record['direction']:>8} step {record['step']:>7,}/{record['total_steps']:,}  "
            f"train ppl {record['train_perplexity']:8.1f}  valid ppl {record['valid_perplexity']:8.1f}  "
            f"{record['tokens_per_second']:,.0f} tok/s"
        )
