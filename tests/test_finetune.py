"""`train` from a pretrained run (`model.init_from`): exact weight transfer, frozen groups that
stay frozen, discriminative learning rates, the slanted-triangular schedule, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml
from safetensors.torch import load_file
from test_resume import assert_same, outcome
from typer.testing import CliRunner

import sentiment_rnn.rnn.checkpoint as checkpoint_module
from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.finetune import STLR_RATIO, layer_groups, param_groups, slanted_triangular
from sentiment_rnn.rnn.lm.run import pretrain
from sentiment_rnn.rnn.lm.rundir import load_lm_run
from sentiment_rnn.rnn.model import SentimentRNN
from sentiment_rnn.rnn.train import TrainingInterrupted, resume, train

FINETUNE = {"gradual_unfreezing": True, "discriminative_lr": 2.6, "schedule": "slanted_triangular"}


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def lm_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A tiny pretrained run (both directions) and its data section (shared, read-only)."""
    root = tmp_path_factory.mktemp("lm")
    data = write_dataset(root / "data")
    raw = {**TINY_CONFIG, "data": data,
           "pretrain": {"epochs": 2, "bptt": 8, "batch_size": 4, "checkpoint_every": 50}}
    torch.set_num_threads(1)
    run_dir, _ = pretrain(validate_config(raw, "tiny"), root / "lm")
    return run_dir, data


def classifier_config(lm: tuple[Path, dict], model: dict | None = None, **training) -> dict:
    run_dir, data = lm
    return {
        **TINY_CONFIG, "data": data,
        "model": {**TINY_CONFIG["model"], "init_from": str(run_dir), "dropout": 0.3, **(model or {})},
        "training": {**TINY_CONFIG["training"], **training},
    }


def weights_after_each_epoch(config: dict, out: Path, monkeypatch) -> dict[int, dict]:
    """Train, keeping a copy of the weights in each epoch's checkpoint."""
    seen: dict[int, dict] = {}
    real = checkpoint_module.save_checkpoint

    def keep(run_dir, state):
        seen[state.epoch] = {k: v.clone() for k, v in state.model.items()}
        return real(run_dir, state)

    monkeypatch.setattr("sentiment_rnn.rnn.train.save_checkpoint", keep)
    train(validate_config(config, "tiny"), out)
    return seen


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
@pytest.mark.parametrize("per_direction", [True, False])
def test_the_classifier_starts_from_exactly_the_pretrained_weights(
    lm_run, tmp_path: Path, monkeypatch, per_direction: bool
) -> None:
    config = classifier_config(lm_run, {"embedding_per_direction": per_direction},
                               epochs=1, **FINETUNE)
    weights = weights_after_each_epoch(config, tmp_path / "run", monkeypatch)[1]
    lm = load_lm_run(lm_run[0]).weights
    width = TINY_CONFIG["model"]["embedding_dim"]
    embedding = weights["embedding.weight"]
    assert torch.equal(embedding[:, :width], lm["forward"]["embedding.weight"])
    if per_direction:
        assert embedding.shape[1] == 2 * width
        assert torch.equal(embedding[:, width:], lm["backward"]["embedding.weight"])
    for direction in ("forward", "backward"):
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            assert torch.equal(
                weights[f"encoder.{direction}_layers.0.{name}"], lm[direction][f"layers.0.{name}"]
            ), (direction, name)
    run_dir = tmp_path / "run"  # the classifier uses the language models' tokenizer
    assert (run_dir / "tokenizer.json").read_text() == (lm_run[0] / "tokenizer.json").read_text()


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_init_lstm_false_takes_the_embedding_alone(lm_run, tmp_path: Path, monkeypatch) -> None:
    """The ablation's middle row: the pretrained embedding, a fresh LSTM (of any size)."""
    model = {"embedding_per_direction": True, "init_lstm": False, "hidden_size": 24}
    config = classifier_config(lm_run, model, epochs=1, **FINETUNE)  # epoch 1: the head alone
    weights = weights_after_each_epoch(config, tmp_path / "run", monkeypatch)[1]
    lm = load_lm_run(lm_run[0]).weights
    width = TINY_CONFIG["model"]["embedding_dim"]
    assert torch.equal(weights["embedding.weight"][:, :width], lm["forward"]["embedding.weight"])
    assert torch.equal(weights["embedding.weight"][:, width:], lm["backward"]["embedding.weight"])
    assert weights["encoder.forward_layers.0.weight_hh_l0"].shape == (4 * 24, 24)
    with pytest.raises(UserError, match="model.embedding_dim is 8 here but 16"):
        train(validate_config(classifier_config(lm_run, {**model, "embedding_dim": 8}), "tiny"),
              tmp_path / "narrow")


