"""Resumable training: a run stopped after k epochs and resumed ends exactly like one never stopped."""

from __future__ import annotations

import errno
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file
from typer.testing import CliRunner

import sentiment_rnn.rnn.checkpoint as checkpoint_module
import sentiment_rnn.rnn.fit as fit_module
from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.checkpoint import CHECKPOINT, load_checkpoint
from sentiment_rnn.rnn.train import TrainingInterrupted, resume, train

pytestmark = pytest.mark.slow  # every test here trains a model

EPOCHS = 6


def make_config(root: Path, **training) -> dict:
    """Tiny, with dropout (so the RNG state matters) and shuffled batches."""
    return {
        **TINY_CONFIG,
        "data": write_dataset(root / "data", n_train=480),
        "model": {**TINY_CONFIG["model"], "dropout": 0.3},
        "training": {**TINY_CONFIG["training"], "epochs": EPOCHS, **training},
    }


def interrupt_after(monkeypatch: pytest.MonkeyPatch, epochs: int) -> None:
    """Ctrl-C right after the checkpoint of epoch `epochs` is written."""
    real = checkpoint_module.save_checkpoint

    def save_then_stop(run_dir, state):
        path = real(run_dir, state)
        if state.epoch == epochs:
            raise KeyboardInterrupt
        return path

    monkeypatch.setattr("sentiment_rnn.rnn.train.save_checkpoint", save_then_stop)


def outcome(run_dir: Path, metrics: dict) -> tuple:
    """Everything that must not depend on an interruption (not the wall-clock time)."""
    fixed = {key: metrics[key] for key in ("dev", "test", "best_epoch", "epochs_run", "stopped_early")}
    weights = load_file(run_dir / "model.safetensors")
    history = [
        {k: v for k, v in r.items() if k not in ("seconds", "tokens_per_second")}
        for r in map(yaml.safe_load, (run_dir / "history.jsonl").read_text().splitlines())
    ]
    return fixed, weights, history


def assert_same(a: tuple, b: tuple) -> None:
    assert a[0] == b[0]
    assert a[1].keys() == b[1].keys()
    for key in a[1]:
        assert torch.equal(a[1][key], b[1][key]), key
    assert a[2] == b[2]


@pytest.mark.parametrize(
    ("training", "stop_after"),
    [
        ({}, 2),  # one-cycle schedule
        ({"schedule": "warmup_linear"}, 4),  # a LambdaLR schedule
        ({"patience": 1, "lr": 0.05}, 1),  # early stopping state carried over
    ],
)
def test_resumed_run_ends_exactly_like_an_uninterrupted_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, training: dict, stop_after: int
) -> None:
    config = validate_config(make_config(tmp_path, **training), "tiny")
    reference = outcome(*train(config, tmp_path / "reference"))

    interrupt_after(monkeypatch, stop_after)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config, tmp_path / "stopped")
    assert stopped.value.epoch == stop_after
    assert not (tmp_path / "stopped" / "meta.json").exists()
    assert load_checkpoint(tmp_path / "stopped").epoch == stop_after
    monkeypatch.undo()

    run_dir, metrics = resume(tmp_path / "stopped")
    assert_same(outcome(run_dir, metrics), reference)
    assert not (run_dir / CHECKPOINT).exists()  # removed once the run is finished


def test_interrupted_before_the_first_checkpoint_resumes_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = validate_config(make_config(tmp_path, epochs=2), "tiny")
    reference = outcome(*train(config, tmp_path / "reference"))

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(fit_module, "train_epoch", stop)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(config, tmp_path / "stopped")
    assert stopped.value.epoch is None
    monkeypatch.undo()
    assert_same(outcome(*resume(tmp_path / "stopped")), reference)


