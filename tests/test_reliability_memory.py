"""Issue 16, memory and time blow-ups: no input makes a command read, decompress, parse or
allocate without bound. Each case is a real process under a 3 GiB address-space ceiling (so a
blow-up fails the test, not the machine), with its peak resident memory measured by wait4.

scripts/bench_reliability_memory.py measures the same cases at full size, before and after.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import make_rows, write_csv
from reliability_support import command, one_line_error, run_cli, run_measured, write_config

MIB = 1 << 20

pytestmark = pytest.mark.slow  # real processes, most of them training a tiny model


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("memory")
    config = write_config(root, training={"epochs": 1})
    run = root / "rnn"
    done = run_cli("train", "--config", config, "--output", run, cwd=root)
    assert done.returncode == 0, done.stderr
    return {"root": root, "config": config, "rnn": run}


# --- size limits that st_size cannot see ----------------------------------------------------


def test_a_config_from_dev_zero_is_refused_by_size(tmp_path) -> None:
    status, stderr, peak = run_measured("config", "validate", "--config", "/dev/zero", cwd=tmp_path,
                                        timeout=60)
    done = subprocess.CompletedProcess([], status, "", stderr)
    one_line_error(done, "/dev/zero", "at most 1,000,000")
    assert peak < 400 * MIB, peak


def test_a_large_config_through_stdin_is_refused_before_parsing(work, tmp_path) -> None:
    big = work["config"].read_bytes() + b"# " + b"x" * (3 * MIB) + b"\n"
    started = time.monotonic()
    done = run_cli("config", "validate", "--config", "/dev/stdin", input=big, cwd=tmp_path)
    one_line_error(done, "/dev/stdin", "at most 1,000,000")
    assert time.monotonic() - started < 60


# --- decompression bombs --------------------------------------------------------------------


def gzip_bomb(path: Path, size: int) -> Path:
    """A CSV whose one text cell is `size` bytes of one letter, gzipped (~1000:1)."""
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"text,label\n\"")
        block = b"a" * MIB
        for _ in range(size // MIB):
            handle.write(block)
        handle.write(b"\",positive\n")
    return path


def test_a_gzip_bomb_is_refused_in_bounded_memory(work, tmp_path) -> None:
    bomb = gzip_bomb(tmp_path / "train.csv.gz", 400 * MIB)
    assert bomb.stat().st_size < 2 * MIB
    status, stderr, peak = run_measured("data", "--config", work["config"], "--set",
                                        f"data.train={bomb}", cwd=tmp_path)
    one_line_error(subprocess.CompletedProcess([], status, "", stderr), str(bomb), "bomb")
    assert peak < 800 * MIB, peak


def test_a_gzipped_data_file_still_reads(work, tmp_path) -> None:
    path = tmp_path / "train.csv.gz"
    plain = write_csv(tmp_path / "train.csv", make_rows(240, 0))
    path.write_bytes(gzip.compress(plain.read_bytes()))
    done = run_cli("data", "--config", work["config"], "--set", f"data.train={path}",
                   "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["splits"]["train"]["examples"] == 240


# --- run directories: sizes, links and checksums before parsing -----------------------------


def run_copy(work, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(work["rnn"], tmp_path / "run"))


def test_a_meta_json_linked_out_of_the_run_is_refused(work, tmp_path) -> None:
    run = run_copy(work, tmp_path)
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes((run / "meta.json").read_bytes())
    (run / "meta.json").unlink()
    (run / "meta.json").symlink_to(outside)
    one_line_error(run_cli("predict", "--model", run, "good film", cwd=tmp_path),
                   str(run / "meta.json"), "outside the run directory")


@pytest.mark.parametrize(("name", "size"), [("meta.json", 2 * MIB), ("labels.json", 2 * MIB),
                                            ("config.yaml", 2 * MIB), ("tokenizer.json", 1 << 30)])
def test_an_oversized_run_file_is_refused_before_parsing(work, tmp_path, name, size) -> None:
    run = run_copy(work, tmp_path)
    with open(run / name, "r+b") as handle:  # padded with NULs: sparse, costs no disk
        handle.truncate(size)
    status, stderr, peak = run_measured("predict", "--model", run, "good film", cwd=tmp_path,
                                        timeout=120)
    one_line_error(subprocess.CompletedProcess([], status, "", stderr), str(run / name), "bytes")
    assert peak < 600 * MIB, peak


def test_ten_million_labels_ask_for_nothing(work, tmp_path) -> None:
    run = run_copy(work, tmp_path)
    (run / "labels.json").write_text(json.dumps([f"l{i}" for i in range(10_000_000)]))
    status, stderr, peak = run_measured("predict", "--model", run, "good film", cwd=tmp_path)
    one_line_error(subprocess.CompletedProcess([], status, "", stderr), str(run / "labels.json"))
    assert peak < 600 * MIB, peak


# --- a model too big for the machine --------------------------------------------------------


def test_a_model_too_big_for_memory_is_refused_with_the_estimate(work, tmp_path) -> None:
    status, stderr, peak = run_measured(
        "train", "--config", work["config"], "--set", "model.hidden_size=8192",
        "--set", "model.num_layers=8", "--set", "model.embedding_dim=4096",
        "--output", tmp_path / "huge", cwd=tmp_path)
    message = one_line_error(subprocess.CompletedProcess([], status, "", stderr), "GB")
    assert "parameters" in message
    assert peak < 800 * MIB, peak
    assert not (tmp_path / "huge").exists()


# --- long texts in training data ------------------------------------------------------------


def test_one_huge_text_cell_costs_little_memory(work, tmp_path) -> None:
    rows = make_rows(240, 0)
    rows[5] = ("the plot was superb " * 500_000, "positive")  # 10 MB in one cell
    train = write_csv(tmp_path / "train.csv", rows)
    status, stderr, peak = run_measured("data", "--config", work["config"], "--set",
                                        f"data.train={train}", "--format", "json", cwd=tmp_path)
    assert status == 0, stderr
    assert peak < 700 * MIB, peak


# --- predict streams its output -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_predict_from_stdin_writes_rows_before_it_ends(work, tmp_path, fmt) -> None:
    lines = [text for text, _ in make_rows(60_000, 3)]
    source = tmp_path / "in.txt"
    source.write_text("\n".join(lines) + "\n")
    out_path = tmp_path / f"out.{fmt}"
    with open(source, "rb") as stdin, open(out_path, "wb") as out:
        proc = subprocess.Popen(command("predict", "--model", work["rnn"], "--file", "-",
                                        "--format", fmt), cwd=tmp_path, stdin=stdin, stdout=out,
                                stderr=subprocess.PIPE)
        seen_partial = False
        while proc.poll() is None:
            size = os.path.getsize(out_path)
            seen_partial = seen_partial or size > 0
            time.sleep(0.005)
        stderr = proc.stderr.read().decode()
    assert proc.returncode == 0, stderr
    assert seen_partial, "nothing was written before the process ended"
    written = out_path.read_text().splitlines()
    assert len(written) == len(lines) + (fmt == "csv")


def test_the_parameter_estimate_is_exact() -> None:
    """The refusal above relies on counting parameters from the config alone."""
    import itertools

    from sentiment_rnn.config import ModelConfig
    from sentiment_rnn.rnn.model import SentimentRNN, count_parameters, estimate_parameters

    for cell, bidirectional, pooling, layers in itertools.product(
            ("rnn", "gru", "lstm"), (True, False), ("last", "mean_max"), (1, 3)):
        config = ModelConfig(cell=cell, bidirectional=bidirectional, pooling=pooling,
                             num_layers=layers, embedding_dim=12, hidden_size=7)
        assert estimate_parameters(50, 3, config) == count_parameters(SentimentRNN(50, 3, config))