def test_init_lstm_false_without_init_from_is_refused() -> None:
    with pytest.raises(UserError, match="model.init_lstm: false chooses what model.init_from copies"):
        validate_config({**TINY_CONFIG, "model": {**TINY_CONFIG["model"], "init_lstm": False}}, "tiny")


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_frozen_groups_do_not_change_while_frozen(lm_run, tmp_path: Path, monkeypatch) -> None:
    config = classifier_config(lm_run, {"embedding_per_direction": True}, epochs=3, **FINETUNE)
    seen = weights_after_each_epoch(config, tmp_path / "run", monkeypatch)
    lm = load_lm_run(lm_run[0]).weights
    lstm = "encoder.forward_layers.0.weight_hh_l0"
    first_embedding = lm["forward"]["embedding.weight"]
    # epoch 1: the head alone; epoch 2: + the LSTM layer; epoch 3: + the embedding
    assert torch.equal(seen[1][lstm], lm["forward"]["layers.0.weight_hh_l0"])
    assert torch.equal(seen[1]["embedding.weight"][:, :16], first_embedding)
    assert not torch.equal(seen[1]["classifier.weight"], seen[2]["classifier.weight"])
    assert not torch.equal(seen[2][lstm], seen[1][lstm])
    assert torch.equal(seen[2]["embedding.weight"], seen[1]["embedding.weight"])
    assert not torch.equal(seen[3]["embedding.weight"], seen[2]["embedding.weight"])


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_a_fine_tuning_run_resumes_exactly(lm_run, tmp_path: Path, monkeypatch) -> None:
    config = validate_config(classifier_config(lm_run, epochs=3, **FINETUNE), "tiny")
    reference = outcome(*train(config, tmp_path / "reference"))
    real = checkpoint_module.save_checkpoint

    def stop_after_first(run_dir, state):
        real(run_dir, state)
        if state.epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr("sentiment_rnn.rnn.train.save_checkpoint", stop_after_first)
    with pytest.raises(TrainingInterrupted):
        train(config, tmp_path / "stopped")
    monkeypatch.undo()
    assert_same(outcome(*resume(tmp_path / "stopped")), reference)


def test_discriminative_learning_rates_fall_by_the_factor_per_group() -> None:
    config = validate_config({**TINY_CONFIG, "training": {"lr": 0.01, "discriminative_lr": 2.0}}, "t")
    model = SentimentRNN(50, 2, config.model)
    groups = param_groups(model, config.training)
    assert [g["lr"] for g in groups] == pytest.approx([0.0025, 0.005, 0.01])
    assert len(layer_groups(model)) == 3
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))