def start_training(tmp_path: Path, out: Path) -> subprocess.Popen:
    config_path = tmp_path / "config.yaml"
    config_path.write_text(yaml.safe_dump(make_config(tmp_path, epochs=12)), encoding="utf-8")
    command = [sys.executable, "-m", "sentiment_rnn", "train", "--config", str(config_path),
               "--output", str(out)]
    return subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for_epochs(proc: subprocess.Popen, out: Path, epochs: int) -> None:
    deadline = time.monotonic() + 90
    while True:
        state = load_checkpoint(out) if (out / CHECKPOINT).is_file() else None
        if state is not None and state.epoch >= epochs:
            return
        assert proc.poll() is None, f"train ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, f"{epochs} epochs did not finish within 90 s"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_killed_training_process_resumes_to_the_same_result(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "run"
    proc = start_training(tmp_path, out)
    try:
        wait_for_epochs(proc, out, 2)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, stderr
        assert f"Resume with: sentiment-rnn train --resume {out}" in stderr
        assert str(out / CHECKPOINT) in stderr
        assert "Traceback" not in stderr
    else:
        assert proc.returncode == -signal.SIGKILL
    assert not (out / "meta.json").exists()
    stopped_at = load_checkpoint(out).epoch
    assert 2 <= stopped_at < 12

    result = CliRunner().invoke(app, ["train", "--resume", str(out)])
    assert result.exit_code == 0, result.output
    config = validate_config(make_config(tmp_path, epochs=12), "tiny")
    reference = outcome(*train(config, tmp_path / "reference"))
    resumed = outcome(out, yaml.safe_load((out / "metrics.json").read_text()))
    assert_same(resumed, reference)


def test_resume_refuses_a_finished_run_and_a_directory_without_a_run(tmp_path: Path) -> None:
    config = validate_config(make_config(tmp_path, epochs=1), "tiny")
    run_dir, _ = train(config, tmp_path / "done")
    with pytest.raises(UserError, match="already finished"):
        resume(run_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no config.yaml"):
        resume(tmp_path / "empty")


@pytest.mark.parametrize("change", ["data", "config"])
def test_resume_refuses_when_the_data_or_config_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    raw = make_config(tmp_path)
    config = validate_config(raw, "tiny")
    interrupt_after(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        train(config, tmp_path / "run")
    monkeypatch.undo()
    if change == "data":
        train_csv = Path(raw["data"]["train"])
        train_csv.write_text(train_csv.read_text().replace("great", "grand"))
        needle = r"data \(train\) changed"
    else:
        config_path = tmp_path / "run" / "config.yaml"
        config_path.write_text(config_path.read_text().replace("lr: 0.01", "lr: 0.02"))
        needle = "config.yaml changed"
    with pytest.raises(UserError, match=needle):
        resume(tmp_path / "run")


def test_a_damaged_checkpoint_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = validate_config(make_config(tmp_path), "tiny")
    interrupt_after(monkeypatch, 1)
    with pytest.raises(TrainingInterrupted):
        train(config, tmp_path / "run")
    path = tmp_path / "run" / CHECKPOINT
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(UserError, match=f"{path}: not a readable checkpoint"):
        resume(tmp_path / "run")


def test_full_disk_is_refused_before_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = validate_config(make_config(tmp_path), "tiny")

    class Usage:
        free = 1_000

    monkeypatch.setattr("sentiment_rnn.rnn.checkpoint.shutil.disk_usage", lambda path: Usage)
    monkeypatch.setattr(fit_module, "train_epoch", lambda *a, **k: pytest.fail("training started"))
    with pytest.raises(UserError, match="MB free on this disk, training this model needs about"):
        train(config, tmp_path / "run")


def test_disk_full_mid_training_keeps_the_last_checkpoint_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = validate_config(make_config(tmp_path, epochs=3), "tiny")
    reference = outcome(*train(config, tmp_path / "reference"))
    real = checkpoint_module.atomic_write
    calls = []

    def fill_up(path, data):
        calls.append(path)
        if len(calls) == 2:  # the second epoch's checkpoint does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data)

    monkeypatch.setattr(checkpoint_module, "atomic_write", fill_up)
    with pytest.raises(UserError, match=r"cannot write \(No space left on device\); the checkpoint after epoch 1 is intact"):
        train(config, tmp_path / "run")
    monkeypatch.undo()
    assert load_checkpoint(tmp_path / "run").epoch == 1
    assert not list((tmp_path / "run").glob(".*.tmp"))  # no half-written file left behind
    assert_same(outcome(*resume(tmp_path / "run")), reference)


def test_cli_resume_cannot_be_mixed_with_a_config(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--resume", str(tmp_path), "--set", "seed=1"])
    assert result.exit_code == 2
    assert "cannot be combined" in result.output
