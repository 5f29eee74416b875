"""`pretrain`: language models that learn, read no dev or test text, resume exactly, and keep
the same weights in one process or two."""

from __future__ import annotations

import math
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

from conftest import TINY_CONFIG, write_csv, write_dataset
from reliability_support import snapshot
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.data.dataset import load_dataset
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.lm.checkpoint import checkpoint_path, load_lm_checkpoint
from sentiment_rnn.rnn.lm.corpus import EOS, build_corpus, contains
from sentiment_rnn.rnn.lm.run import pretrain, resume_pretrain
from sentiment_rnn.rnn.lm.rundir import load_lm_run

pytestmark = pytest.mark.slow  # every test here trains language models (or runs pretrain)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """Tiny models run fastest on one thread, and stay fast on a busy machine (restored after)."""
    torch.set_num_threads(1)


def lm_config(root: Path, **pretrain_keys) -> dict:
    """A tiny LM: 16-wide, streams of a few thousand tokens, a checkpoint every 10 steps."""
    return {
        **TINY_CONFIG,
        "data": write_dataset(root / "data"),
        "pretrain": {"epochs": 3, "bptt": 8, "batch_size": 4, "checkpoint_every": 10,
                     "valid_fraction": 0.1, "lr": 0.01, **pretrain_keys},
    }


def history(run_dir: Path, direction: str) -> list[dict]:
    lines = (run_dir / f"history-{direction}.jsonl").read_text().splitlines()
    return [yaml.safe_load(line) for line in lines]


def timeless(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("seconds", "tokens_per_second")} for r in records]


def assert_same_run(a: Path, b: Path) -> None:
    for direction in ("forward", "backward"):
        wa, wb = load_file(a / f"{direction}.safetensors"), load_file(b / f"{direction}.safetensors")
        assert wa.keys() == wb.keys()
        for key in wa:
            assert torch.equal(wa[key], wb[key]), (direction, key)
        assert timeless(history(a, direction)) == timeless(history(b, direction))


def test_the_language_models_learn(tmp_path: Path) -> None:
    config = validate_config(lm_config(tmp_path, epochs=4), "tiny")
    run_dir, metrics = pretrain(config, tmp_path / "lm")
    run = load_lm_run(run_dir)
    uniform = math.log(run.tokenizer.get_vocab_size())
    for direction in ("forward", "backward"):
        records = history(run_dir, direction)
        assert records[-1]["train_loss"] < records[0]["train_loss"] - 0.5
        assert records[-1]["valid_loss"] < records[0]["valid_loss"]
        assert metrics["directions"][direction]["valid_loss"] < uniform - 1.0  # far from chance
        assert metrics["directions"][direction]["finished"] == "completed"
    assert not list(run_dir.glob("checkpoint-*")) and not (run_dir / "streams.safetensors").exists()


def test_adaptive_softmax_learns_when_the_vocabulary_fits_its_clusters(tmp_path: Path) -> None:
    config = validate_config(lm_config(tmp_path, cutoffs=[8, 16], directions="forward"), "tiny")
    run_dir, metrics = pretrain(config, tmp_path / "lm")
    assert metrics["softmax"] == "adaptive"
    records = history(run_dir, "forward")
    assert records[-1]["valid_loss"] < records[0]["valid_loss"]
    assert "head.head.weight" in load_file(run_dir / "forward.safetensors")


def test_dev_and_test_texts_are_in_no_stream_and_no_vocabulary(tmp_path: Path) -> None:
    raw = lm_config(tmp_path)
    dev = write_csv(tmp_path / "dev.csv", [("the zebradevword was great", "positive"),
                                           ("the xylodevword was dull", "negative")])
    test = write_csv(tmp_path / "test.csv", [("a quokkatestword ending , not dull", "positive"),
                                             ("the wombattestword was bland", "negative")])
    dev_texts = ["the zebradevword was great", "the xylodevword was dull"]
    test_texts = ["a quokkatestword ending , not dull", "the wombattestword was bland"]
    unlabeled = tmp_path / "unlabeled.txt"  # copies of dev and test texts among unlabelled ones
    unlabeled.write_text("\n".join([*dev_texts, *test_texts, "an unlabelled review of a film"] * 3))
    raw["data"].update(dev=str(dev), test=str(test))
    raw["pretrain"]["unlabeled"] = [str(unlabeled)]
    config = validate_config(raw, "tiny").with_absolute_paths()
    dataset = load_dataset(config.data, config.seed)
    corpus = build_corpus(config, dataset)

    vocabulary = corpus.tokenizer.get_vocab()
    for word in ("zebradevword", "xylodevword", "quokkatestword", "wombattestword"):
        assert word not in vocabulary
    assert "unlabelled" in vocabulary or corpus.records["valid_from"] == "unlabeled"
    assert contains(corpus.hashes, dev_texts + test_texts) == []
    assert corpus.records["dropped_as_dev_or_test"] == 12  # 4 texts, 3 copies each
    decoded = corpus.tokenizer.decode(corpus.train.tolist() + corpus.valid.tolist())
    for text in ("zebradevword", "xylodevword", "quokkatestword", "wombattestword"):
        assert text not in decoded
    assert contains(corpus.hashes, dataset.train.texts[:5]) != []  # the check can find texts
    assert corpus.tokenizer.token_to_id(EOS) is not None


