"""The share of words a model does not know: per text in predict, per file in evaluate."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from conftest import write_csv
from sentiment_rnn.cli import app
from sentiment_rnn.texts import unknown_rate, unknown_shares


def invoke(args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def test_shares_and_rate() -> None:
    ids = [[5, 1, 1, 7], [1], [4, 4]]
    assert unknown_shares(ids, 1) == [0.5, 1.0, 0.0]
    assert unknown_rate(ids, 1) == 3 / 7


def test_predict_reports_each_texts_unknown_share(trained_run: Path) -> None:
    result = invoke(["predict", "the plot was great", "zorblax quux the plot", "--model",
                     trained_run, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0]["unknown_share"] == 0.0
    assert rows[1]["unknown_share"] == 0.5  # zorblax, quux: two of four tokens


def test_the_table_marks_a_text_the_model_cannot_read(trained_run: Path) -> None:
    result = invoke(["predict", "the plot was great", "zorblax quux frobnitz plot",
                     "--model", trained_run])
    assert result.exit_code == 0, result.output
    rows = [row for row in result.stdout.splitlines() if row.startswith("│")]
    assert "?" not in rows[0] and "positive ?" in rows[1] or "negative ?" in rows[1], rows
    assert "of the words unknown to the model: row(s) 2 (75%)" in " ".join(result.stdout.split())


def test_evaluate_reports_the_rate_and_warns_above_30_percent(trained_run: Path,
                                                               tmp_path: Path) -> None:
    known = write_csv(tmp_path / "known.csv", [("the plot was great", "positive"),
                                               ("the cast was dull", "negative")])
    strange = write_csv(tmp_path / "strange.csv", [("zorblax quux plot", "positive"),
                                                   ("frobnitz wibble cast", "negative")])
    report = json.loads(invoke(["evaluate", "--model", trained_run, "--data", known,
                                "--format", "json"]).stdout)
    assert report["unknown_word_rate"] == 0.0 and report["notes"] == []
    result = invoke(["evaluate", "--model", trained_run, "--data", strange, "--format", "json"])
    report = json.loads(result.stdout)
    assert report["unknown_word_rate"] == 4 / 6
    assert any("67% of its words are unknown to the model (over 30%)" in note
               for note in report["notes"])
    table = invoke(["evaluate", "--model", trained_run, "--data", strange])
    assert "strange.csv: 67% of its words are unknown" in table.output


def test_version_and_model_default_in_help() -> None:
    from sentiment_rnn import __version__

    result = invoke(["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"sentiment-rnn {__version__}"
    help_text = " ".join(invoke(["predict", "--help"]).stdout.split())
    assert "runs/latest" in help_text
