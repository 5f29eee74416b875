"""Issue 16, tracebacks: each of these gave a traceback (or a Rust panic) where a one-line error
naming the file and the problem is promised. Checked through the command line."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from safetensors import safe_open
from safetensors.torch import save_file

from conftest import TINY_CONFIG
from reliability_support import (
    command,
    fill,
    one_line_error,
    run_cli,
    small_disk,
    write_config,
)

pytestmark = pytest.mark.slow  # real processes, most of them training a tiny model


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny config, an RNN run and a baseline run, made by real processes."""
    root = tmp_path_factory.mktemp("tracebacks")
    config = write_config(root, training={"epochs": 1})
    made = {"root": root, "config": config}
    for key, args in (("rnn", ["train"]), ("baseline", ["baseline"])):
        made[key] = root / key
        done = run_cli(*args, "--config", config, "--output", made[key], cwd=root)
        assert done.returncode == 0, done.stderr
    return made


def rehash(run: Path, name: str) -> None:
    """Record `name`'s SHA-256 in meta.json, as if the run had been saved with it."""
    meta = json.loads((run / "meta.json").read_text())
    meta["sha256"][name] = hashlib.sha256((run / name).read_bytes()).hexdigest()
    (run / "meta.json").write_text(json.dumps(meta))


# --- explain --plot: checked before the work ------------------------------------------------


def plot_target(tmp_path: Path, case: str, stack) -> Path:
    if case == "missing folder":
        return tmp_path / "no" / "such" / "folder" / "plot.png"
    if case == "a directory":
        (tmp_path / "plots.png").mkdir()
        return tmp_path / "plots.png"
    disk = stack.enter_context(small_disk(tmp_path / "disk", "256k", read_only=case == "read-only"))
    if case == "full disk":
        fill(disk)
    return disk / "plot.png"


@pytest.mark.parametrize("case", ["missing folder", "a directory", "read-only", "full disk"])
def test_explain_plot_path_problems_are_named_before_the_work(work, tmp_path, case) -> None:
    import contextlib

    with contextlib.ExitStack() as stack:
        plot = plot_target(tmp_path, case, stack)
        done = run_cli("explain", "the plot was superb", "--model", work["rnn"], "--plot", plot,
                       cwd=tmp_path)
        one_line_error(done, str(plot))
        # checked before the work: a model that cannot even be loaded is not reached
        early = run_cli("explain", "the plot was superb", "--model", tmp_path / "no-model",
                        "--plot", plot, cwd=tmp_path)
        one_line_error(early, str(plot))


# --- baseline and compare on a full disk ----------------------------------------------------


@pytest.mark.parametrize("which", ["baseline", "compare"])
def test_a_full_disk_is_refused_before_the_work_and_nothing_is_left(work, tmp_path, which) -> None:
    with small_disk(tmp_path / "disk", "512k") as disk:
        fill(disk, leave=16_000)
        out = disk / "out"
        args = (["baseline", "--config", work["config"]] if which == "baseline" else
                ["compare", "--config", work["config"], "--rnn", work["rnn"], "--baseline",
                 work["baseline"]])
        one_line_error(run_cli(*args, "--output", out, cwd=tmp_path), "MB free")
        assert not out.exists() or not any(out.iterdir())


# --- pretrained vectors ---------------------------------------------------------------------


def vectors(lines: int, bad_line: int | None, dim: int = 16) -> bytes:
    rows = [f"w{i} " + " ".join(["0.1"] * dim) for i in range(lines)]
    data = [row.encode() for row in rows]
    if bad_line is not None:
        data[bad_line - 1] = b"caf\xe9 " + b" ".join([b"0.1"] * dim)
    return b"\n".join(data) + b"\n"


@pytest.mark.parametrize("bad_line", [1, 40, 500, 2000])
def test_invalid_utf8_in_pretrained_vectors_names_its_line(work, tmp_path, bad_line) -> None:
    path = tmp_path / "vectors.txt"
    path.write_bytes(vectors(3000, bad_line))
    done = run_cli("train", "--config", work["config"], "--set", f"model.pretrained_embeddings={path}",
                   "--output", tmp_path / "run", cwd=tmp_path)
    one_line_error(done, f"{path}, line {bad_line}:", "UTF-8")


# --- probe files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    ['{"text": 5, "label": "positive"}', '{"text": 1.5, "label": "positive"}',
     "[" * 5000 + "]" * 5000, '{"text": ' + "[" * 5000 + "]" * 5000 + ', "label": "positive"}'],
    ids=["text-int", "text-float", "nested-5000", "text-nested-5000"],
)
def test_odd_probe_lines_are_named(work, tmp_path, line) -> None:
    path = tmp_path / "probes.jsonl"
    path.write_text('{"text": "the plot was superb", "label": "positive"}\n' + line + "\n")
    one_line_error(run_cli("probe", "--model", work["rnn"], "--probes", path, cwd=tmp_path),
                   f"{path}, line 2")


