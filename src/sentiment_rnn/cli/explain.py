"""`explain`: the trajectory of one text token by token, and each token's importance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    ModelOption,
    ReportFormat,
    app,
    errors_to_exit_codes,
    stdout_console,
)

TABLE_ROWS = 60  # tokens shown in the terminal; around the largest flip when the text is longer
PLOT_TOKENS = 80  # tokens drawn by --plot, likewise
BAR = 8  # characters of the probability bar


@app.command("explain")
@errors_to_exit_codes
def explain_command(
    text: Annotated[str, typer.Argument(help="The text to explain.")],
    model: ModelOption = None,
    baseline: Annotated[
        Optional[Path], typer.Option(help="Also a baseline run: its token importances beside.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
    plot: Annotated[
        Optional[Path], typer.Option(help="Write a PNG: trajectory line over importance bars.")
    ] = None,
) -> None:
    """The model's answer token by token ("if the text ended here"), and what each token did."""
    from sentiment_rnn.explain import display_window, explain

    result = explain(text, model, baseline)
    report = result.as_dict()
    if plot is not None:
        from sentiment_rnn.plots import explanation

        explanation(plot, report, display_window(result, PLOT_TOKENS))
    if format is ReportFormat.json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    console = stdout_console()
    for line in summary_lines(report):
        console.print(line, highlight=False)
    console.print(explanation_table(report, display_window(result, TABLE_ROWS)))
    if plot is not None:
        console.print(f"plot written to {plot}", highlight=False, markup=False)


def summary_lines(report: dict) -> list[str]:
    from rich.markup import escape

    label = report["label"]
    method = {"prefix_pooling": "one pass, pooling over the prefix",
              "prefix_runs": "bidirectional: the model run on each prefix"}[report["trajectory_method"]]
    lines = [f"[bold]{escape(label)}[/] (p {report['probabilities'][label]:.3f}); trajectory: "
             f"{method}; importance: occlusion, Δp({escape(label)}) when the token is removed"]
    if report["baseline"] is not None:
        other = report["baseline"]
        lines.append(f"baseline ({other['kind']}): {escape(other['label'])} "
                     f"(p {other['probabilities'][other['label']]:.3f}); its column: the same "
                     f"Δp({escape(label)}), removing its own tokens")
    cut = report["truncation"]
    if cut["dropped"]:
        lines.append(f"truncated: the model reads {cut['tokens_read']:,} of {cut['tokens_in_text']:,} "
                     f"tokens (max_length {cut['max_length']}, {cut['policy']})")
    if report["unknown_words"]:
        words = ", ".join(report["unknown_words"][:10])
        lines.append(f"unknown words (read as <unk>): {escape(words)}")
    return lines + [escape(note) for note in report["notes"]]


def explanation_table(report: dict, window: tuple[int, int]):
    """One row per token in `window`: p(label) with a bar, importance, flips; baseline beside."""
    from rich.markup import escape
    from rich.table import Table

    label, start, stop = report["label"], *window
    table = Table("#", "token", f"p({escape(label)})", f"Δp({escape(label)})", "flip")
    aligned = {}
    if report["baseline"] is not None:
        table.add_column("baseline")
        aligned = {row["rnn_position"]: row for row in report["baseline"]["tokens"]}
    for column in table.columns:
        column.no_wrap = True
    for row in report["tokens"][start:stop]:
        token = row["token"] if not row["unknown"] else f"{row['token']} ({row['word']})"
        cells = [str(row["position"]), escape(token), probability_bar(row, label),
                 "-" if row["importance"] is None else f"{row['importance']:+.3f}",
                 "" if row["flip_to"] is None else f"→ {escape(row['flip_to'])}"]
        if report["baseline"] is not None:
            cells.append(baseline_cell(aligned.get(row["position"]), row["word"]))
        table.add_row(*cells)
    if (start, stop) != (0, len(report["tokens"])):
        table.caption = (f"tokens {start}-{stop - 1} of {len(report['tokens']):,}, around the "
                         "largest flip; --format json has them all")
    return table


def baseline_cell(other: dict | None, word: str) -> str:
    """The baseline's importance for the same word; its token named when it differs."""
    from rich.markup import escape

    if other is None:
        return ""
    cell = "stop word" if other["stop_word"] else f"{other['importance']:+.3f}"
    return cell if other["token"] == word else f"{cell} ({escape(other['token'])})"


def probability_bar(row: dict, label: str) -> str:
    """`0.998 ██████████`, green where the answer at this point is `label`, else red."""
    if row["probabilities"] is None:
        return "-"
    probabilities = row["probabilities"]
    p = probabilities[label]
    colour = "green" if max(probabilities, key=probabilities.get) == label else "red"
    filled = round(p * BAR)
    return f"{p:.3f} [{colour}]{'█' * filled}[/][dim]{'░' * (BAR - filled)}[/]"
