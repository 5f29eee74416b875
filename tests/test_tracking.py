"""Run tracking: TensorBoard event files and MLflow runs, read back with each tool's own reader."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.config import validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.train import train

pytestmark = pytest.mark.slow  # every test here trains a model (or prepares data to)
STEPS_PER_EPOCH = 240 // 16  # write_dataset's 240 training rows in batches of 16


def tracked_config(tmp_path: Path, **tracking):
    return validate_config(
        {**TINY_CONFIG, "data": write_dataset(tmp_path / "data"), "tracking": tracking}, "tiny"
    )


def history(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "history.jsonl").read_text().splitlines()]


def test_tensorboard_event_files_read_back_with_tensorboards_reader(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard", reason="the [tracking] extra is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir, metrics = train(tracked_config(tmp_path, tensorboard=True), tmp_path / "run")
    events = EventAccumulator(str(run_dir / "tensorboard"))
    events.Reload()
    tags = events.Tags()["scalars"]
    for tag in ("train/loss", "train/lr", "train/grad_norm", "train/tokens_per_second"):
        steps = [event.step for event in events.Scalars(tag)]
        assert steps == list(range(1, 3 * STEPS_PER_EPOCH + 1)), tag  # every step of 3 epochs
    lrs = [event.value for event in events.Scalars("train/lr")]
    assert max(lrs) == pytest.approx(TINY_CONFIG["training"]["lr"], rel=1e-3)  # one-cycle peak
    assert lrs[0] < lrs[len(lrs) // 3] and lrs[-1] < lrs[len(lrs) // 3]
    assert all(event.value > 0 for event in events.Scalars("train/grad_norm"))
    records = history(run_dir)
    for key in ("accuracy", "macro_f1", "loss"):
        logged = [(event.step, event.value) for event in events.Scalars(f"dev/{key}")]
        assert logged == [(r["epoch"], pytest.approx(r[f"dev_{key}"])) for r in records]
    assert "config" in events.Tags()["tensors"] or "config/text_summary" in events.Tags()["tensors"]
    hparams = EventAccumulator(str(run_dir / "tensorboard"))
    hparams.Reload()
    final = [event.value for event in hparams.Scalars("final/test_accuracy")]
    assert final == [pytest.approx(metrics["test"]["accuracy"])]
    assert "train/loss" in tags


def test_mlflow_run_read_back_with_the_mlflow_client(tmp_path: Path) -> None:
    pytest.importorskip("mlflow", reason="the [tracking] extra is not installed")
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    config = tracked_config(tmp_path, mlflow=uri, mlflow_experiment="tiny-exp", log_every=5)
    run_dir, metrics = train(config, tmp_path / "run")
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("tiny-exp")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.info.status == "FINISHED" and run.info.run_name == "run"
    assert run.data.tags["run_dir"] == str(run_dir.resolve())
    assert run.data.params["model.hidden_size"] == "16"
    assert run.data.params["training.lr"] == "0.01" and run.data.params["tracking.log_every"] == "5"
    records = history(run_dir)
    dev = client.get_metric_history(run.info.run_id, "dev/accuracy")
    assert sorted((m.step, m.value) for m in dev) == [
        (r["epoch"], pytest.approx(r["dev_accuracy"])) for r in records
    ]
    loss = client.get_metric_history(run.info.run_id, "train/loss")
    assert sorted(m.step for m in loss) == list(range(5, 3 * STEPS_PER_EPOCH + 1, 5))  # every 5th
    assert run.data.metrics["final/test_accuracy"] == pytest.approx(metrics["test"]["accuracy"])
    assert run.data.metrics["final/dev_macro_f1"] == pytest.approx(metrics["dev"]["macro_f1"])
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "run")}
    assert {"run/meta.json", "run/model.safetensors", "run/config.yaml"} <= artifacts


def test_tracking_is_off_by_default(tmp_path: Path) -> None:
    config = validate_config({**TINY_CONFIG, "data": write_dataset(tmp_path / "data")}, "tiny")
    assert config.tracking.tensorboard is False and config.tracking.mlflow is None
    run_dir, _ = train(config.model_copy(update={"training": config.training.model_copy(
        update={"epochs": 1})}), tmp_path / "run")
    assert not (run_dir / "tensorboard").exists()


@pytest.mark.parametrize(
    ("tracking", "module", "message"),
    [
        ({"tensorboard": True}, "torch.utils.tensorboard",
         'tracking.tensorboard is set, but TensorBoard is not installed: pip install -e ".[tracking]"'),
        ({"mlflow": "sqlite:///m.db"}, "mlflow",
         'tracking.mlflow is set, but MLflow is not installed: pip install -e ".[tracking]"'),
    ],
)
def test_a_missing_tracking_library_names_the_extra_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tracking: dict, module: str, message: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: importing it fails
    with pytest.raises(UserError) as error:
        train(tracked_config(tmp_path, **tracking), tmp_path / "run")
    assert str(error.value) == message
    assert not (tmp_path / "run").exists()  # nothing trained, and a failed run leaves nothing


def test_a_bad_mlflow_uri_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("mlflow", reason="the [tracking] extra is not installed")
    with pytest.raises(UserError, match=r"^tracking.mlflow 'nosuchscheme://x': cannot log"):
        train(tracked_config(tmp_path, mlflow="nosuchscheme://x"), tmp_path / "run")


def test_a_baseline_run_logs_its_config_and_final_figures(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard", reason="the [tracking] extra is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from sentiment_rnn.baseline.train import train_baseline

    run_dir, metrics = train_baseline(tracked_config(tmp_path, tensorboard=True), tmp_path / "bow")
    events = EventAccumulator(str(run_dir / "tensorboard"))
    events.Reload()
    assert [e.value for e in events.Scalars("final/dev_accuracy")] == [
        pytest.approx(metrics["dev"]["accuracy"])
    ]
    assert [e.value for e in events.Scalars("final/test_loss")] == [pytest.approx(metrics["test"]["loss"])]
