"""torchrun data-parallel training: 2 gloo processes on loopback against one process.

The distributed tests start real processes with `python -m torch.distributed.run` (what the
`torchrun` command runs) and wait for them to exit; each has a generous timeout, since a busy
2-core machine runs the two ranks and torchrun's agent on the same cores.
"""

from __future__ import annotations

import json
import os
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

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn import distributed
from sentiment_rnn.rnn.checkpoint import CHECKPOINT, check_world_size, load_checkpoint
from sentiment_rnn.rnn.train import train

TIMEOUT = 600  # seconds for one torchrun command on a busy machine (a few seconds when quiet)


def torchrun(cwd: Path, *args: str, processes: int = 2) -> subprocess.Popen:
    """torchrun and its ranks in a session of their own, so that they can be killed together."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc_per_node={processes}", "-m", "sentiment_rnn", *args]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"torchrun did not exit within {TIMEOUT} s (a rank left waiting?): {err[-2000:]}")
    return proc.returncode, out, err


def write_config(root: Path, **changes) -> Path:
    config = {**TINY_CONFIG, "data": write_dataset(root / "data", n_train=changes.pop("n_train", 240))}
    for section, values in changes.items():
        config[section] = {**config.get(section, {}), **values}
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def history(run_dir: Path) -> list[dict]:
    lines = (run_dir / "history.jsonl").read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in ("seconds", "tokens_per_second")}
            for line in lines]


# --- no processes ---------------------------------------------------------------------------

def test_a_plain_run_starts_no_process_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with distributed.process_group("cpu"):
        assert not torch.distributed.is_initialized()
        assert (distributed.rank(), distributed.world_size(), distributed.is_main()) == (0, 1, True)
    monkeypatch.setenv("WORLD_SIZE", "1")  # torchrun --nproc_per_node=1: a plain run too
    assert not distributed.launched()


def test_resuming_with_another_world_size_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserError) as refused:
        check_world_size(tmp_path / CHECKPOINT, 2, 1)
    message = str(refused.value)
    assert "world size 2" in message and "world size 1" in message and "\n" not in message
    assert "--nproc_per_node=2" in message
    check_world_size(tmp_path / CHECKPOINT, 3, 3)


def test_pretrain_under_torchrun_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLD_SIZE", "2")
    result = CliRunner().invoke(app, ["pretrain"])
    assert result.exit_code == 1
    assert "not distributed yet" in result.output and "WORLD_SIZE=2" in result.output


def test_a_broken_collective_counts_as_an_interruption(monkeypatch: pytest.MonkeyPatch) -> None:
    gloo = RuntimeError("[third_party/gloo/gloo/transport/tcp/pair.cc:537] Connection reset by peer")
    assert not distributed.lost_peer(gloo)  # no process group: a plain error
    monkeypatch.setattr(distributed.dist, "is_initialized", lambda: True)
    assert distributed.lost_peer(gloo)
    assert distributed.lost_peer(torch.distributed.DistBackendError("NCCL communicator aborted"))
    assert not distributed.lost_peer(RuntimeError("shape mismatch"))
    assert not distributed.lost_peer(UserError("gloo"))


def deal(monkeypatch: pytest.MonkeyPatch, sequences, labels, batch_size: int, ranks: int) -> list:
    """Every rank's (index, scale, widths) per step, as `shares` deals them (ranks faked)."""
    monkeypatch.setattr(distributed.dist, "is_initialized", lambda: True)
    monkeypatch.setattr(distributed, "world_size", lambda: ranks)
    dealt = []
    for me in range(ranks):
        monkeypatch.setattr(distributed, "rank", lambda me=me: me)
        generator = torch.Generator().manual_seed(3)
        dealt.append([(batch.index.tolist(), scale, batch.lengths.tolist())
                      for batch, scale in distributed.shares(sequences, labels, batch_size, generator)])
    return dealt


