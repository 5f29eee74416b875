"""How results are shown: rich tables for people, JSON / JSON Lines / CSV for scripts.

The machine-readable forms are documented in docs/output-formats.md; keep them stable.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from sentiment_rnn.texts import UNKNOWN_WARNING, Prediction

Lines = Sequence[int | None] | None  # `predict --skip-bad-lines`: each text's line in --file

# Control characters would reach the terminal (an ESC starts an escape sequence): show them as
# \x1b-style escapes in tables; the machine-readable forms keep the text exactly.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(32), *range(127, 160))}


def plain(text: str) -> str:
    """Text from a user's data (a label, a path) for the terminal: controls escaped (`\\x1b`),
    never read as rich markup."""
    return escape(str(text).translate(_CONTROLS))


def shown(text: str) -> str:
    """A text for a table cell: at most 60 characters, controls escaped, markup escaped."""
    return plain(text if len(text) <= 60 else text[:57] + "...")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str, safe: bool) -> str:
    """With `safe` (`--csv-safe`), a cell a spreadsheet would run as a formula gets a leading
    apostrophe, as spreadsheet exporters do; otherwise the text exactly."""
    return "'" + text if safe and text.startswith(_FORMULA_STARTS) else text


def _csv_text(header: list[str] | None, rows: list[list[str]]) -> str:
    """Rows as CSV text, lines ending in `\\n`. Python's writer quotes a cell only for the
    delimiter, the quote character and the line terminator, so a row holding a bare CR (which
    readers take as a line end) is written with every cell quoted."""
    buffer = io.StringIO()
    minimal = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in [header] if header else []:
        minimal.writerow(row)
    for row in rows:
        (quoted if any("\r" in cell for cell in row) else minimal).writerow(row)
    return buffer.getvalue().rstrip("\n")


def _line_cell(lines: Lines, i: int, missing: str) -> list[str]:
    """The `line` cell of row i ([] without lines); `missing` for a TEXT argument."""
    if lines is None:
        return []
    return [missing if lines[i] is None else str(lines[i])]


def predictions_table(
    predictions: Sequence[Prediction], labels: Sequence[str], lines: Lines = None
) -> Table:
    columns = ["line"] if lines is not None else []
    table = Table(*columns, "text", "label", *(f"p({plain(label)})" for label in labels))
    marked = []
    for i, prediction in enumerate(predictions):
        mark = _unknown_marker(prediction.unknown_share)
        if mark:
            marked.append(f"{i + 1} ({prediction.unknown_share:.0%})")
        table.add_row(
            *_line_cell(lines, i, "-"),
            shown(prediction.text),
            plain(prediction.label) + mark,
            *(f"{prediction.probabilities[label]:.3f}" for label in labels),
        )
    if marked:
        table.caption = (
            f"? over {UNKNOWN_WARNING:.0%} of the words unknown to the model: row(s) "
            + ", ".join(marked)
        )
    return table


def _unknown_marker(share: float | None) -> str:
    """The mark " ?" after the label when the model knows too few of the text's words (the
    caption says which rows and how many): two characters, so that rows do not wrap."""
    if share is None or share <= UNKNOWN_WARNING:
        return ""
    return " ?"


def _with_lines(rows: list[dict], lines: Lines) -> list[dict]:
    if lines is None:
        return rows
    return [{"line": line, **row} for line, row in zip(lines, rows, strict=True)]


def _with_backend(row: dict, backend: str | None) -> dict:
    return row if backend is None else {**row, "backend": backend}


def _json_text(rows: list[dict], fmt: str) -> str:
    """`json`: one indented array; `jsonl`: one object per line."""
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def predictions_text(
    predictions: Sequence[Prediction], labels: Sequence[str], fmt: str, lines: Lines = None,
    backend: str | None = None, header: bool = True, csv_safe: bool = False,
) -> str:
    """`json`: one array; `jsonl`: one object per line; `csv`: text, label, p_<label>...

    With `lines`, each object (each CSV row) starts with its input's `line`; with `backend`,
    each JSON object ends with it ("torch", "onnx" or "numpy": what computed the answer).
    `header` False leaves out the CSV header (a later batch of a stream); `csv_safe`: see
    `csv_cell`.
    """
    rows = _with_lines([_with_backend(p.as_dict(), backend) for p in predictions], lines)
    if fmt in ("json", "jsonl"):
        return _json_text(rows, fmt)
    first = ["line"] if lines is not None else []
    names = [*first, "text", "label", *(f"p_{label}" for label in labels)]
    return _csv_text(names if header else None, [
        [*_line_cell(lines, i, ""), csv_cell(p.text, csv_safe), csv_cell(p.label, csv_safe),
         *(f"{p.probabilities[label]:.6f}" for label in labels)]
        for i, p in enumerate(predictions)
    ])


def evaluation_tables(report: dict) -> list[Table]:
    """Summary, per-class figures, and the confusion matrix (rows true, columns predicted)."""
    labels = report["labels"]
    summary = Table("model", "data", "examples", "accuracy", "macro-F1", "texts/s")
    summary.add_row(
        plain(report["model"]), plain(report["data"]), f"{report['num_examples']:,}",
        f"{report['accuracy']:.4f}", f"{report['macro_f1']:.4f}",
        f"{report['texts_per_second']:,.0f}",
    )
    per_class = Table("label", "precision", "recall", "F1", "support")
    for label in labels:
        row = report["per_class"][label]
        per_class.add_row(
            plain(label), f"{row['precision']:.4f}", f"{row['recall']:.4f}", f"{row['f1']:.4f}",
            f"{row['support']:,}",
        )
    matrix = Table("true \\ predicted", *map(plain, labels))
    for label, counts in zip(labels, report["confusion_matrix"], strict=True):
        matrix.add_row(plain(label), *(f"{count:,}" for count in counts))
    return [summary, per_class, matrix, *_calibration_tables(report)]


def _calibration_tables(report: dict) -> list[Table]:
    """ECE (15 bins) and Brier score before and after the run's temperature; unknown words."""
    tables = []
    if (cal := report.get("calibration")) is not None:
        table = Table("", "before", f"after (T = {cal['temperature']:.3g})")
        table.add_row("ECE (15 bins)", f"{cal['ece_before']:.4f}", f"{cal['ece_after']:.4f}")
        table.add_row("Brier score", f"{cal['brier_before']:.4f}", f"{cal['brier_after']:.4f}")
        tables.append(table)
    if report.get("unknown_word_rate") is not None:
        table = Table("unknown words (as the model reads the texts)")
        table.add_row(f"{report['unknown_word_rate']:.1%}")
        tables.append(table)
    return tables


