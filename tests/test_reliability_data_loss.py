"""Issue 16, data loss: nothing a user already has is destroyed or corrupted by a failed command.

Every case runs real `sentiment-rnn` processes: a `--force` that fails leaves the old run
untouched, an output that is an input is refused, a write that fails (a full disk, with and
without PYTHONUNBUFFERED) is a one-line error and a non-zero exit, a run directory being written
is locked against a second writer, report.md is never left empty, and an output path that is a
device is never written through.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from reliability_support import (
    command,
    fill,
    one_line_error,
    run_cli,
    small_disk,
    snapshot,
    write_config,
)

pytestmark = pytest.mark.slow  # real processes, most of them training a tiny model


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An RNN run, a baseline run and a compare report, made once by real processes."""
    root = tmp_path_factory.mktemp("data-loss")
    config = write_config(root, training={"epochs": 1})
    made = {"root": root, "config": config}
    for key, args in (("rnn", ["train"]), ("baseline", ["baseline"])):
        made[key] = root / key
        done = run_cli(*args, "--config", config, "--output", made[key], cwd=root)
        assert done.returncode == 0, done.stderr
    made["compare"] = root / "compare"
    done = run_cli("compare", "--config", config, "--output", made["compare"], cwd=root)
    assert done.returncode == 0, done.stderr
    return made


def copy_of(source: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(source, tmp_path / source.name, symlinks=True))


def beside(target: Path) -> list[str]:
    """What a build beside `target` (`<target>.new...`) may have left in its folder."""
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f"{target.name}."))


# --- 1. --force checks everything first, builds beside, swaps at the end ---------------------


@pytest.mark.parametrize("kind", ["rnn", "baseline", "compare"])
def test_a_failed_force_leaves_the_old_output_untouched(runs, tmp_path, kind) -> None:
    target = copy_of(runs[kind], tmp_path)
    before = snapshot(target)
    args = {"rnn": ["train"], "baseline": ["baseline"], "compare": ["compare"]}[kind]
    done = run_cli(*args, "--config", runs["config"], "--set", "data.train=data/typo.csv",
                   "--output", target, "--force", cwd=tmp_path)
    one_line_error(done, "typo.csv", "not found")
    assert snapshot(target) == before
    assert beside(target) == []  # nothing left beside


@pytest.mark.parametrize("kind", ["rnn", "baseline"])
def test_a_force_that_succeeds_replaces_the_old_output_whole(runs, tmp_path, kind) -> None:
    target = copy_of(runs[kind], tmp_path)
    (target / "stale-file.txt").write_text("from the old run")
    args = {"rnn": ["train"], "baseline": ["baseline"]}[kind]
    done = run_cli(*args, "--config", runs["config"], "--set", "seed=99", "--output", target,
                   "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (target / "stale-file.txt").exists()
    assert yaml.safe_load((target / "config.yaml").read_text())["seed"] == 99
    assert json.loads((target / "meta.json").read_text())["sha256"]
    assert beside(target) == []
    check = run_cli("predict", "--model", target, "the plot was superb", "--format", "json",
                    cwd=tmp_path)
    assert check.returncode == 0, check.stderr


def test_the_issues_case_through_runs_latest(runs, tmp_path) -> None:
    """`train --output runs/latest --force` with a typo: the run the link points at survives,
    and the link stays a link."""
    (tmp_path / "runs").mkdir()
    target = Path(shutil.copytree(runs["rnn"], tmp_path / "runs" / "old-run"))
    (tmp_path / "runs" / "latest").symlink_to("old-run")
    before = snapshot(target)
    done = run_cli("train", "--config", runs["config"], "--set", "data.train=data/typo.csv",
                   "--output", "runs/latest", "--force", cwd=tmp_path)
    one_line_error(done, "typo.csv")
    assert snapshot(target) == before
    assert (tmp_path / "runs" / "latest").is_symlink()
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["latest", "old-run"]


def test_ctrl_c_during_a_forced_train_keeps_the_old_run(runs, tmp_path) -> None:
    target = copy_of(runs["rnn"], tmp_path)
    before = snapshot(target)
    proc = subprocess.Popen(
        command("train", "--config", runs["config"], "--set", "training.epochs=200",
                "--output", target, "--force"),
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while "epoch   1" not in (line := proc.stderr.readline()):  # the first epoch's summary
            assert line or proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert snapshot(target) == before  # the old run still whole, still loadable
    assert "Resume with: sentiment-rnn train --resume" in stderr


# --- 2. an output that is one of the inputs is refused --------------------------------------


@pytest.mark.parametrize("which", ["rnn", "baseline", "parent"])
def test_compare_refuses_an_output_that_is_an_input(runs, tmp_path, which) -> None:
    work = copy_of(runs["root"], tmp_path)
    rnn, baseline = work / "rnn", work / "baseline"
    output = {"rnn": rnn, "baseline": baseline, "parent": work}[which]
    before = snapshot(work)
    done = run_cli("compare", "--config", work / "tiny.yaml", "--rnn", rnn, "--baseline", baseline,
                   "--output", output, "--force", cwd=tmp_path)
    one_line_error(done, str(output), "--output")
    assert snapshot(work) == before


def test_train_refuses_to_replace_a_directory_holding_its_data(tmp_path) -> None:
    config = write_config(tmp_path)
    before = snapshot(tmp_path)
    one_line_error(run_cli("train", "--config", config, "--output", tmp_path / "data", "--force",
                           cwd=tmp_path), "data", "--output")
    assert snapshot(tmp_path) == before


# --- 3. every write to stdout is checked and flushed ----------------------------------------


@pytest.fixture(scope="module")
def big_input(runs) -> Path:
    path = runs["root"] / "big.txt"
    path.write_text("the plot was superb and the cast was not dull at all\n" * 3_000)
    return path


@pytest.mark.parametrize("unbuffered", [True, False], ids=["PYTHONUNBUFFERED", "buffered"])
def test_predict_onto_a_disk_that_fills_up_fails_loudly(runs, big_input, tmp_path, unbuffered):
    with small_disk(tmp_path / "disk", "64k") as disk:
        with open(disk / "out.jsonl", "wb") as out:
            env = {"PYTHONUNBUFFERED": "1"} if unbuffered else {"PYTHONUNBUFFERED": ""}
            done = run_cli("predict", "--model", runs["rnn"], "--file", big_input,
                           "--format", "jsonl", cwd=tmp_path, stdout=out, env=env)
        one_line_error(done, "stdout", "No space left on device")


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "--format", "json", "the plot was superb"],
        ["predict", "the plot was superb"],
        ["evaluate", "--format", "json"],
        ["explain", "the plot was superb", "--format", "json"],
        ["probe", "--format", "json"],
    ],
    ids=["predict-json", "predict-table", "evaluate", "explain", "probe"],
)
def test_a_full_stdout_is_a_one_line_error(runs, tmp_path, args) -> None:
    with open("/dev/full", "wb") as full:
        done = run_cli(*args, "--model", runs["rnn"], cwd=tmp_path, stdout=full)
    one_line_error(done, "stdout", "No space left on device")


