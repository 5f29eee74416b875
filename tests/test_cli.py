"""The `sentiment-rnn` command line, end to end: train, predict, evaluate, config, and every way
a user can get it wrong (one line on stderr, the right exit code, never a traceback).

Trainings run in this process through Typer's CliRunner. They pass `training.num_threads=1`:
the tiny models gain nothing from more threads, and on a small, busy machine torch's thread pool
makes an epoch up to ~50x slower. The torch thread count is restored after every test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

from conftest import TINY_CONFIG, make_rows, write_csv, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import Config

ONE_THREAD = ["--set", "training.num_threads=1"]
RUN_FILES = {
    "model.safetensors", "tokenizer.json", "labels.json", "config.yaml",
    "metrics.json", "history.jsonl", "meta.json", "temperature.json",
}
# backend: which code answered; unknown_share: RNN runs (issue 17)
KEYS = {"text", "label", "probabilities", "backend", "unknown_share"}


def invoke(args: list[str], **kwargs):
    return CliRunner().invoke(app, [str(arg) for arg in args], **kwargs)


def assert_ok(result) -> None:
    assert result.exit_code == 0, (result.exit_code, result.output, repr(result.exception))
    assert result.exception is None, repr(result.exception)


def assert_one_line_error(result, *needles: str, code: int = 1) -> str:
    """Exit `code`, nothing on stdout, exactly one `error: ...` line on stderr, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, repr(result.exception))
    # Anything other than SystemExit escaped the CLI's error handling (a traceback for users).
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.endswith("\n")
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def read_history(run_dir: Path) -> list[dict]:
    text = (run_dir / "history.jsonl").read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def run_labels(run_dir: Path) -> list[str]:
    return json.loads((run_dir / "labels.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cwd_train(tmp_path_factory: pytest.TempPathFactory):
    """`train --config tiny.yaml` run once in its own directory: (that directory, the result)."""
    root = tmp_path_factory.mktemp("cli-train")
    config = {**TINY_CONFIG, "data": write_dataset(root / "data")}
    (root / "tiny.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    threads = torch.get_num_threads()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(root)
            result = invoke(["train", "--config", "tiny.yaml", *ONE_THREAD])
    finally:
        torch.set_num_threads(threads)
    return root, result


# --- train -------------------------------------------------------------------------------------


def test_train_writes_a_complete_run_and_points_runs_latest_at_it(cwd_train) -> None:
    root, result = cwd_train
    assert_ok(result)
    runs = sorted(p.name for p in (root / "runs").iterdir())
    assert len(runs) == 2 and "latest" in runs, runs
    name = next(n for n in runs if n != "latest")
    assert re.fullmatch(r"tiny-\d{8}-\d{6}", name), name
    run_dir = root / "runs" / name
    assert (root / "runs" / "latest").is_symlink()
    assert (root / "runs" / "latest").resolve() == run_dir.resolve()
    assert {p.name for p in run_dir.iterdir()} == RUN_FILES

    history = read_history(run_dir)
    assert [record["epoch"] for record in history] == [1, 2, 3]  # TINY_CONFIG: 3 epochs
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["epochs_run"] == 3
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["format_version"] == 1
    assert run_labels(run_dir) == ["negative", "positive"]
    saved = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert saved["name"] == "tiny" and saved["training"]["epochs"] == 3

    # stdout carries only the summary (progress goes to stderr), and it matches metrics.json
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    for line, split in zip(lines, ("dev", "test")):
        assert line.startswith(f"{split}: accuracy {metrics[split]['accuracy']:.4f}"), line
        assert f"macro-F1 {metrics[split]['macro_f1']:.4f}" in line
    assert lines[2].endswith(f"saved to runs/{name}"), lines[2]
    assert "epoch   1" in result.stderr


def test_train_output_dir_refuses_a_non_empty_one_unless_force(tiny_config: Path, tmp_path) -> None:
    out = tmp_path / "my-run"
    args = ["train", "--config", tiny_config, "--output", out, "--set", "training.epochs=1", *ONE_THREAD]

    first = invoke(args)
    assert_ok(first)
    assert f"saved to {out}" in first.stdout
    assert "best epoch 1 of 1" in first.stdout
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert len(read_history(out)) == 1  # --set training.epochs=1 is honoured ...
    assert yaml.safe_load((out / "config.yaml").read_text())["training"]["epochs"] == 1  # ... and saved
    assert "epochs: 1\n" in (out / "config.yaml").read_text()
    # a run outside ./runs does not become runs/latest (issue 17): the output says so
    assert not os.path.lexists("runs/latest")
    assert "runs/latest unchanged" in first.stdout
    weights = (out / "model.safetensors").read_bytes()

    second = invoke(args)
    assert_one_line_error(second, str(out), "--force")
    assert (out / "meta.json").is_file()  # the refusal left the finished run alone
    assert (out / "model.safetensors").read_bytes() == weights

    third = invoke([*args, "--force"])
    assert_ok(third)
    assert f"saved to {out}" in third.stdout
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert [r["epoch"] for r in read_history(out)] == [1]  # the old history was replaced


def test_train_dev_only_leaves_test_unscored_until_evaluate(tiny_config: Path, tmp_path) -> None:
    out = tmp_path / "choosing"
    result = invoke(["train", "--config", tiny_config, "--output", out, "--dev-only",
                     "--set", "training.epochs=1", *ONE_THREAD])
    assert_ok(result)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test"] is None and metrics["dev"]["num_examples"] == 60
    assert "calibration" not in metrics or "test" not in metrics["calibration"]
    assert "dev: accuracy" in result.stdout and "test:" not in result.stdout
    later = invoke(["evaluate", "--model", out, "--format", "json"])  # test, when it is time
    assert_ok(later)
    assert json.loads(later.stdout)["num_examples"] == 60


# --- predict -----------------------------------------------------------------------------------


def predict_json(run_dir: Path, *texts: str) -> list[dict]:
    result = invoke(["predict", "--model", run_dir, "--format", "json", *texts])
    assert_ok(result)
    return json.loads(result.stdout)


def check_prediction(item: dict, labels: list[str]) -> None:
    assert set(item) == KEYS
    probabilities = item["probabilities"]
    assert list(probabilities) == labels
    assert all(0.0 <= p <= 1.0 for p in probabilities.values())
    assert abs(sum(probabilities.values()) - 1.0) <= 1e-6
    assert item["label"] == max(probabilities, key=probabilities.get)


def test_predict_without_model_uses_runs_latest(cwd_train, monkeypatch) -> None:
    root, result = cwd_train
    assert_ok(result)
    monkeypatch.chdir(root)
    texts = ["the plot was superb", "the cast was dull"]
    implicit = invoke(["predict", "--format", "json", *texts])
    assert_ok(implicit)
    run_dir = Path("runs/latest").resolve()
    assert json.loads(implicit.stdout) == predict_json(run_dir, *texts)


def test_predict_table_shows_texts_labels_and_every_class(trained_run: Path) -> None:
    result = invoke(["predict", "--model", trained_run, "the plot was superb", "the cast was dull"])
    assert_ok(result)
    assert result.stderr == ""
    assert "p(negative)" in result.stdout and "p(positive)" in result.stdout
    predictions = predict_json(trained_run, "the plot was superb", "the cast was dull")
    for prediction in predictions:
        row = next(line for line in result.stdout.splitlines() if prediction["text"] in line)
        assert prediction["label"] in row
        for p in prediction["probabilities"].values():
            assert f"{p:.3f}" in row


def test_predict_json_is_a_list_of_text_label_probabilities(trained_run: Path) -> None:
    texts = ["the plot was superb", "the ending was not boring", "good film, \"quoted\" — ünïcode"]
    predictions = predict_json(trained_run, *texts)
    assert isinstance(predictions, list)
    assert [p["text"] for p in predictions] == texts
    for prediction in predictions:
        check_prediction(prediction, run_labels(trained_run))


def test_predict_jsonl_is_one_object_per_line_matching_json(trained_run: Path) -> None:
    texts = ["the plot was superb", "the cast was dull", "the score was not clumsy"]
    result = invoke(["predict", "--model", trained_run, "--format", "jsonl", *texts])
    assert_ok(result)
    lines = result.stdout.splitlines()
    assert len(lines) == len(texts)
    objects = [json.loads(line) for line in lines]
    for item in objects:
        check_prediction(item, run_labels(trained_run))
    assert objects == predict_json(trained_run, *texts)


def test_predict_csv_has_a_header_and_one_row_per_text(trained_run: Path) -> None:
    texts = ["the plot was superb", "a, comma and \"quotes\""]
    result = invoke(["predict", "--model", trained_run, "--format", "csv", *texts])
    assert_ok(result)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["text", "label", "p_negative", "p_positive"]
    assert [row[0] for row in rows[1:]] == texts
    expected = predict_json(trained_run, *texts)
    for row, prediction in zip(rows[1:], expected):
        assert row[1] == prediction["label"]
        values = [float(value) for value in row[2:]]
        assert abs(sum(values) - 1.0) <= 2e-6
        for value, p in zip(values, prediction["probabilities"].values()):
            assert value == pytest.approx(p, abs=1e-6)


def test_predict_file_stdin_and_arguments(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "reviews.txt"
    path.write_bytes("the plot was superb\r\nthe cast was dull\n".encode())  # CRLF is fine too
    from_file = invoke(["predict", "--model", trained_run, "--file", path, "--format", "json"])
    assert_ok(from_file)
    assert [p["text"] for p in json.loads(from_file.stdout)] == ["the plot was superb", "the cast was dull"]

    stdin = invoke(
        ["predict", "--model", trained_run, "--file", "-", "--format", "jsonl"],
        input="the ending was clever\nthe script was bland",  # no final newline
    )
    assert_ok(stdin)
    assert [json.loads(line)["text"] for line in stdin.stdout.splitlines()] == [
        "the ending was clever", "the script was bland",
    ]

    both = invoke(["predict", "--model", trained_run, "first text", "--file", path, "--format", "json"])
    assert_ok(both)
    combined = json.loads(both.stdout)
    assert [p["text"] for p in combined] == ["first text", "the plot was superb", "the cast was dull"]
    assert combined == predict_json(trained_run, "first text", "the plot was superb", "the cast was dull")


# --- evaluate ----------------------------------------------------------------------------------


def check_report(report: dict, labels: list[str]) -> None:
    assert {"accuracy", "macro_f1", "per_class", "confusion_matrix", "num_examples"} <= set(report)
    assert list(report["per_class"]) == labels
    matrix = report["confusion_matrix"]
    assert len(matrix) == len(labels) and all(len(row) == len(labels) for row in matrix)
    for label, row in zip(labels, matrix):
        figures = report["per_class"][label]
        assert set(figures) == {"precision", "recall", "f1", "support"}
        assert sum(row) == figures["support"]
    assert sum(map(sum, matrix)) == report["num_examples"]
    trace = sum(matrix[i][i] for i in range(len(labels)))
    assert report["accuracy"] == pytest.approx(trace / report["num_examples"])
    f1s = [report["per_class"][label]["f1"] for label in labels]
    assert report["macro_f1"] == pytest.approx(sum(f1s) / len(f1s))


def test_evaluate_on_the_runs_test_split(trained_run: Path) -> None:
    result = invoke(["evaluate", "--model", trained_run, "--format", "json"])
    assert_ok(result)
    report = json.loads(result.stdout)
    check_report(report, run_labels(trained_run))
    config = yaml.safe_load((trained_run / "config.yaml").read_text())
    assert report["data"] == config["data"]["test"]
    assert report["num_examples"] == 60  # conftest's test split
    at_train_time = json.loads((trained_run / "metrics.json").read_text())["test"]
    assert report["accuracy"] == pytest.approx(at_train_time["accuracy"])
    assert report["confusion_matrix"] == at_train_time["confusion_matrix"]
    assert report["predict_seconds"] > 0
    assert report["texts_per_second"] == pytest.approx(60 / report["predict_seconds"])

    table = invoke(["evaluate", "--model", trained_run])
    assert_ok(table)
    assert "accuracy" in table.stdout
    assert f"{report['accuracy']:.4f}" in table.stdout
    assert f"{report['macro_f1']:.4f}" in table.stdout


def test_evaluate_on_another_file(trained_run: Path, tmp_path: Path) -> None:
    rows = make_rows(30, seed=123)
    path = write_csv(tmp_path / "other.csv", rows)
    result = invoke(["evaluate", "--model", trained_run, "--data", path, "--format", "json"])
    assert_ok(result)
    report = json.loads(result.stdout)
    check_report(report, run_labels(trained_run))
    assert report["num_examples"] == 30
    for label in run_labels(trained_run):
        assert report["per_class"][label]["support"] == sum(1 for _, y in rows if y == label)


# --- config ------------------------------------------------------------------------------------


def test_config_show_prints_the_resolved_config(tiny_config: Path, tmp_path: Path) -> None:
    result = invoke(["config", "show", "--config", tiny_config, "--set", "model.hidden_size=33"])
    assert_ok(result)
    shown = yaml.safe_load(result.stdout)
    defaults = Config().model_dump(mode="json")
    assert set(shown) == set(defaults)
    for section in ("data", "tokenizer", "model", "training"):
        assert set(shown[section]) == set(defaults[section]), section
    assert shown["model"]["hidden_size"] == 33  # the override
    assert shown["model"]["embedding_dim"] == 16  # from the file
    assert shown["training"]["weight_decay"] == defaults["training"]["weight_decay"]  # a default
    assert shown["tokenizer"]["truncation"] == defaults["tokenizer"]["truncation"]
    assert shown["name"] == "tiny"
    # what `show` prints is itself a valid config
    path = tmp_path / "shown.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    assert_ok(invoke(["config", "validate", "--config", path]))


def test_config_validate(tiny_config: Path) -> None:
    good = invoke(["config", "validate", "--config", tiny_config])
    assert_ok(good)
    assert str(tiny_config) in good.stdout and "valid" in good.stdout
    bad = invoke(["config", "validate", "--config", tiny_config, "--set", "model.cell=transformer"])
    assert_one_line_error(bad, str(tiny_config), "model.cell", "transformer")


# --- bad input ---------------------------------------------------------------------------------

CONFIG_MISTAKES = {
    "missing file": ("nope.yaml", [], ["nope.yaml", "not found"]),
    "yaml syntax": ("model:\n  hidden_size: 3\n  cell: lstm: gru\n", [], ["line 3", "column"]),
    "unknown key in file": ("model: {hiden_size: 3}\n", [], ["hiden_size", "did you mean 'hidden_size'"]),
    "unknown key via --set": ("", ["training.epoch=2"], ["training.epoch", "did you mean 'epochs'"]),
    "wrong type": ("", ["training.epochs=abc"], ["training.epochs", "abc"]),
    "out of range": ("", ["training.lr=-1"], ["training.lr", "-1", "greater than 0"]),
    "bad --set syntax": ("", ["epochs"], ["--set", "epochs", "KEY=VALUE"]),
}


@pytest.mark.parametrize("command", [["train"], ["config", "validate"], ["config", "show"]])
@pytest.mark.parametrize("case", list(CONFIG_MISTAKES))
def test_config_mistakes_are_one_line_errors(case: str, command: list[str], tiny_config: Path) -> None:
    content, overrides, needles = CONFIG_MISTAKES[case]
    if case == "missing file":
        path = Path(content)
    elif content:
        path = tiny_config.parent / "broken.yaml"
        path.write_text(content, encoding="utf-8")
    else:
        path = tiny_config
    sets = [arg for item in overrides for arg in ("--set", item)]
    result = invoke([*command, "--config", path, *sets])
    assert_one_line_error(result, *needles)
    if case not in ("bad --set syntax",):
        assert path.name in result.stderr
    assert not Path("runs").exists()


def test_bad_format_is_a_usage_error(trained_run: Path) -> None:
    result = invoke(["predict", "--model", trained_run, "--format", "xml", "good film"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "xml" in result.stderr and "--format" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_predict_with_no_trained_model() -> None:
    result = invoke(["predict", "good film"])
    assert_one_line_error(result, "runs/latest", "sentiment-rnn train", "--model")


@pytest.mark.parametrize(
    ("texts", "needles"),
    [
        (["good film", ""], ["text 2", "empty"]),
        ([" \t  "], ["text 1", "empty"]),
        ([], ["nothing to classify", "--file"]),
    ],
    ids=["empty", "whitespace", "none"],
)
def test_predict_rejects_empty_texts(trained_run: Path, texts: list[str], needles) -> None:
    assert_one_line_error(invoke(["predict", "--model", trained_run, *texts]), *needles)


def test_predict_missing_model_dir(tmp_path: Path) -> None:
    result = invoke(["predict", "--model", tmp_path / "no-such-run", "good film"])
    assert_one_line_error(result, "no-such-run", "not found")


def test_predict_file_that_is_not_utf8(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(b"good\n\xff\xfe bad\n")
    result = invoke(["predict", "--model", trained_run, "--file", path])
    assert_one_line_error(result, "latin.txt", "UTF-8", "byte 5")
    from_stdin = invoke(["predict", "--model", trained_run, "--file", "-"], input=b"good\n\xff\n")
    assert_one_line_error(from_stdin, "stdin", "byte 5")


def test_predict_file_problems(trained_run: Path, tmp_path: Path) -> None:
    assert_one_line_error(
        invoke(["predict", "--model", trained_run, "--file", tmp_path / "absent.txt"]),
        "absent.txt", "not found",
    )
    blank = tmp_path / "blank.txt"
    blank.write_text("good film\n\nbad film\n", encoding="utf-8")
    assert_one_line_error(
        invoke(["predict", "--model", trained_run, "--file", blank]), "blank.txt", "line 2", "empty"
    )


def _delete(name: str):
    return lambda run: (run / name).unlink()


def _meta_version(run: Path) -> None:
    meta = json.loads((run / "meta.json").read_text())
    meta["format_version"] = 999
    (run / "meta.json").write_text(json.dumps(meta))


def _truncate_weights(run: Path) -> None:
    data = (run / "model.safetensors").read_bytes()
    (run / "model.safetensors").write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("damage", "needles"),
    [
        (_delete("tokenizer.json"), ["tokenizer.json", "missing"]),
        (_delete("meta.json"), ["meta.json", "not a finished run"]),
        (_meta_version, ["meta.json", "999"]),
        (_truncate_weights, ["model.safetensors", "damaged"]),
    ],
    ids=["no-tokenizer", "no-meta", "format-999", "truncated-weights"],
)
@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_damaged_run_directories(trained_run, tmp_path, damage, needles, command) -> None:
    run = tmp_path / "copy"
    shutil.copytree(trained_run, run)
    damage(run)
    args = ["predict", "--model", run, "good film"] if command == "predict" else ["evaluate", "--model", run]
    line = assert_one_line_error(invoke(args), *needles)
    assert str(run) in line


def test_evaluate_data_missing_a_column(trained_run: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "renamed.csv", make_rows(5, seed=1), header=("review", "label"))
    result = invoke(["evaluate", "--model", trained_run, "--data", path])
    assert_one_line_error(result, "renamed.csv", "'text'", "columns found: review, label")


def test_evaluate_data_missing_file(trained_run: Path, tmp_path: Path) -> None:
    result = invoke(["evaluate", "--model", trained_run, "--data", tmp_path / "gone.csv"])
    assert_one_line_error(result, "gone.csv", "not found")


# --- regressions: bugs found and fixed -------------------------------------------------------


@pytest.mark.parametrize("text", ["the plot [/] was dull", "[bold]great[/bold] film"])
def test_predict_table_shows_brackets_literally(trained_run: Path, text: str) -> None:
    result = invoke(["predict", "--model", trained_run, text])
    assert_ok(result)
    assert text in result.stdout


def test_evaluate_data_with_no_rows(trained_run: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "header-only.csv", [])
    result = invoke(["evaluate", "--model", trained_run, "--data", path])
    assert_one_line_error(result, "header-only.csv")


def test_evaluate_data_with_a_malformed_row(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("text,label\ngood film,positive\nbad film,negative,extra\n", encoding="utf-8")
    result = invoke(["evaluate", "--model", trained_run, "--data", path])
    assert_one_line_error(result, "ragged.csv", "line 3")


def test_train_when_runs_latest_is_a_directory(tiny_config: Path) -> None:
    Path("runs/latest").mkdir(parents=True)
    (Path("runs/latest") / "note.txt").write_text("a copied run\n")
    result = invoke(["train", "--config", tiny_config, "--set", "training.epochs=1", *ONE_THREAD])
    assert isinstance(result.exception, (SystemExit, type(None))), repr(result.exception)
    if result.exit_code != 0:
        assert_one_line_error(result, "runs/latest")
    assert not list(Path("runs").glob(".latest-*"))


def test_two_trainings_in_the_same_second_get_their_own_directories(tiny_config, monkeypatch) -> None:
    import sentiment_rnn.runs as artifact

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2024, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(artifact, "datetime", FrozenClock)
    args = ["train", "--config", tiny_config, "--set", "training.epochs=1", *ONE_THREAD]
    assert_ok(invoke(args))
    second = invoke(args)
    assert_ok(second)
    finished = [p for p in Path("runs").iterdir() if (p / "meta.json").is_file() and p.name != "latest"]
    assert len(finished) == 2


# --- real processes ----------------------------------------------------------------------------


@pytest.mark.slow
def test_ctrl_c_leaves_an_unfinished_run_and_exits_130(tmp_path: Path) -> None:
    config = {**TINY_CONFIG, "data": write_dataset(tmp_path / "data", n_train=480)}
    config_path = tmp_path / "long.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp_path / "out"
    history = out / "history.jsonl"
    command = [
        sys.executable, "-m", "sentiment_rnn", "train", "--config", str(config_path),
        "--output", str(out), "--set", "training.epochs=1000", *ONE_THREAD,
    ]
    proc = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not (history.is_file() and history.read_text().count("\n") >= 1):
            assert proc.poll() is None, f"train ended early: {proc.communicate()}"
            assert time.monotonic() < deadline, "no epoch finished within 60 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert "interrupted" in stderr
    assert "Traceback" not in stderr + stdout
    assert "saved to" not in stdout
    assert not (out / "meta.json").exists()
    assert not os.path.lexists(tmp_path / "runs" / "latest")
    records = read_history(out)
    assert 1 <= len(records) < 1000

    result = invoke(["predict", "--model", out, "good film"])
    assert_one_line_error(result, str(out), "not a finished run")


def test_python_dash_m_help_lists_the_commands(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sentiment_rnn", "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for command in ("train", "predict", "evaluate", "config"):
        assert re.search(rf"^\W*{command}\s", result.stdout, re.MULTILINE), command


def test_a_real_process_reports_a_user_error_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sentiment_rnn", "config", "validate", "--config", "missing.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "error: missing.yaml: config file not found\n"


IMPORT_CHECK = """
import importlib.util, json, sys
from sentiment_rnn.cli import app
run = sys.argv[1]
app(["predict", "--model", run, "--format", "json", "good film"], standalone_mode=False)
after_predict = {name: name in sys.modules for name in ("sklearn", "pandas")}
installed = {name: importlib.util.find_spec(name) is not None for name in ("sklearn", "pandas")}
app(["evaluate", "--model", run, "--format", "json"], standalone_mode=False)
print(json.dumps({"predict": after_predict, "installed": installed,
                  "evaluate_pandas": "pandas" in sys.modules}))
"""


def test_predict_imports_neither_sklearn_nor_pandas(trained_run: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, str(trained_run)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["installed"] == {"sklearn": True, "pandas": True}  # so their absence means something
    assert report["predict"] == {"sklearn": False, "pandas": False}
    assert report["evaluate_pandas"] is True  # the check can see an import when there is one