def data_tables(report: dict) -> list[Table]:
    """`sentiment-rnn data`: one table of figures per split, then the warnings."""
    splits = report["splits"]
    names = list(splits)
    figures = Table("", *names, title=f"vocabulary {report['vocabulary_size']:,} (from train)")

    def row(label: str, render) -> None:
        figures.add_row(label, *(render(splits[name]) for name in names))

    row("examples", lambda r: f"{r['examples']:,}")
    for label in report["labels"]:
        row(f"  {plain(label)}", lambda r, label=label: f"{r['labels'].get(label, 0):,}")
    row("skipped rows", lambda r: f"{r['skipped_rows']:,}")
    row("tokens per text: mean", lambda r: f"{r['length_mean']:.1f}")
    for key in ("p5", "p50", "p95", "p99"):
        row(f"  {key}", lambda r, key=key: f"{r['length_percentiles'][key]:.0f}")
    row("  max", lambda r: f"{r['length_max']:,}")
    limit = report["max_length"]
    row(f"truncated (max_length {limit}, {report['truncation']})",
        lambda r: f"{r['truncated']:,}" if limit else "-")
    row("out-of-vocabulary tokens", lambda r: f"{r['oov_rate']:.2%}")
    if "model" in report:
        row(f"unknown to {plain(report['model'])}", lambda r: f"{r['model_unknown_rate']:.2%}")
    row("empty texts", lambda r: f"{r['empty_texts']:,}")
    row("duplicates within split", lambda r: f"{r['duplicates']:,}")
    row("also in train", lambda r: f"{r['shared_with_train']:,}" if "shared_with_train" in r else "-")
    problems = Table("warnings", show_header=True)
    for line in report["warnings"] or ["none"]:
        problems.add_row(plain(line))
    return [figures, problems]


