"""Training progress in a terminal: the per-epoch bar and the one-line summary of each epoch;
the bars and checkpoint lines of `pretrain`.

`ProgressBar` has the three methods of `rnn.fit.Progress`; the loop calls them and draws nothing.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class ProgressBar:
    """A transient rich bar per epoch (batches, running loss, tokens/s); None: draws nothing."""

    def __init__(self, console: Console | None) -> None:
        self._progress = Progress(
            TextColumn("epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TextColumn("{task.fields[speed]:>8,.0f} tok/s"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=console is None,
        )
        self._task = None

    def __enter__(self) -> ProgressBar:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def start_epoch(self, epoch: int, batches: int) -> None:
        self._task = self._progress.add_task("train", total=batches, epoch=epoch, loss=0.0, speed=0.0)

    def batch_done(self, loss: float, tokens_per_second: float) -> None:
        self._progress.update(self._task, advance=1, loss=loss, speed=tokens_per_second)

    def end_epoch(self) -> None:
        self._progress.remove_task(self._task)


def epoch_line(record: dict) -> str:
    """One line per epoch: train loss, dev accuracy and macro-F1, time, speed."""
    return (
        f"epoch {record['epoch']:>3}  train loss {record['train_loss']:.4f}  "
        f"dev acc {record['dev_accuracy']:.4f}  dev macro-F1 {record['dev_macro_f1']:.4f}  "
        f"{record['seconds']:.1f}s  {record['tokens_per_second']:,.0f} tok/s"
    )


class PretrainProgress:
    """`pretrain` in a terminal: a bar per language model (steps, loss, perplexity, tokens/s)
    and a line per checkpoint. Its three methods are what `rnn.lm.directions.Reporter` calls."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.3f}  ppl {task.fields[ppl]:>7.1f}"),
            TextColumn("{task.fields[speed]:>8,.0f} tok/s"), TimeElapsedColumn(),
            console=console, transient=True,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> PretrainProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.__exit__(*exc)

    def update(self, update: dict) -> None:
        direction = update["direction"]
        if direction not in self._tasks:
            self._tasks[direction] = self._progress.add_task(
                direction, total=update["total_steps"], loss=0.0, ppl=0.0, speed=0.0
            )
        self._progress.update(
            self._tasks[direction], completed=update["step"], loss=update["loss"],
            ppl=update["perplexity"], speed=update["tokens_per_second"],
        )

    def record(self, record: dict) -> None:
        self.console.print(
            f"{record['direction']:>8} step {record['step']:>7,}/{record['total_steps']:,}  "
            f"train ppl {record['train_perplexity']:8.1f}  valid ppl {record['valid_perplexity']:8.1f}  "
            f"{record['tokens_per_second']:,.0f} tok/s"
        )

    def message(self, text: str) -> None:
        self.console.print(text)
