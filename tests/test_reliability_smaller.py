"""Issue 16, smaller cases: SIGTERM, Ctrl-C inside compare, escapes from labels, huge one-line
errors, `--model FILE`, spreadsheet formulas in CSV output. Signals go to real processes."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import make_rows, write_csv
from reliability_support import command, one_line_error, run_cli, write_config

pytestmark = pytest.mark.slow  # real processes, most of them training a tiny model


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("smaller")
    config = write_config(root, training={"epochs": 1})
    run = root / "rnn"
    done = run_cli("train", "--config", config, "--output", run, cwd=root)
    assert done.returncode == 0, done.stderr
    return {"root": root, "config": config, "rnn": run}


def wait_in_kernel(pid: int, where: tuple[str, ...], timeout: float = 120) -> None:
    """Until the process sleeps in one of the kernel functions `where` (read, FIFO open)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            wchan = ""
        if any(name in wchan for name in where):
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} never waited in {where}")


def test_sigterm_during_train_is_treated_as_ctrl_c(work, tmp_path) -> None:
    out = tmp_path / "run"
    proc = subprocess.Popen(command("train", "--config", work["config"], "--set", "training.epochs=300",
                                    "--output", out), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / "checkpoint.safetensors").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert f"Resume with: sentiment-rnn train --resume {out}" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("which", ["predict", "baseline"])
def test_sigterm_while_reading_input_is_treated_as_ctrl_c(work, tmp_path, which) -> None:
    import os

    fifo = tmp_path / "train.csv"
    os.mkfifo(fifo)
    args = (["predict", "--model", work["rnn"], "--file", "-"] if which == "predict" else
            ["baseline", "--config", work["config"], "--set", f"data.train={fifo}",
             "--output", tmp_path / "b"])
    proc = subprocess.Popen(command(*args), cwd=tmp_path, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_in_kernel(proc.pid, ("pipe", "fifo", "partner"))  # wait_for_partner: a FIFO open
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert stderr.strip().splitlines()[-1].startswith("interrupted"), stderr
    assert "Traceback" not in stderr


def test_ctrl_c_while_compare_trains_gives_the_resume_route(work, tmp_path) -> None:
    out = tmp_path / "report"
    proc = subprocess.Popen(command("compare", "--config", work["config"], "--set", "training.epochs=300",
                                    "--output", out), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out / "rnn" / "checkpoint.safetensors").exists():
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert f"sentiment-rnn train --resume {out / 'rnn'}" in stderr
    assert f"sentiment-rnn compare --rnn {out / 'rnn'}" in stderr


@pytest.fixture(scope="module")
def escaped_run(work) -> Path:
    """A run whose labels hold terminal escape sequences."""
    root = work["root"] / "escapes"
    bad = {"negative": "neg\x1b[2J", "positive": "pos\x1b]0;owned\x07"}
    data = {}
    for offset, split in enumerate(("train", "dev", "test")):
        rows = [(text, bad[label]) for text, label in make_rows(120, offset)]
        data[split] = str(write_csv(root / f"{split}.csv", rows))
    config = write_config(root, training={"epochs": 1}, data=data)
    run = root / "run"
    done = run_cli("train", "--config", config, "--output", run, cwd=root)
    assert done.returncode == 0, done.stderr
    return run


@pytest.mark.parametrize("args", [["predict", "the plot was superb"], ["evaluate"],
                                  ["explain", "the plot was superb"]],
                         ids=["predict", "evaluate", "explain"])
def test_labels_with_terminal_escapes_never_reach_the_terminal(escaped_run, tmp_path, args) -> None:
    done = run_cli(*args, "--model", escaped_run, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "\\x1b" in done.stdout


def test_meta_values_with_escapes_are_shown_escaped(work, tmp_path) -> None:
    import shutil

    run = Path(shutil.copytree(work["rnn"], tmp_path / "run"))
    meta = json.loads((run / "meta.json").read_text())
    meta["kind"] = "\x1b[31mrnn"
    (run / "meta.json").write_text(json.dumps(meta))
    done = run_cli("predict", "--model", run, "good film", cwd=tmp_path)
    one_line_error(done, "meta.json" if "meta.json" in done.stderr else str(run))
    assert "\x1b" not in done.stderr


def test_an_error_listing_many_labels_is_cut(work, tmp_path) -> None:
    rows = [(text, f"{text} number {i}") for i, (text, _) in enumerate(make_rows(3000, 4))]
    path = write_csv(tmp_path / "train.csv", rows)  # every text its own label: 3,000 labels
    done = run_cli("data", "--config", work["config"], "--set", f"data.train={path}",
                   "--set", "data.labels=[negative, positive]", cwd=tmp_path)
    message = one_line_error(done, str(path), "data.labels")
    assert len(message) < 1000, len(message)
    assert "2,995 more" in message


def test_an_error_listing_many_columns_is_cut_with_a_count(work, tmp_path) -> None:
    path = tmp_path / "wide.csv"
    header = [f"column_{i}" for i in range(2400)]
    path.write_text(",".join(header) + "\n" + ",".join("x" * 2400) + "\n")
    done = run_cli("data", "--config", work["config"], "--set", f"data.train={path}", cwd=tmp_path)
    message = one_line_error(done, str(path), "2,400 columns")
    assert len(message) < 1000, len(message)


def test_model_pointing_at_a_file_says_it_is_a_file(work, tmp_path) -> None:
    done = run_cli("predict", "--model", work["config"], "good film", cwd=tmp_path)
    message = one_line_error(done, str(work["config"]), "is a file")
    assert "not found" not in message


FORMULAS = ["=HYPERLINK(\"http://x\",\"click\") great", "+1 superb", "-1 dull", "@SUM(A1) awful",
            "\tboring"]
CARRIAGE_RETURNS = ["dull\rends here", "split\r\nacross lines", "\rleading"]  # quoted, kept exactly


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_output_keeps_texts_exactly_by_default(work, tmp_path) -> None:
    texts = FORMULAS + CARRIAGE_RETURNS
    done = run_cli("predict", "--model", work["rnn"], "--format", "csv", "--", *texts,
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [row["text"] for row in csv_rows(done.stdout)] == texts


def test_csv_safe_prefixes_formula_cells(work, tmp_path) -> None:
    done = run_cli("predict", "--model", work["rnn"], "--format", "csv", "--csv-safe", "--",
                   *FORMULAS, "plain text", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    texts = [row["text"] for row in csv_rows(done.stdout)]
    assert texts == ["'" + text for text in FORMULAS] + ["plain text"]


def test_an_error_naming_a_path_with_escapes_shows_them_escaped(tmp_path) -> None:
    done = run_cli("predict", "--model", tmp_path / "\x1b[2Jmodel\nsecond line", "good film",
                   cwd=tmp_path)
    message = one_line_error(done, "\\x1b[2Jmodel\\x0asecond line")
    assert "\x1b" not in done.stderr
    assert message.count("error:") == 1