def test_one_process_and_two_processes_give_the_same_weights(tmp_path: Path) -> None:
    one, _ = pretrain(validate_config(lm_config(tmp_path), "tiny"), tmp_path / "one")
    two, _ = pretrain(validate_config(lm_config(tmp_path, processes=2), "tiny"), tmp_path / "two")
    assert_same_run(one, two)


def test_the_backward_model_reads_the_stream_reversed(tmp_path: Path) -> None:
    config = validate_config(lm_config(tmp_path), "tiny").with_absolute_paths()
    corpus = build_corpus(config)
    assert torch.equal(corpus.stream("train", "backward"), corpus.train.flip(0))


def start_pretraining(tmp_path: Path, out: Path, raw: dict, *extra: str) -> subprocess.Popen:
    config_path = tmp_path / "lm.yaml"
    config_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    command = [sys.executable, "-m", "sentiment_rnn", "pretrain", "--config", str(config_path),
               "--output", str(out), *extra]
    return subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for_step(proc: subprocess.Popen, out: Path, step: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        states = [load_lm_checkpoint(out, d) if checkpoint_path(out, d).is_file() else None
                  for d in ("forward", "backward")]
        if all(s is not None and s.step >= step for s in states):
            return
        assert proc.poll() is None, f"pretrain ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, f"step {step} not reached within 120 s"
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    """The processes `pid` started (Linux: /proc lists each thread's children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def wait_for_exit(pids: list[int]) -> None:
    """Until every process in `pids` has ended (a zombie, or gone); a worker orphaned by a SIGKILL
    stops at its next step and may be saving a checkpoint until then."""
    deadline = time.monotonic() + 60
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat")
        while True:
            try:
                state = stat.read_text().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                break
            if state in ("Z", "X"):
                break
            assert time.monotonic() < deadline, f"process {pid} still running 60 s after the kill"
            time.sleep(0.02)


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_killed_pretraining_process_resumes_to_the_same_result(
    tmp_path: Path, sig: int, processes: int
) -> None:
    raw = lm_config(tmp_path, epochs=30, processes=processes)
    out = tmp_path / "run"
    proc = start_pretraining(tmp_path, out, raw)
    try:
        wait_for_step(proc, out, 20)  # of 30 x 16
        workers = children(proc.pid)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, stderr
        assert f"Resume with: sentiment-rnn pretrain --resume {out}" in stderr
        assert "Traceback" not in stderr
    wait_for_exit(workers)  # orphaned workers (SIGKILL of the parent) notice and stop
    assert not (out / "meta.json").exists()
    stopped = load_lm_checkpoint(out, "forward").step
    assert 20 <= stopped < load_lm_checkpoint(out, "forward").total_steps

    result = CliRunner().invoke(app, ["pretrain", "--resume", str(out)])
    assert result.exit_code == 0, result.output
    in_one_process = {**raw, "pretrain": {**raw["pretrain"], "processes": 1}}  # the same weights
    reference, _ = pretrain(validate_config(in_one_process, "tiny"), tmp_path / "reference")
    assert_same_run(out, reference)


def test_force_replaces_the_old_run_only_when_the_new_one_is_complete(tmp_path: Path) -> None:
    target, _ = pretrain(validate_config(lm_config(tmp_path, epochs=1), "old"), tmp_path / "lm")
    before = snapshot(target)
    typo = {**lm_config(tmp_path), "data": {**lm_config(tmp_path)["data"], "train": "typo.csv"}}
    with pytest.raises(UserError, match="typo.csv"):
        pretrain(validate_config(typo, "typo"), target, force=True)
    assert snapshot(target) == before  # a mistake leaves the old run whole, nothing beside it
    assert not list(tmp_path.glob("lm.new*"))

    raw = lm_config(tmp_path, epochs=200)  # long enough to be interrupted
    proc = start_pretraining(tmp_path, target, raw, "--force")
    try:
        wait_for_step(proc, tmp_path / "lm.new", 10)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert f"The run in {target} is untouched" in stderr
    assert snapshot(target) == before  # an interruption too; the new run waits beside, resumable
    assert f"Resume with: sentiment-rnn pretrain --resume {tmp_path / 'lm.new'}" in stderr
    for path in sorted((tmp_path / "lm.new").iterdir(), reverse=True):
        path.unlink()
    (tmp_path / "lm.new").rmdir()

    (target / "stale-file.txt").write_text("from the old run")
    run_dir, _ = pretrain(validate_config({**lm_config(tmp_path), "seed": 99}, "new"), target,
                          force=True)
    assert run_dir == target and not (target / "stale-file.txt").exists()
    assert load_lm_run(target).config.seed == 99
    assert not list(tmp_path.glob("lm.new*"))


def test_the_time_budget_stops_at_a_step_boundary_and_saves(tmp_path: Path) -> None:
    config = validate_config(lm_config(tmp_path, epochs=200, max_minutes=0.02), "tiny")
    run_dir, metrics = pretrain(config, tmp_path / "lm")
    for direction in ("forward", "backward"):
        summary = metrics["directions"][direction]
        assert summary["finished"] == "time budget"
        assert 0 < summary["steps"] < summary["total_steps"]
    run = load_lm_run(run_dir)  # a finished, loadable run
    assert set(run.weights) == {"forward", "backward"}


def test_the_cli_pretrains_and_points_latest_lm(tmp_path: Path) -> None:
    config_path = tmp_path / "lm.yaml"
    config_path.write_text(yaml.safe_dump(lm_config(tmp_path, epochs=1)), encoding="utf-8")
    result = CliRunner().invoke(app, ["pretrain", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "model.init_from=" in result.output
    latest = Path("runs/latest-lm")
    assert latest.is_symlink() and (latest / "meta.json").is_file()
    assert load_lm_run(latest).meta["kind"] == "lm"


@pytest.mark.parametrize(
    ("keys", "needle"),
    [
        ({"model": {**TINY_CONFIG["model"], "cell": "gru"}}, "model.cell is 'gru'"),
        ({"pretrain": {"processes": 2, "directions": "forward"}}, "pretrain.processes is 2"),
    ],
)
def test_configs_pretrain_cannot_run_are_refused(tmp_path: Path, keys: dict, needle: str) -> None:
    raw = {**lm_config(tmp_path), **keys}
    with pytest.raises(UserError, match=needle):
        pretrain(validate_config(raw, "tiny"), tmp_path / "lm")


def test_an_edited_or_foreign_run_is_refused(tmp_path: Path, trained_run: Path) -> None:
    config = validate_config(lm_config(tmp_path, epochs=1, directions="forward"), "tiny")
    run_dir, _ = pretrain(config, tmp_path / "lm")
    with pytest.raises(UserError, match="kind 'lm'"):
        load_lm_run(trained_run)
    weights = run_dir / "forward.safetensors"
    data = bytearray(weights.read_bytes())
    data[-4:] = b"\x00\x00\x80\x3f"  # the last float becomes 1.0: still parses
    weights.write_bytes(bytes(data))
    with pytest.raises(UserError, match="SHA-256 differs"):
        load_lm_run(run_dir)
    with pytest.raises(UserError, match="already finished"):
        resume_pretrain(run_dir)


def test_a_fresh_clone_pretrains_then_fine_tunes_with_the_default_config(tmp_path: Path) -> None:
    """`sentiment-rnn pretrain && sentiment-rnn train --set model.init_from=runs/latest-lm`."""
    import shutil

    repo = Path(__file__).resolve().parents[1]
    for folder in ("configs", "data"):
        shutil.copytree(repo / folder, tmp_path / folder)
    runner = CliRunner()
    result = runner.invoke(app, ["pretrain"])
    assert result.exit_code == 0, result.output
    metrics = yaml.safe_load(Path("runs/latest-lm/metrics.json").read_text())
    for summary in metrics["directions"].values():
        assert summary["finished"] == "completed" and summary["valid_perplexity"] < 100
    result = runner.invoke(app, ["train", "--set", "model.init_from=runs/latest-lm",
                                 "--set", "training.epochs=3"])
    assert result.exit_code == 0, result.output
    assert "dev: accuracy" in result.output