# --- named sources whose files are directories ----------------------------------------------


def source_config(root: Path, data: dict) -> Path:
    path = root / "source.yaml"
    path.write_text(yaml.safe_dump({**TINY_CONFIG, "data": data}), encoding="utf-8")
    return path



def test_rotten_tomatoes_file_that_is_a_directory(tmp_path) -> None:
    folder = tmp_path / "rt"
    folder.mkdir()
    (folder / "rt-polarity.neg").write_text("a dull film\n" * 20, encoding="cp1252")
    (folder / "rt-polarity.pos").mkdir()
    config = source_config(tmp_path, {"source": "rotten_tomatoes", "path": str(folder)})
    done = run_cli("data", "--config", config, cwd=tmp_path)
    one_line_error(done, str(folder / "rt-polarity.pos"), "directory")


def test_imdb_review_that_is_a_directory(tmp_path) -> None:
    root = tmp_path / "aclImdb"
    for split in ("train", "test"):
        for folder in ("neg", "pos"):
            (root / split / folder).mkdir(parents=True)
            for i in range(5):
                (root / split / folder / f"{i}_7.txt").write_text(f"review {i} of {folder}")
    (root / "train" / "pos" / "9_9.txt").mkdir()
    done = run_cli("data", "--config", source_config(tmp_path, {"source": "imdb", "path": str(tmp_path)}),
                   cwd=tmp_path)
    one_line_error(done, str(root / "train" / "pos" / "9_9.txt"), "directory")


# --- damaged checkpoints --------------------------------------------------------------------


@pytest.fixture(scope="module")
def interrupted(work) -> Path:
    """A run killed after its first checkpoint (a real process)."""
    out = work["root"] / "interrupted"
    proc = subprocess.Popen(command("train", "--config", work["config"], "--set", "training.epochs=300",
                                    "--output", out), cwd=work["root"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.safetensors").exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return out


def damage_checkpoint(path: Path, case: str) -> None:
    with safe_open(path, framework="pt") as handle:
        state = json.loads(handle.metadata()["state"])
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    if case == "state lacks a key":
        del state["best_score"]
    elif case == "state is a list":
        state = [state]
    elif case == "tensor key without a dot":
        tensors["nodot"] = tensors.pop("rng.torch")
    elif case == "history not a list":
        state["history"] = 5
    save_file(tensors, path, metadata={"state": json.dumps(state)})


@pytest.mark.parametrize("case", ["state lacks a key", "state is a list", "tensor key without a dot",
                                  "history not a list"])
def test_a_damaged_checkpoint_is_named(interrupted, tmp_path, case) -> None:
    run = Path(shutil.copytree(interrupted, tmp_path / "run"))
    damage_checkpoint(run / "checkpoint.safetensors", case)
    one_line_error(run_cli("train", "--resume", run, cwd=tmp_path),
                   str(run / "checkpoint.safetensors"))


# --- baseline.json after a rehash -----------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", [1], [3, 1], [1, "x"], None, [1, 2, 3], [0, 99]])
def test_a_malformed_ngram_range_is_named(work, tmp_path, value) -> None:
    run = Path(shutil.copytree(work["baseline"], tmp_path / "baseline"))
    params = json.loads((run / "baseline.json").read_text())
    params["ngram_range"] = value
    (run / "baseline.json").write_text(json.dumps(params))
    rehash(run, "baseline.json")
    one_line_error(run_cli("predict", "--model", run, "the plot was superb", cwd=tmp_path),
                   str(run / "baseline.json"), "ngram_range")


# --- a tokenizer.json that is not the pipeline this project builds --------------------------


def swap_normalizer(run: Path, pattern: str) -> None:
    data = json.loads((run / "tokenizer.json").read_text())
    data["normalizer"]["normalizers"][1]["pattern"] = {"Regex": pattern}
    (run / "tokenizer.json").write_text(json.dumps(data))
    rehash(run, "tokenizer.json")


@pytest.mark.parametrize("pattern", ["(a|a)+$", "x"])
def test_a_tokenizer_with_another_pipeline_is_refused(work, tmp_path, pattern) -> None:
    run = Path(shutil.copytree(work["rnn"], tmp_path / "run"))
    swap_normalizer(run, pattern)
    done = run_cli("predict", "--model", run, "a" * 5000 + "!", cwd=tmp_path)
    one_line_error(done, str(run / "tokenizer.json"), "normalizer")


def test_the_saved_pipeline_itself_is_accepted(work, tmp_path) -> None:
    run = Path(shutil.copytree(work["rnn"], tmp_path / "run"))
    data = json.loads((run / "tokenizer.json").read_text())
    (run / "tokenizer.json").write_text(json.dumps(data, indent=4))  # other whitespace only
    rehash(run, "tokenizer.json")
    done = run_cli("predict", "--model", run, "the plot was superb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load((run / "config.yaml").read_text())["tokenizer"]["lowercase"] is True
    assert os.path.getsize(run / "tokenizer.json") > 0