def test_config_show_onto_a_full_stdout(runs, tmp_path) -> None:
    with open("/dev/full", "wb") as full:
        done = run_cli("config", "show", "--config", runs["config"], cwd=tmp_path, stdout=full,
                       env={"PYTHONUNBUFFERED": "1"})
    one_line_error(done, "stdout", "No space left on device")


# --- 4. a run directory being written is locked ---------------------------------------------


def start_long_training(config: Path, out: Path, cwd: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        command("train", "--config", config, "--set", "training.epochs=300", "--output", out),
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.safetensors").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("second", ["resume", "force"])
def test_a_second_writer_is_refused_with_the_holders_pid(runs, tmp_path, second) -> None:
    out = tmp_path / "run"
    first = start_long_training(runs["config"], out, tmp_path)
    try:
        args = (["train", "--resume", out] if second == "resume" else
                ["train", "--config", runs["config"], "--output", out, "--force"])
        done = run_cli(*args, cwd=tmp_path, timeout=180)
        one_line_error(done, str(out), f"PID {first.pid}")
        assert first.poll() is None  # the first writer goes on
        history = [json.loads(line)["epoch"] for line in (out / "history.jsonl").read_text().splitlines()]
        assert history == list(range(1, len(history) + 1))
    finally:
        first.kill()
        first.communicate()


def test_the_lock_goes_with_the_process(runs, tmp_path) -> None:
    """A killed writer holds nothing: resuming afterwards works (the OS drops the lock)."""
    out = tmp_path / "run"
    first = start_long_training(runs["config"], out, tmp_path)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    config = yaml.safe_load((out / "config.yaml").read_text())
    config["training"]["epochs"] = 300
    proc = subprocess.Popen(command("train", "--resume", out), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert line.startswith(f"resuming {out}"), line + proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate()


# --- 5. compare on a disk that fills up -----------------------------------------------------


@pytest.mark.parametrize("leave", [0, 300_000])
def test_compare_on_a_full_disk_is_refused_before_the_work(runs, tmp_path, leave) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        fill(disk, leave)
        output = disk / "report"
        done = run_cli("compare", "--config", runs["config"], "--rnn", runs["rnn"],
                       "--baseline", runs["baseline"], "--output", output, cwd=tmp_path)
        one_line_error(done, str(output), "MB free")
        assert not output.exists()


def test_compare_on_a_disk_that_fills_up_while_writing_leaves_no_partial_report(runs, tmp_path):
    """A tmpfs with few inodes: bytes to spare, but the n-th new file fails with ENOSPC, at
    each file of the report in turn."""
    failures = 0
    for inodes in range(4, 10):
        with small_disk(tmp_path / f"disk{inodes}", f"64m,nr_inodes={inodes}") as disk:
            output = disk / "report"
            done = run_cli("compare", "--config", runs["config"], "--rnn", runs["rnn"],
                           "--baseline", runs["baseline"], "--output", output, cwd=tmp_path)
            if done.returncode == 0:
                assert (output / "report.md").stat().st_size > 0
                assert json.loads((output / "report.json").read_text())["models"]
                continue
            one_line_error(done, "No space left on device")
            assert not output.exists() or not any(output.iterdir()), sorted(output.iterdir())
            failures += 1
    assert failures >= 3  # the disk filled at several points of the writing, not only at the start


# --- 6. an output path that exists and is not a regular file is refused ----------------------


def device_or_fifo(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"a-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null
        except PermissionError:
            pytest.skip("mknod needs root")
    return path


@pytest.mark.parametrize("kind", ["char-device", "fifo", "link-to-device"])
def test_explain_plot_refuses_a_path_that_is_not_a_regular_file(runs, tmp_path, kind) -> None:
    target = device_or_fifo(tmp_path, "fifo" if kind == "fifo" else "char-device")
    plot = target
    if kind == "link-to-device":
        plot = tmp_path / "plot.png"
        plot.symlink_to(target)
    done = run_cli("explain", "the plot was superb", "--model", runs["rnn"], "--plot", plot,
                   cwd=tmp_path)
    one_line_error(done, str(plot), "not a regular file")
    mode = os.lstat(target).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISCHR(mode)
    assert kind != "link-to-device" or plot.is_symlink()