def test_each_global_batch_is_dealt_across_the_ranks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same steps on every rank; the shares of a step make up the single-process batch; the
    scales make the ranks' summed losses the global batch's mean; an empty share is one text at
    weight 0."""
    from sentiment_rnn.rnn.batching import iterate_batches

    generator = torch.Generator().manual_seed(0)
    sequences = [[5] * int(n) for n in torch.randint(1, 60, (97,), generator=generator)]
    labels = [i % 2 for i in range(97)]
    plain = [b.index.tolist() for b in iterate_batches(sequences, labels, 8, torch.Generator().manual_seed(3))]
    dealt = deal(monkeypatch, sequences, labels, 8, 3)
    assert all(len(steps) == len(plain) for steps in dealt)  # no rank waits for a step
    stand_ins = 0
    for step, batch in enumerate(plain):
        real = [dealt[r][step] for r in range(3) if dealt[r][step][1] != 0.0]
        assert sorted(i for index, _, _ in real for i in index) == sorted(batch)
        assert sum(scale * len(index) for index, scale, _ in real) == pytest.approx(3.0)
        for index, scale, _ in (dealt[r][step] for r in range(3)):
            if scale == 0.0:  # 97 = 12 x 8 + 1: ranks 1 and 2 have no text in the last batch
                assert len(index) == 1 and len(batch) < 3
                stand_ins += 1
    assert stand_ins == 2
    widest = [[max(dealt[r][step][2]) for r in range(3)] for step in range(len(plain))]
    assert max(max(w) - min(w) for w in widest if len(w) == 3) <= 10  # similar lengths per step


# --- two gloo processes ----------------------------------------------------------------------

def scored_alone(run_dir: Path) -> dict:
    """The run's dev figures computed again here, in one process, on its saved weights."""
    from sentiment_rnn.data.dataset import load_dataset
    from sentiment_rnn.rnn.fit import evaluate_encoded
    from sentiment_rnn.rnn.run import load_run
    from sentiment_rnn.rnn.train import encode_split

    torch.set_num_threads(1)  # as the run's config: the same kernels, the same rounding
    run = load_run(run_dir)
    dev = load_dataset(run.config.data, run.config.seed, show_progress=False).dev
    encoded = encode_split(dev, run.tokenizer, run.config, run.labels)
    batch_size = run.config.training.batch_size * 2
    scores = evaluate_encoded(run.model, encoded, run.labels, batch_size, torch.device("cpu"))
    return json.loads(json.dumps(scores))  # as metrics.json holds them


