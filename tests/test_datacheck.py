"""`sentiment-rnn data`: the figures and the warnings it gives before any training."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from conftest import TINY_CONFIG, write_csv, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.data.inspection import inspect_data


def config_for(tmp_path: Path, train, dev, test, **tokenizer) -> dict:
    paths = {
        name: str(write_csv(tmp_path / f"{name}.csv", rows))
        for name, rows in (("train", train), ("dev", dev), ("test", test))
    }
    return {"data": paths, "tokenizer": tokenizer}


TRAIN = [("good film", "pos"), ("bad film", "neg"), ("a good good film", "pos"),
         ("Bad  FILM", "neg"), ("great", "pos"), ("awful", "neg")]


def test_figures_per_split(tmp_path: Path) -> None:
    raw = config_for(tmp_path, TRAIN, [("good zzz", "pos"), ("bad", "neg")],
                     [("good film", "pos"), ("terrible qqq", "neg")], max_length=2)
    report = inspect_data(validate_config(raw, "c"))
    train, dev, test = (report["splits"][k] for k in ("train", "dev", "test"))
    assert report["labels"] == ["neg", "pos"]
    assert train["examples"] == 6 and train["labels"] == {"neg": 3, "pos": 3}
    assert train["duplicates"] == 1  # "bad film" and "Bad  FILM"
    assert train["length_max"] == 4 and train["truncated"] == 1
    assert dev["oov_rate"] == 1 / 3  # "zzz" of good, zzz, bad
    assert test["shared_with_train"] == 1
    assert test["length_percentiles"]["p50"] == 2


def test_warnings_name_each_problem(tmp_path: Path) -> None:
    raw = config_for(tmp_path, TRAIN, [("good zzz", "pos"), ("bad", "neg")],
                     [("good film", "pos"), ("terrible qqq", "neg")], max_length=2)
    warnings = "\n".join(inspect_data(validate_config(raw, "c"))["warnings"])
    assert "train: 1 duplicate text(s)" in warnings
    assert "test: 1 text(s) also in train" in warnings
    assert "dev: 33.3% of tokens are out of the train vocabulary" in warnings
    assert "max_length 2 truncates 17% of texts" in warnings
    assert "only 2 examples" in warnings


def test_clean_balanced_data_has_no_warning_but_size(tmp_path: Path) -> None:
    clean_train = [row for row in TRAIN if row[0] != "Bad  FILM"] + [("poor film", "neg")]
    raw = config_for(tmp_path, clean_train, [("good", "pos"), ("bad", "neg")],
                     [("great film", "pos"), ("awful film", "neg")])
    warnings = inspect_data(validate_config(raw, "c"))["warnings"]
    assert warnings and all("only" in line for line in warnings)


def test_cli_json_and_table(tmp_path: Path) -> None:
    raw = config_for(tmp_path, TRAIN, [("good", "pos"), ("bad", "neg")], [("great", "pos"), ("awful", "neg")])
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = CliRunner().invoke(app, ["data", "--config", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["splits"]) == {"train", "dev", "test"}
    table = CliRunner().invoke(app, ["data", "--config", str(path)])
    assert table.exit_code == 0 and "out-of-vocabulary" in table.stdout


def test_cli_bad_data_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"data": {"train": str(tmp_path / "none.csv")}}))
    result = CliRunner().invoke(app, ["data", "--config", str(path)])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "none.csv: file not found" in result.stderr


def test_model_option_reports_words_unknown_to_the_model(tmp_path: Path, trained_run: Path) -> None:
    """`data --model RUN`: each split's unknown-word rate against that run's vocabulary (not the
    configured train split's), with the 30% warning evaluate gives."""
    raw = {"data": write_dataset(tmp_path / "data")}  # the words the tiny run was trained on
    strange = [("zorblax quintal vrumple", "positive"), ("snerg plofty", "negative")] * 3
    raw["data"]["dev"] = str(write_csv(tmp_path / "strange.csv", strange))
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["data", "--config", str(config), "--model", str(trained_run),
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    splits = report["splits"]
    assert splits["dev"]["model_unknown_rate"] == 1.0  # none of these words was seen
    assert splits["train"]["model_unknown_rate"] < 0.05  # the run's own training words
    assert any(w.startswith("dev: 100% of its words are unknown to the model")
               for w in report["warnings"])
    assert not any(w.startswith(("train:", "test:")) and "unknown to the model" in w
                   for w in report["warnings"])
    table = CliRunner().invoke(app, ["data", "--config", str(config), "--model", str(trained_run)])
    assert table.exit_code == 0 and "unknown to" in table.output


def test_model_option_refuses_a_baseline_run(tmp_path: Path) -> None:
    from sentiment_rnn.baseline.train import train_baseline

    data = write_dataset(tmp_path / "data")
    baseline_run, _ = train_baseline(validate_config({**TINY_CONFIG, "data": data}, "t"),
                                     tmp_path / "run")
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"data": data}), encoding="utf-8")
    result = CliRunner().invoke(app, ["data", "--config", str(config), "--model", str(baseline_run)])
    assert result.exit_code != 0
    assert "a baseline run; --model takes an RNN run" in result.output
