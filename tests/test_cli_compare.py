"""The baseline / compare / probe commands and `predict --baseline`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import TINY_CONFIG
from sentiment_rnn.cli import app

pytestmark = pytest.mark.slow  # every test here trains a model


def invoke(args: list) -> object:
    return CliRunner().invoke(app, [str(arg) for arg in args])


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture(scope="module")
def baseline_dir(trained_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline trained with `sentiment-rnn baseline` on the trained run's own config."""
    out = tmp_path_factory.mktemp("cli-baseline") / "run"
    config = trained_run / "config.yaml"
    result = invoke(["baseline", "--config", config, "--output", out])
    assert result.exit_code == 0, result.output
    assert "features, fitted in" in result.stdout and f"saved to {out}" in result.stdout
    return out


def test_baseline_run_is_a_baseline_and_leaves_runs_latest_alone(baseline_dir: Path) -> None:
    meta = json.loads((baseline_dir / "meta.json").read_text())
    assert meta["kind"] == "baseline" and meta["baseline_kind"] == "nbsvm"
    assert not Path("runs/latest").exists()


def test_predict_and_evaluate_accept_a_baseline_run(baseline_dir: Path) -> None:
    result = invoke(["predict", "--model", baseline_dir, "the plot was great", "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert set(row) == {"text", "label", "probabilities"}
    assert abs(sum(row["probabilities"].values()) - 1) < 1e-9
    report = json.loads(invoke(["evaluate", "--model", baseline_dir, "--format", "json"]).stdout)
    saved = json.loads((baseline_dir / "metrics.json").read_text())
    assert report["accuracy"] == saved["test"]["accuracy"]


def test_predict_side_by_side(trained_run: Path, baseline_dir: Path) -> None:
    texts = ["the plot was not dull", "the cast was awful"]
    result = invoke(["predict", "--model", trained_run, "--baseline", baseline_dir, *texts,
                     "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["text"] for row in rows] == texts
    for row in rows:
        assert set(row) == {"text", "rnn", "baseline"}
        for side in ("rnn", "baseline"):
            assert row[side]["label"] == max(row[side]["probabilities"], key=row[side]["probabilities"].get)
    table = invoke(["predict", "--model", trained_run, "--baseline", baseline_dir, *texts])
    assert table.exit_code == 0 and "baseline" in table.stdout
    csv_out = invoke(["predict", "--model", trained_run, "--baseline", baseline_dir, *texts, "--format", "csv"])
    assert csv_out.stdout.splitlines()[0].startswith("text,rnn_label,baseline_label,rnn_p_negative")


def test_runs_of_the_wrong_kind_are_named(trained_run: Path, baseline_dir: Path, tmp_path: Path) -> None:
    one_line_error(invoke(["predict", "--model", trained_run, "--baseline", trained_run, "good"]),
                   "a 'rnn' run, where a baseline run")
    one_line_error(invoke(["compare", "--rnn", baseline_dir, "--baseline", baseline_dir,
                           "--output", tmp_path / "r", "--config", trained_run / "config.yaml"]),
                   "a 'baseline' run, where an RNN run")


def test_probe_command(trained_run: Path, tmp_path: Path) -> None:
    result = invoke(["probe", "--model", trained_run, "--format", "json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    assert {"negation", "negated_negative", "contrast", "word_order", "intensifier"} <= set(groups)
    bad = tmp_path / "probes.jsonl"
    bad.write_text('{"group": "mine", "text": "meh", "label": "neutral"}\n')
    one_line_error(invoke(["probe", "--model", trained_run, "--probes", bad]),
                   "probes.jsonl", "line 1", "neutral")


def test_compare_command_writes_the_report(trained_run: Path, baseline_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = invoke(["compare", "--rnn", trained_run, "--baseline", baseline_dir, "--output", out,
                     "--config", trained_run / "config.yaml"])
    assert result.exit_code == 0, result.output
    assert "accuracy" in result.stdout and "95% CI" in result.stdout
    for name in ("report.json", "report.md", "confusion_matrices.png", "accuracy_by_length.png"):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert " ".join(report["significance"]["sentence"].split()) in " ".join(result.stdout.split())


def test_compare_trains_what_is_missing(tmp_path: Path) -> None:
    from conftest import write_dataset

    config = {**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    result = invoke(["compare", "--config", path, "--output", tmp_path / "report"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report" / "rnn" / "meta.json").is_file()
    assert (tmp_path / "report" / "baseline" / "meta.json").is_file()
