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
    from sentiment_rnn.evaluation.explain import display_window, explain
    from sentiment_rnn.render.explanation import explanation_table, summary_lines

    result = explain(text, model, baseline)
    report = result.as_dict()
    if plot is not None:
        from sentiment_rnn.render.plots import explanation

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
