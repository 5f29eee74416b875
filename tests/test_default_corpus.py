"""The product's promise: the default config, on the bundled corpus, gets negation right."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentiment_rnn.config import load_config
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.rnn.train import train

pytestmark = pytest.mark.slow  # every test here trains a model

REPO = Path(__file__).resolve().parents[1]


def test_default_config_reads_negation(tmp_path: Path) -> None:
    data = REPO / "data"
    config = load_config(
        REPO / "configs" / "default.yaml",
        [f"data.{split}={data / f'{split}.csv'}" for split in ("train", "dev", "test")],
    )
    run_dir, metrics = train(config, tmp_path / "run")
    assert metrics["test"]["accuracy"] > 0.9
    predictions = Predictor.from_dir(run_dir).predict(
        ["this movie is not good", "this movie is not bad at all", "this movie is good"]
    )
    assert [p.label for p in predictions] == ["negative", "positive", "positive"]