def cache_tables(report: dict) -> list[Table]:
    """`cache list`: one row per token cache entry."""
    table = Table(title=f"token cache: {plain(report['directory'])}, {_size(report['total_bytes'])}")
    table.add_column("key", no_wrap=True, min_width=12)
    for column in ("size", "created", "data", "examples", "tokens", "vocabulary"):
        table.add_column(column)
    for entry in report["entries"]:
        if not entry["complete"]:
            table.add_row(entry["key"][:12], _size(entry["bytes"]), entry["created"],
                          "unfinished build (removed by `cache clear`)", "", "", "")
            continue
        files = entry.get("files") or {}
        data = ", ".join(f"{role} {plain(Path(path).name)}" for role, path in files.items()) or entry["source"]
        examples = " / ".join(f"{n:,}" for n in entry["examples"].values())
        tokens = f"max {entry['max_length']} ({entry['truncation']})" if entry["max_length"] else "all"
        table.add_row(entry["key"][:12], _size(entry["bytes"]), entry["created"], data,
                      examples, tokens, f"{entry['vocabulary']:,}")
    return [table]


def _size(count: int) -> str:
    return f"{count / 2**20:,.1f} MiB"


def side_by_side(
    rnn: Sequence[Prediction],
    baseline: Sequence[Prediction],
    labels: Sequence[str],
    fmt: str,
    lines: Lines = None,
    backends: tuple[str, str] | None = None,
    header: bool = True,
    csv_safe: bool = False,
) -> Table | str:
    """`predict --baseline`: each text with the RNN's and the baseline's answers (with
    `backends`, each answer's JSON object names what computed it; `header`, `csv_safe`: as in
    `predictions_text`)."""
    if fmt == "table":
        columns = ["line"] if lines is not None else []
        table = Table(*columns, "text", "RNN", "baseline")
        for i, (a, b) in enumerate(zip(rnn, baseline, strict=True)):
            table.add_row(
                *_line_cell(lines, i, "-"),
                shown(a.text),
                f"{plain(a.label)} ({a.probabilities[a.label]:.3f})",
                f"{plain(b.label)} ({b.probabilities[b.label]:.3f})",
            )
        return table
    rows = _with_lines([
        {"text": a.text,
         "rnn": _with_backend({"label": a.label, "probabilities": a.probabilities},
                              backends and backends[0]),
         "baseline": _with_backend({"label": b.label, "probabilities": b.probabilities},
                                   backends and backends[1])}
        for a, b in zip(rnn, baseline, strict=True)
    ], lines)
    if fmt in ("json", "jsonl"):
        return _json_text(rows, fmt)
    first = ["line"] if lines is not None else []
    names = [*first, "text", "rnn_label", "baseline_label",
             *(f"rnn_p_{label}" for label in labels), *(f"baseline_p_{label}" for label in labels)]
    return _csv_text(names if header else None, [
        [*_line_cell(lines, i, ""), csv_cell(a.text, csv_safe),
         csv_cell(a.label, csv_safe), csv_cell(b.label, csv_safe),
         *(f"{a.probabilities[label]:.6f}" for label in labels),
         *(f"{b.probabilities[label]:.6f}" for label in labels)]
        for i, (a, b) in enumerate(zip(rnn, baseline, strict=True))
    ])


def probe_table(result: dict) -> Table:
    """One model's probe results (the `probe` command)."""
    table = Table("probe group", "passed", "pass rate", "pairs both right", title=plain(result["source"]))
    for group, g in [*result["groups"].items(), ("all", result["overall"])]:
        pairs = f"{g['pairs_passed']}/{g['pairs']}" if g.get("pairs") else ""
        table.add_row(plain(group), f"{g['passed']}/{g['total']}", f"{g['pass_rate']:.0%}", pairs)
    return table


def split_metrics_lines(metrics: dict) -> list[str]:
    """`dev: accuracy 0.9000, macro-F1 0.8990 (100 examples)`, then the same for test."""
    return [
        f"{split}: accuracy {metrics[split]['accuracy']:.4f}, "
        f"macro-F1 {metrics[split]['macro_f1']:.4f} "
        f"({metrics[split]['num_examples']:,} examples)"
        for split in ("dev", "test")
        if metrics[split] is not None
    ]