@pytest.mark.slow
def test_two_processes_train_as_one_with_the_same_global_batch(tmp_path: Path) -> None:
    """The same global batches, the gradient of the same mean loss: equal to float rounding.

    Tolerance 1e-5 on every weight and 1e-5 relative on the losses: each rank sums its share's
    losses and DDP averages the two gradients, so the additions happen in another order (and the
    LSTM kernels run on half batches), which moves results by a few 1e-7 over 48 steps. Dropout
    is 0: with it, each rank draws its own masks, so the runs differ by design. 241 training
    texts make the last batch a single text, which leaves rank 1 an empty share."""
    config_path = write_config(tmp_path, n_train=241, model={"dropout": 0.0})
    config = validate_config(yaml.safe_load(config_path.read_text()), "tiny")
    single_dir, single = train(config, tmp_path / "single")

    code, out, err = finish(torchrun(tmp_path, "train", "--config", str(config_path)))
    assert code == 0, err[-3000:]
    assert out.count("saved to") == 1  # rank 0 alone prints and writes: one run, runs/latest
    assert sorted(path.name for path in (tmp_path / "runs").iterdir())[0] == "latest"
    assert len(list((tmp_path / "runs").iterdir())) == 2
    two_dir = (tmp_path / "runs" / "latest").resolve()
    metrics = json.loads((two_dir / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and single["world_size"] == 1
    for split in ("dev", "test"):
        assert metrics[split]["accuracy"] == single[split]["accuracy"]
        assert metrics[split]["loss"] == pytest.approx(single[split]["loss"], rel=1e-5)
    assert metrics["dev"] == scored_alone(two_dir)  # rank 0's figures: one process's, exactly
    a, b = load_file(single_dir / "model.safetensors"), load_file(two_dir / "model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(b[key], a[key], rtol=0, atol=1e-5, msg=key)
    for one, other in zip(history(single_dir), history(two_dir), strict=True):
        assert one.keys() == other.keys()
        for key in one:
            assert other[key] == pytest.approx(one[key], rel=1e-5), key


def wait_for_checkpoint(proc: subprocess.Popen, run_dir: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not (run_dir / CHECKPOINT).is_file():
        assert proc.poll() is None, f"torchrun ended before a checkpoint: {proc.communicate()[1][-3000:]}"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def kill_all(proc: subprocess.Popen) -> None:
    """SIGKILL torchrun's ranks (each in a session of its own) and torchrun, as a crash would;
    then wait until every one of them has exited."""
    ranks = children(proc.pid)
    assert ranks, "torchrun has no ranks"
    for pid in ranks:
        os.kill(pid, signal.SIGKILL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in ranks):
        assert time.monotonic() < deadline, "killed ranks still running"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].splitlines()[0].lower()
    except (OSError, IndexError):
        return "zombie"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A config with dropout (each rank's RNG state matters) and the uninterrupted 2-rank run."""
    root = tmp_path_factory.mktemp("distributed")
    config_path = write_config(root, n_train=480, model={"dropout": 0.3}, training={"epochs": 16})
    code, _, err = finish(torchrun(root, "train", "--config", str(config_path), "--output", "reference"))
    assert code == 0, err[-3000:]
    return config_path, root / "reference"


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGINT to torchrun", "SIGKILL to every process"])
def test_a_killed_distributed_run_resumes_to_the_same_result(
    tmp_path: Path, reference: tuple[Path, Path], how: str
) -> None:
    """Stopped after an epoch (Ctrl-C on torchrun, which passes it to the ranks; or a crash of
    every process), resumed with torchrun: ends exactly as the uninterrupted distributed run
    (same world size, same arithmetic, each rank's dropout stream restored); a plain resume of
    it is refused, naming both world sizes."""
    config_path, reference_dir = reference
    killed = tmp_path / "killed"
    proc = torchrun(tmp_path, "train", "--config", str(config_path), "--output", "killed")
    wait_for_checkpoint(proc, killed)
    if how.startswith("SIGINT"):
        proc.send_signal(signal.SIGINT)
        code, _, err = finish(proc)
        assert code != 0
        assert "Resume with: torchrun --nproc_per_node=2 -m sentiment_rnn train --resume killed" in err
    else:
        kill_all(proc)
    assert not (killed / "meta.json").exists(), "the run finished before it was stopped"
    state = load_checkpoint(killed)
    assert state.world_size == 2 and len(state.rank_rngs) == 1

    plain = subprocess.run([sys.executable, "-m", "sentiment_rnn", "train", "--resume", str(killed)],
                           cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert plain.returncode == 1
    assert "world size 2" in plain.stderr and "world size 1" in plain.stderr

    code, out, err = finish(torchrun(tmp_path, "train", "--resume", str(killed)))
    assert code == 0, err[-3000:]
    assert f"resuming {killed} from after epoch {state.epoch}" in err
    assert history(killed) == history(reference_dir)
    a, b = load_file(reference_dir / "model.safetensors"), load_file(killed / "model.safetensors")
    assert all(torch.equal(a[key], b[key]) for key in a)
    assert not (killed / CHECKPOINT).exists()


@pytest.mark.slow
def test_an_error_on_one_rank_stops_every_rank(tmp_path: Path) -> None:
    """Rank 0 refuses a non-empty --output before training; rank 1, already set up, is told
    and stops too: torchrun exits 1 promptly instead of leaving rank 1 waiting."""
    config_path = write_config(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    code, _, err = finish(torchrun(tmp_path, "train", "--config", str(config_path), "--output", "taken"))
    assert code != 0
    assert "directory is not empty" in err
    assert "another rank failed while setting up" in err
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"


@pytest.mark.slow
def test_a_single_process_checkpoint_is_not_resumed_by_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ranks read the checkpoint, both refuse it in one line, and torchrun exits."""
    import sentiment_rnn.rnn.checkpoint as checkpoint_module
    from sentiment_rnn.rnn.train import TrainingInterrupted

    real = checkpoint_module.save_checkpoint

    def save_then_stop(run_dir, state):
        real(run_dir, state)
        raise KeyboardInterrupt

    monkeypatch.setattr("sentiment_rnn.rnn.train.save_checkpoint", save_then_stop)
    config = validate_config(yaml.safe_load(write_config(tmp_path).read_text()), "tiny")
    with pytest.raises(TrainingInterrupted):
        train(config, tmp_path / "single")
    assert load_checkpoint(tmp_path / "single").world_size == 1

    code, _, err = finish(torchrun(tmp_path, "train", "--resume", "single"))
    assert code != 0
    assert err.count("world size 1, resumed with world size 2") == 2, err[-3000:]  # one per rank
    assert "resume it without torchrun: sentiment-rnn train --resume single" in err


@pytest.mark.slow
def test_ranks_that_read_different_data_are_stopped(tmp_path: Path) -> None:
    """Nodes with different data files (here: rank 1 pretends to) never train together."""
    script = tmp_path / "ranks.py"
    script.write_text(
        "from sentiment_rnn.errors import UserError\n"
        "from sentiment_rnn.rnn import distributed\n"
        "with distributed.process_group('cpu'):\n"
        "    try:\n"
        "        distributed.ready({'data (train)': 'abc' * (1 + distributed.rank())})\n"
        "    except UserError as err:\n"
        "        print(f'rank {distributed.rank()}: {err}', flush=True)\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node=2", str(script)]
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    code, out, err = finish(proc)
    assert code == 0, err[-3000:]
    # both ranks stop, neither waits (their lines may interleave: count, not split)
    assert out.count("ranks [1] read another config or other data") == 2, out
