"""Real `tune` processes on one SQLite file: killed and continued, or two sharing the work."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_tune import tiny_config_file, write_space

optuna = pytest.importorskip("optuna", reason="the [tune] extra is not installed")

pytestmark = pytest.mark.slow  # real processes that train
SPACE = "training.lr: {low: 0.01, high: 0.1, log: true}\nmodel.hidden_size: [8, 12]\n"


def command(tmp_path: Path, trials: int, epochs: int) -> list[str]:
    return [
        sys.executable, "-m", "sentiment_rnn", "tune", "--config", str(tiny_config_file(tmp_path)),
        "--space", str(write_space(tmp_path, SPACE)), "--trials", str(trials),
        "--set", f"training.epochs={epochs}", "--storage", f"sqlite:///{tmp_path / 'tune.db'}",
        "--study", "s", "--pruner", "none",
    ]


def start(cmd: list[str], cwd: Path, name: str) -> subprocess.Popen:
    log = open(cwd / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, text=True)


def study(tmp_path: Path):
    return optuna.load_study(study_name="s", storage=f"sqlite:///{tmp_path / 'tune.db'}")


def wait_for_a_trial_midway(proc: subprocess.Popen, tmp_path: Path):
    """Until one trial is complete and another has finished an epoch but not its last."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, (tmp_path / "first.log").read_text()
        try:
            trials = study(tmp_path).get_trials()
        except KeyError:  # the study is not created yet
            trials = []
        done = [t for t in trials if t.state.name == "COMPLETE"]
        running = [t for t in trials if t.state.name == "RUNNING" and "run_dir" in t.user_attrs]
        if done and running:
            history = Path(running[0].user_attrs["run_dir"]) / "history.jsonl"
            if history.is_file() and len(history.read_text().splitlines()) >= 1:
                return running[0]
        time.sleep(0.05)
    raise AssertionError("no trial got midway within 180 s")


def finished(trials) -> list:
    return [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_a_killed_study_continues_with_no_trial_lost_or_repeated(tmp_path: Path, sig: int) -> None:
    cmd = command(tmp_path, trials=4, epochs=8)
    proc = start(cmd, tmp_path, "first")
    try:
        victim = wait_for_a_trial_midway(proc, tmp_path)
        before = {t.number: (t.params, t.value) for t in finished(study(tmp_path).get_trials())}
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    first_log = (tmp_path / "first.log").read_text()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, first_log
        assert f"trial {victim.number} is queued to run again" in first_log
    second = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert "4 of 4 trials finished" in second.stdout

    trials = study(tmp_path).get_trials()
    done = finished(trials)
    assert len(done) == 4
    for number, (params, value) in before.items():  # what was finished stays as it was
        assert (trials[number].params, trials[number].value) == (params, value)
    assert trials[victim.number].state.name == "FAIL"
    retries = [t for t in done if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retries) == 1 and retries[0].params == victim.params  # run again, once
    if sig == signal.SIGKILL:
        assert f"trial {victim.number} was left running by a process that is gone" in second.stderr
    assert len(trials) == 5  # four finished and the interrupted one: nothing else ran
    run_dirs = [t.user_attrs["run_dir"] for t in done]
    assert len(set(run_dirs)) == 4
    for run_dir in run_dirs:
        assert (Path(run_dir) / "meta.json").is_file()
        assert json.loads((Path(run_dir) / "metrics.json").read_text())["test"] is None


def test_two_processes_on_one_storage_finish_the_trials_together(tmp_path: Path) -> None:
    cmd = command(tmp_path, trials=6, epochs=10)  # trials long enough for both to start
    procs = [start(cmd, tmp_path, f"worker{i}") for i in range(2)]
    try:
        for proc in procs:
            proc.wait(timeout=600)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
    assert [proc.returncode for proc in procs] == [0, 0], logs
    assert all("6 of 6 trials finished" in log for log in logs)
    trials = study(tmp_path).get_trials()
    done = finished(trials)
    assert len(done) == 6
    others = [t for t in trials if t not in done]
    assert all(t.state.name == "FAIL" and t.user_attrs.get("surplus") for t in others)
    assert {t.user_attrs["pid"] for t in done} == {proc.pid for proc in procs}  # both worked
    assert len({t.user_attrs["run_dir"] for t in done}) == 6
