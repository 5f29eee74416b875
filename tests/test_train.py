"""Training end to end on tiny data: determinism, save/load, three classes, early stopping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn import runs
from sentiment_rnn.config import load_config
from sentiment_rnn.data.tokenizer import build_tokenizer
from sentiment_rnn.errors import UserError
from sentiment_rnn.evaluation.evaluate import evaluate
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.rnn.train import build_model, train

pytestmark = pytest.mark.slow  # every test here trains a model

UNTIMED = ("seconds", "tokens_per_second", "train_seconds")


def without_timings(value):
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in UNTIMED}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def read_history(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_same_seed_same_config_same_metrics(tiny_config: Path, tmp_path: Path, cell: str) -> None:
    config = load_config(tiny_config, [f"model.cell={cell}"])
    first, metrics_1 = train(config, tmp_path / "a")
    second, metrics_2 = train(config, tmp_path / "b")
    assert without_timings(metrics_1) == without_timings(metrics_2)
    assert without_timings(read_history(first)) == without_timings(read_history(second))
    assert (first / "model.safetensors").read_bytes() == (second / "model.safetensors").read_bytes()


def test_another_seed_gives_other_weights(tiny_config: Path, tmp_path: Path) -> None:
    first, _ = train(load_config(tiny_config), tmp_path / "a")
    second, _ = train(load_config(tiny_config, ["seed=8"]), tmp_path / "b")
    assert (first / "model.safetensors").read_bytes() != (second / "model.safetensors").read_bytes()


def test_run_directory_is_complete(trained_run: Path) -> None:
    for name in runs.REQUIRED + (runs.HISTORY, runs.METRICS):
        assert (trained_run / name).is_file(), name
    meta = json.loads((trained_run / "meta.json").read_text())
    assert meta["format_version"] == runs.RUN_FORMAT_VERSION
    assert meta["torch_version"] == torch.__version__
    metrics = json.loads((trained_run / "metrics.json").read_text())
    assert len(read_history(trained_run)) == metrics["epochs_run"] == 3
    assert json.loads((trained_run / "labels.json").read_text()) == ["negative", "positive"]


def test_loaded_run_reproduces_the_metrics_computed_before_saving(trained_run: Path) -> None:
    saved = json.loads((trained_run / "metrics.json").read_text())
    report = evaluate(trained_run)
    assert report["accuracy"] == saved["test"]["accuracy"]
    assert report["confusion_matrix"] == saved["test"]["confusion_matrix"]


def test_two_loads_predict_identically(trained_run: Path) -> None:
    texts = ["the plot was not dull", "the cast was awful", "zzz unknown words"]
    first = Predictor.from_dir(trained_run).predict_proba(texts)
    second = Predictor.from_dir(trained_run).predict_proba(texts)
    assert torch.equal(first, second)
    assert torch.allclose(first.sum(dim=1), torch.ones(3))


def test_prediction_does_not_depend_on_the_rest_of_the_batch(trained_run: Path) -> None:
    predictor = Predictor.from_dir(trained_run)
    text = "the score was not boring"
    alone = predictor.predict_proba([text])[0]
    crowd = predictor.predict_proba(["the plot was great " * 10, text, "dull"])[1]
    assert (alone - crowd).abs().max() < 1e-5


def test_three_classes(tmp_path: Path) -> None:
    from sentiment_rnn.config import validate_config

    data = write_dataset(tmp_path / "data", classes=3)
    config = validate_config({**TINY_CONFIG, "data": data}, "three")
    run_dir, metrics = train(config, tmp_path / "run")
    predictor = Predictor.from_dir(run_dir)
    assert predictor.labels == ["negative", "neutral", "positive"]
    (prediction,) = predictor.predict(["the plot was average"])
    assert set(prediction.probabilities) == {"negative", "neutral", "positive"}
    assert len(metrics["test"]["confusion_matrix"]) == 3


def test_early_stopping_keeps_the_best_epoch(tiny_config: Path, tmp_path: Path) -> None:
    # A learning rate too small to move the dev metric: no epoch after the first improves it.
    config = load_config(
        tiny_config, ["training.lr=1e-9", "training.patience=2", "training.epochs=10",
                      "training.schedule=constant"]
    )
    run_dir, metrics = train(config, tmp_path / "run")
    assert metrics["stopped_early"] is True
    assert metrics["best_epoch"] == 1
    assert metrics["epochs_run"] == 3
    assert len(read_history(run_dir)) == 3


@pytest.mark.parametrize("schedule", ["onecycle", "warmup_linear", "constant"])
def test_every_schedule_trains(tiny_config: Path, tmp_path: Path, schedule: str) -> None:
    _, metrics = train(load_config(tiny_config, [f"training.schedule={schedule}"]), tmp_path / "r")
    assert metrics["train_seconds"] > 0 and metrics["dev"]["num_examples"] == 60


def test_refuses_a_non_empty_directory_without_force(tiny_config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty; pass --force"):
        train(load_config(tiny_config), out)
    assert (out / "keep.txt").read_text() == "mine"
    run_dir, _ = train(load_config(tiny_config), out, force=True)
    assert (run_dir / "meta.json").is_file()


def test_cuda_requested_without_cuda_is_a_clear_error(tiny_config: Path, tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(UserError, match="CUDA is not available"):
        train(load_config(tiny_config, ["training.device=cuda"]), tmp_path / "r")


def test_pretrained_vectors_initialise_known_words(tmp_path: Path) -> None:
    config = load_config(_glove_config(tmp_path))
    tokenizer = build_tokenizer(["good bad good"], config.tokenizer)
    model = build_model(config, tokenizer, 2)
    good = model.embedding.weight[tokenizer.token_to_id("good")]
    assert torch.allclose(good, torch.full((4,), 0.5))
    assert torch.all(model.embedding.weight[0] == 0)  # <pad> untouched


def _glove_config(tmp_path: Path) -> Path:
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("2 4\ngood 0.5 0.5 0.5 0.5\nunseen 1 1 1 1\n")
    path = tmp_path / "glove.yaml"
    path.write_text(f"model:\n  embedding_dim: 4\n  pretrained_embeddings: {vectors}\n")
    return path


def test_pretrained_vectors_of_the_wrong_size_name_the_line(tmp_path: Path) -> None:
    config = load_config(_glove_config(tmp_path), ["model.embedding_dim=3"])
    tokenizer = build_tokenizer(["good"], config.tokenizer)
    with pytest.raises(UserError, match=r"vectors.txt, line 2: 4 values, but model.embedding_dim is 3"):
        build_model(config, tokenizer, 2)