def test_the_slanted_triangular_schedule_rises_then_falls() -> None:
    factor = slanted_triangular(100, 0.1)
    values = [factor(step) for step in range(101)]
    assert values[0] == pytest.approx(1 / STLR_RATIO) and values[10] == pytest.approx(1.0)
    assert values[100] == pytest.approx(1 / STLR_RATIO)
    assert all(a < b for a, b in zip(values[:10], values[1:11]))
    assert all(a > b for a, b in zip(values[10:100], values[11:101]))


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
@pytest.mark.parametrize(
    ("model", "needle"),
    [
        ({"hidden_size": 32}, "model.hidden_size is 32 here but 16 in the language model"),
        ({"embedding_dim": 8}, "model.embedding_dim is 8 here but 16 in the language model"),
        ({"num_layers": 2, "bidirectional": False}, "model.num_layers is 2 here but 1"),
        ({"cell": "gru"}, "model.cell is 'gru' here"),
    ],
)
def test_sizes_that_do_not_match_are_refused(lm_run, tmp_path: Path, model: dict, needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        train(validate_config(classifier_config(lm_run, model), "tiny"), tmp_path / "run")


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_a_run_whose_language_models_read_the_dev_texts_is_refused(lm_run, tmp_path: Path) -> None:
    run_dir, data = lm_run
    leaky = {**data, "dev": data["train"]}  # the language models read every training text
    config = {**classifier_config(lm_run), "data": leaky}
    with pytest.raises(UserError, match="dev texts were read by the language models"):
        train(validate_config(config, "tiny"), tmp_path / "run")


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_init_from_a_classifier_run_is_refused(trained_run: Path, lm_run, tmp_path: Path) -> None:
    config = classifier_config(lm_run)
    config["model"]["init_from"] = str(trained_run)
    with pytest.raises(UserError, match="language-model run"):
        train(validate_config(config, "tiny"), tmp_path / "run")


@pytest.mark.slow  # pretrains (the shared lm_run) or trains
def test_pretrain_then_train_from_latest_lm_on_the_command_line(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "data")
    raw = {**TINY_CONFIG, "data": data, "model": {**TINY_CONFIG["model"], "embedding_per_direction": True},
           "pretrain": {"epochs": 1, "bptt": 8, "batch_size": 4}}
    config_path = tmp_path / "c.yaml"
    config_path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["pretrain", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["train", "--config", str(config_path),
                                 "--set", "model.init_from=runs/latest-lm"])
    assert result.exit_code == 0, result.output
    weights = load_file(Path("runs/latest/model.safetensors"))
    assert weights["embedding.weight"].shape[1] == 32
    result = runner.invoke(app, ["predict", "the plot was not dull"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("model", "needle"),
    [
        ({"embedding_per_direction": True, "bidirectional": False}, "needs model.bidirectional"),
        ({"init_from": "x", "pretrained_embeddings": "glove.txt"}, "goes with neither"),
    ],
)
def test_model_keys_that_cannot_go_together_are_refused(model: dict, needle: str) -> None:
    with pytest.raises(UserError, match=needle):
        validate_config({"model": model}, "c.yaml")


def test_one_embedding_per_direction_is_exact_under_padding_and_split_by_direction() -> None:
    config = validate_config(
        {"model": {"embedding_dim": 8, "hidden_size": 8, "embedding_per_direction": True,
                   "pooling": "mean_max", "dropout": 0.0}}, "c.yaml")
    torch.manual_seed(0)
    model = SentimentRNN(30, 2, config.model).eval()
    short, long = [5, 6, 7], [8, 9, 10, 11, 12, 13]
    with torch.no_grad():
        alone = model(torch.tensor([short]), torch.tensor([3]))
        batch = model(torch.tensor([short + [0, 0, 0], long]), torch.tensor([3, 6]))
        assert torch.allclose(alone, batch[:1], atol=1e-5)
        ids, lengths = torch.tensor([long]), torch.tensor([6])
        before = model.encoder(model.embedding(ids), lengths)
        model.embedding.weight[:, 8:] += 1.0  # the backward direction's half only
        after = model.encoder(model.embedding(ids), lengths)
    assert torch.equal(before[..., :8], after[..., :8])  # the forward direction did not see it
    assert not torch.allclose(before[..., 8:], after[..., 8:])
