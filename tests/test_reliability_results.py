"""Issue 16, wrong results accepted silently: each of these ran to the end and exit 0 (or quoted
a file it should not have); now each is refused or said, in one line."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import make_rows, write_csv
from reliability_support import one_line_error, run_cli, write_config

pytestmark = pytest.mark.slow  # real processes, most of them training a tiny model


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("results")
    config = write_config(root, training={"epochs": 1})
    run = root / "rnn"
    done = run_cli("train", "--config", config, "--output", run, cwd=root)
    assert done.returncode == 0, done.stderr
    return {"root": root, "config": config, "rnn": run}


def vectors(path: Path, value: str, words=("the", "plot", "was", "superb"), dim: int = 16) -> Path:
    path.write_text("".join(f"{word} " + " ".join([value] * dim) + "\n" for word in words))
    return path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN"])
def test_non_finite_pretrained_vectors_are_refused(work, tmp_path, value) -> None:
    path = vectors(tmp_path / "vectors.txt", value)
    done = run_cli("train", "--config", work["config"], "--set", f"model.pretrained_embeddings={path}",
                   "--output", tmp_path / "run", cwd=tmp_path)
    one_line_error(done, f"{path}, line 1", "not a finite number")


def test_a_non_finite_loss_stops_training_and_saves_nothing(work, tmp_path) -> None:
    path = vectors(tmp_path / "vectors.txt", "3e38")  # finite, but overflows in the first layer
    done = run_cli("train", "--config", work["config"], "--set", f"model.pretrained_embeddings={path}",
                   cwd=tmp_path)
    one_line_error(done, "loss", "not finite")
    assert not (tmp_path / "runs" / "latest").exists()
    assert not list((tmp_path / "runs").glob("*/meta.json"))


@pytest.mark.parametrize("setting", [
    "training.weight_decay=.inf", "training.weight_decay=.nan", "baseline.nb_alpha=.inf",
    "baseline.C=.inf", "training.clip_grad_norm=.inf", "model.dropout=.nan",
    "data.dev_fraction=.nan", "training.lr=.nan",
])
def test_non_finite_settings_are_refused(work, tmp_path, setting) -> None:
    done = run_cli("config", "validate", "--config", work["config"], "--set", setting, cwd=tmp_path)
    one_line_error(done, setting.split("=")[0], "finite")


def test_text_column_equal_to_label_column_is_refused(work, tmp_path) -> None:
    done = run_cli("config", "validate", "--config", work["config"], "--set", "data.text_column=label",
                   cwd=tmp_path)
    one_line_error(done, "data.text_column", "data.label_column")


@pytest.mark.parametrize("cell", [{"name": "negative"}, ["negative"]], ids=["object", "list"])
@pytest.mark.parametrize("column", ["label", "text"])
def test_jsonl_cells_that_are_objects_or_lists_are_refused(work, tmp_path, cell, column) -> None:
    rows = [{"text": text, "label": label} for text, label in make_rows(40, 0)]
    rows[6][column] = cell
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    done = run_cli("data", "--config", work["config"], "--set", f"data.train={path}", cwd=tmp_path)
    one_line_error(done, str(path), "line 7", column)


def test_a_duplicate_yaml_key_is_refused(work, tmp_path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(work["config"].read_text() + "model:\n  hidden_size: 8\n")
    one_line_error(run_cli("config", "validate", "--config", path, cwd=tmp_path), str(path),
                   "'model'", "line")


@pytest.mark.parametrize("name", ["/tmp/elsewhere", "../..", "a/b", "..", ".hidden/../x", ""])
def test_a_run_name_is_a_plain_file_name(work, tmp_path, name) -> None:
    done = run_cli("config", "validate", "--config", work["config"], "--set", f"name={name}",
                   cwd=tmp_path)
    one_line_error(done, "name")


def test_evaluate_on_one_class_says_so(work, tmp_path) -> None:
    rows = [row for row in make_rows(80, 5) if row[1] == "positive"]
    path = write_csv(tmp_path / "positive.csv", rows)
    done = run_cli("evaluate", "--model", work["rnn"], "--data", path, "--format", "json",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert any("negative" in warning for warning in report["warnings"])
    assert "only" in done.stderr and "macro-F1" in done.stderr


def test_errors_never_quote_a_file_named_by_a_run_directory(work, tmp_path) -> None:
    run = Path(shutil.copytree(work["rnn"], tmp_path / "run"))
    secret = tmp_path / "secrets.env"
    secret.write_text("API_KEY=sk-live-0123456789abcdef\nOTHER=x\n")
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["data"]["test"] = str(secret)
    config["data"]["format"] = "csv"
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    meta = json.loads((run / "meta.json").read_text())
    meta["sha256"]["config.yaml"] = hashlib.sha256((run / "config.yaml").read_bytes()).hexdigest()
    (run / "meta.json").write_text(json.dumps(meta))
    done = run_cli("evaluate", "--model", run, cwd=tmp_path)
    one_line_error(done, str(secret))
    assert "sk-live" not in done.stderr and "API_KEY" not in done.stderr


def test_a_label_too_rare_to_carve_is_named_as_such(work, tmp_path) -> None:
    rows = make_rows(200, 1) + [("the score was odd", "mixed")]
    path = write_csv(tmp_path / "train.csv", rows)
    done = run_cli("data", "--config", work["config"], "--set", f"data.train={path}",
                   "--set", "data.dev=null", "--set", "data.test=null", cwd=tmp_path)
    message = one_line_error(done, "'mixed'")
    assert "never seen in training" not in message
    assert "1 example" in message
