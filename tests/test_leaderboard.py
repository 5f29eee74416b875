"""`sentiment-rnn runs`: every run directory under a folder, best dev metric first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.rnn.train import RunOptions, train


def make_runs(tmp_path: Path, trained_run: Path) -> Path:
    """An RNN run, a baseline run, a nested unfinished run and a `latest` link under runs/."""
    root = tmp_path / "runs"
    shutil.copytree(trained_run, root / "rnn")
    config = validate_config({**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}, "tiny")
    train_baseline(config, root / "bow")
    short = config.model_copy(update={"training": config.training.model_copy(update={"epochs": 1})})
    train(short, root / "study" / "trial-0000", options=RunOptions(evaluate_test=False))
    unfinished = root / "study" / "trial-0001"
    shutil.copytree(root / "study" / "trial-0000", unfinished)
    (unfinished / "meta.json").unlink()
    (root / "latest").symlink_to("rnn", target_is_directory=True)
    return root


def metrics(run_dir: Path) -> dict:
    return json.loads((run_dir / "metrics.json").read_text())


def test_runs_lists_every_run_sorted_by_dev_metric(tmp_path: Path, trained_run: Path) -> None:
    root = make_runs(tmp_path, trained_run)
    result = CliRunner().invoke(app, ["runs", "--dir", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_name = {row["run"]: row for row in rows}
    assert set(by_name) == {"rnn", "bow", "study/trial-0000", "study/trial-0001"}  # link skipped
    devs = [row["dev_accuracy"] for row in rows]
    assert devs == sorted(devs, reverse=True)
    assert by_name["rnn"]["kind"] == "rnn" and by_name["bow"]["kind"] == "baseline nbsvm"
    assert by_name["rnn"]["dev_accuracy"] == metrics(root / "rnn")["dev"]["accuracy"]
    assert by_name["rnn"]["test_macro_f1"] == metrics(root / "rnn")["test"]["macro_f1"]
    assert by_name["bow"]["test_accuracy"] == metrics(root / "bow")["test"]["accuracy"]
    assert by_name["study/trial-0000"]["test_accuracy"] is None  # a trial never scores test
    unfinished = by_name["study/trial-0001"]
    assert unfinished["state"] == "unfinished (1 epoch)"
    record = json.loads((root / "study" / "trial-0001" / "history.jsonl").read_text())
    assert unfinished["dev_accuracy"] == record["dev_accuracy"]
    assert by_name["rnn"]["data"] == "data/train.csv"
    assert "lstm 1x16" in by_name["rnn"]["settings"] and "C 0.3" in by_name["bow"]["settings"]
    size = sum(p.stat().st_size for p in (root / "rnn").rglob("*") if p.is_file())
    assert by_name["rnn"]["bytes"] == size
    assert by_name["rnn"]["seconds"] == metrics(root / "rnn")["train_seconds"]

    by_f1 = json.loads(CliRunner().invoke(
        app, ["runs", "--dir", str(root), "--format", "json", "--metric", "macro_f1"]).stdout)
    f1s = [row["dev_macro_f1"] for row in by_f1]
    assert f1s == sorted(f1s, reverse=True)

    table = CliRunner().invoke(app, ["runs", "--dir", str(root)], env={"COLUMNS": "250"})
    assert table.exit_code == 0
    assert "baseline nbsvm" in table.stdout and "study/trial-0001" in table.stdout


def test_runs_names_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["runs", "--dir", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: no such folder of runs (pass --dir FOLDER)"
