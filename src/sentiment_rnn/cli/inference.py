"""Commands that use a trained run: `predict`, `evaluate`, `probe`."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Optional

import typer

from sentiment_rnn.cli.common import (
    BackendOption,
    ModelOption,
    PredictFormat,
    ReportFormat,
    app,
    echo,
    errors_to_exit_codes,
    print_report,
    stdout_console,
)
from sentiment_rnn.errors import UserError


@app.command()
@errors_to_exit_codes
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
    skip_bad_lines: Annotated[
        bool,
        typer.Option(
            "--skip-bad-lines",
            help="Report each bad text or --file line (empty, no words, not UTF-8) on stderr "
            "and go on; the output gains a 'line' field.",
        ),
    ] = False,
    backend: BackendOption = None,
    csv_safe: Annotated[
        bool,
        typer.Option(
            "--csv-safe",
            help="CSV: prefix cells that start with = + - @ (or a tab or CR) with ' so that a "
            "spreadsheet shows them as text instead of running them as formulas.",
        ),
    ] = False,
) -> None:
    """Label texts, with the probability of every class (RNN or baseline run)."""
    from sentiment_rnn.predictors import load_predictor
    from sentiment_rnn.render.tables import predictions_table, side_by_side
    from sentiment_rnn.texts import gather_inputs

    report = functools.partial(typer.echo, err=True)
    inputs = gather_inputs(texts or [], file, skip_bad_lines, on_skip=report)
    texts = [item.text for item in inputs]
    lines = [item.line for item in inputs] if skip_bad_lines else None
    predictor = load_predictor(model, backend and backend.value)
    other = None
    if baseline is not None:
        from sentiment_rnn.baseline.model import BaselineModel

        other = BaselineModel.from_dir(baseline)
        if other.labels != predictor.labels:
            raise UserError(
                f"{baseline}: labels {other.labels} differ from the model's {predictor.labels}"
            )
    if format in (PredictFormat.jsonl, PredictFormat.csv):
        stream_predictions(predictor, other, texts, lines, format.value, csv_safe)
        return
    predictions = predictor.predict(texts)
    if other is not None:
        rendered = side_by_side(
            predictions, other.predict(texts), predictor.labels, format.value, lines,
            (predictor.backend, other.backend),
        )
    elif format is PredictFormat.table:
        rendered = predictions_table(predictions, predictor.labels, lines)
    else:
        from sentiment_rnn.render.tables import predictions_text

        rendered = predictions_text(
            predictions, predictor.labels, format.value, lines, predictor.backend
        )
    if format is PredictFormat.table:
        stdout_console().print(rendered)
    else:
        echo(rendered)


STREAM_BATCH = 2048  # texts predicted, then written, at a time (jsonl and csv)


def stream_predictions(predictor, other, texts: list[str], lines, fmt: str, csv_safe: bool) -> None:
    """JSON Lines and CSV a batch at a time: memory stays flat and a reader sees rows early."""
    from sentiment_rnn.render.tables import predictions_text, side_by_side

    for start in range(0, len(texts), STREAM_BATCH):
        batch = texts[start : start + STREAM_BATCH]
        where = None if lines is None else lines[start : start + STREAM_BATCH]
        predictions = predictor.predict(batch)
        options = {"header": start == 0, "csv_safe": csv_safe}
        if other is None:
            echo(predictions_text(
                predictions, predictor.labels, fmt, where, predictor.backend, **options
            ))
        else:
            echo(side_by_side(
                predictions, other.predict(batch), predictor.labels, fmt, where,
                (predictor.backend, other.backend), **options,
            ))


@app.command()
@errors_to_exit_codes
def evaluate(
    model: ModelOption = None,
    data: Annotated[
        Optional[Path], typer.Option(help="Labelled file [default: the run's test split].")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
    label_map: Annotated[
        Optional[str],
        typer.Option(
            "--label-map",
            help="Rename the file's labels to the model's, e.g. neg=negative,pos=positive "
            "[default: 0/1, neg/pos and negative/positive are recognised].",
        ),
    ] = None,
    backend: BackendOption = None,
) -> None:
    """Accuracy, macro-F1, per-class figures and the confusion matrix."""
    from sentiment_rnn.data.label_map import parse_label_map
    from sentiment_rnn.evaluation.evaluate import evaluate as evaluate_run
    from sentiment_rnn.render.tables import evaluation_tables

    mapping = None if label_map is None else parse_label_map(label_map)
    report = evaluate_run(model, data, mapping, backend and backend.value)
    for note in report["notes"]:
        typer.echo(f"note: {note}", err=True)
    for warning in report["warnings"]:
        typer.echo(f"warning: {warning}", err=True)
    print_report(report, format, evaluation_tables)


@app.command("probe")
@errors_to_exit_codes
def probe_command(
    model: ModelOption = None,
    probes: Annotated[
        Optional[Path], typer.Option(help="Your own probe file (JSON Lines) instead of ours.")
    ] = None,
    format: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.table,
) -> None:
    """Minimal pairs (negation, contrast, word order, ...): pass rates for one model."""
    from sentiment_rnn.evaluation.probes import run_probes
    from sentiment_rnn.predictors import load_predictor
    from sentiment_rnn.render.tables import probe_table

    result = run_probes(load_predictor(model), probes)
    print_report(result, format, lambda report: [probe_table(report)])
