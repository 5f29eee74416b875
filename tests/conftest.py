"""Shared fixtures: tiny labelled files, a tiny config, and one tiny trained run per session.

Tests that train a model, run a real process or read the real data carry the `slow` marker:
`python -m pytest -m "not slow"` leaves them out (the edit-test loop, under a minute);
`python -m pytest` runs everything, as CI does. A test that uses one of `TRAINING_FIXTURES` is
marked here; the others are marked where they are written.
"""

from __future__ import annotations

import atexit
import csv
import os
import random
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
import yaml

# A suite started in the background by a script (`pytest &`) inherits SIGINT ignored, and so would
# every process a test starts: the Ctrl-C tests need the signal delivered, so restore the default.
signal.signal(signal.SIGINT, signal.default_int_handler)

# The token cache of the tests (and of every process they start) lives in a temporary folder,
# never in the user's ~/.cache, removed when the test session ends (~15 MB a full run).
if "SENTIMENT_RNN_CACHE" not in os.environ:
    os.environ["SENTIMENT_RNN_CACHE"] = tempfile.mkdtemp(prefix="sentiment-rnn-test-tokens-")
    atexit.register(shutil.rmtree, os.environ["SENTIMENT_RNN_CACHE"], ignore_errors=True)

POSITIVE = ("great", "superb", "moving", "funny", "clever", "gripping")
NEGATIVE = ("awful", "boring", "dull", "clumsy", "tedious", "bland")
NEUTRAL = ("average", "ordinary", "standard", "typical")
ASPECTS = ("plot", "cast", "score", "script", "ending", "pacing")


def make_rows(n: int, seed: int, classes: int = 2) -> list[tuple[str, str]]:
    """Short reviews in which "not" flips the polarity of the adjective."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        label = rng.choice(["negative", "positive", "neutral"][:classes])
        if label == "neutral":
            text = f"the {rng.choice(ASPECTS)} was {rng.choice(NEUTRAL)} , neither here nor there"
        else:
            negated = rng.random() < 0.4
            flip = (label == "positive") == negated
            adjective = rng.choice(NEGATIVE if flip else POSITIVE)
            text = f"the {rng.choice(ASPECTS)} was {'not ' if negated else ''}{adjective}"
        rows.append((text, label))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str]], header=("text", "label")) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


TINY_CONFIG = {
    "name": "tiny",
    "seed": 7,
    "tokenizer": {"max_length": 50},
    "model": {"cell": "lstm", "embedding_dim": 16, "hidden_size": 16, "bidirectional": True},
    "training": {
        "epochs": 3, "batch_size": 16, "lr": 0.01, "patience": None, "device": "cpu",
        "num_threads": 1,  # tiny models run fastest on one thread, and stay fast on a busy machine
    },
}


def write_dataset(root: Path, classes: int = 2, n_train: int = 240) -> dict:
    """train/dev/test CSVs under `root`; returns the config's data section."""
    paths = {}
    for offset, (split, n) in enumerate((("train", n_train), ("dev", 60), ("test", 60))):
        paths[split] = str(write_csv(root / f"{split}.csv", make_rows(n, offset, classes)))
    return paths


@pytest.fixture
def tiny_config(tmp_path: Path) -> Path:
    """A tiny two-class dataset and a config that trains on it in about a second."""
    config = {**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny trained run, shared by the predict / evaluate / artifact tests (read-only)."""
    from sentiment_rnn.config import validate_config
    from sentiment_rnn.rnn.train import train

    root = tmp_path_factory.mktemp("trained")
    config = validate_config({**TINY_CONFIG, "data": write_dataset(root / "data")}, "tiny")
    run_dir, _ = train(config, output=root / "run")
    return run_dir


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in its own empty directory, so `runs/` never lands in the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _restore_torch_threads():
    """Training sets torch's thread count for the process; put it back after each test."""
    import torch

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


# Fixtures that train a model (a tiny RNN or baseline) or write a config for training one.
TRAINING_FIXTURES = frozenset(
    {"trained_run", "tiny_config", "cwd_train", "negation", "baselines", "baseline_run"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if TRAINING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
