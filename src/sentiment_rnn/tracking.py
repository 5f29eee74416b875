"""Run tracking: TensorBoard event files and MLflow runs, when the config's `tracking` asks.

    per step     train/loss, train/lr, train/grad_norm, train/tokens_per_second
    per epoch    dev/loss, dev/accuracy, dev/macro_f1, train/epoch_loss
    once         the resolved config as hyperparameters (flattened, dotted keys)
    at the end   final/<split>_<metric>, and for MLflow the run directory as an artifact

Both libraries are optional (`pip install -e ".[tracking]"`) and imported only when a run asks
for them; a missing one is a one-line error naming the extra, raised before training starts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentiment_rnn.config import Config
from sentiment_rnn.errors import UserError

EXTRA = 'pip install -e ".[tracking]"'
TENSORBOARD_DIR = "tensorboard"
MLFLOW_FLUSH_STEPS = 200  # per-step metrics go to MLflow in batches of this many records


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A nested mapping as {dotted key: scalar}; lists and None become their JSON text."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    key = prefix.rstrip(".")
    if isinstance(value, (bool, int, float, str)):
        return {key: value}
    return {key: json.dumps(value)}


class Tracker:
    """Sends a run's figures to every backend its config names (none: every call is free)."""

    def __init__(self, config: Config, run_dir: Path, first_step: int = 0) -> None:
        self.log_every = config.tracking.log_every
        self.step_number = first_step
        self.params = flatten(config.model_dump(mode="json"))
        self.backends: list[Any] = []
        if config.tracking.tensorboard:
            self.backends.append(_TensorBoard(run_dir / TENSORBOARD_DIR, self.params))
        if config.tracking.mlflow is not None:
            experiment = config.tracking.mlflow_experiment or config.name
            self.backends.append(_MLflow(config.tracking.mlflow, experiment, run_dir, self.params))

    def __bool__(self) -> bool:
        return bool(self.backends)

    def step(self, record: dict) -> None:
        self.step_number += 1
        if self.step_number % self.log_every == 0:
            scalars = {f"train/{key}": float(value) for key, value in record.items()}
            for backend in self.backends:
                backend.log(scalars, self.step_number)

    def epoch(self, record: dict) -> None:
        scalars = {
            "dev/loss": record["dev_loss"], "dev/accuracy": record["dev_accuracy"],
            "dev/macro_f1": record["dev_macro_f1"], "train/epoch_loss": record["train_loss"],
        }
        for backend in self.backends:
            backend.log(scalars, record["epoch"])

    def finish(self, metrics: dict, run_dir: Path) -> None:
        """Final metrics (every split that was evaluated) and the run directory; then close."""
        final = {
            f"final/{split}_{name}": float(metrics[split][name])
            for split in ("dev", "test")
            if metrics.get(split) is not None
            for name in ("accuracy", "macro_f1", "loss")
        }
        for backend in self.backends:
            backend.finish(final, run_dir)

    def close(self, status: str = "FAILED") -> None:
        """End every backend's run early (an error, Ctrl-C, a pruned trial)."""
        for backend in self.backends:
            backend.close(status)


def _missing(library: str, key: str) -> UserError:
    return UserError(f"{key} is set, but {library} is not installed: {EXTRA}")


class _TensorBoard:
    def __init__(self, logdir: Path, params: dict[str, Any]) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise _missing("TensorBoard", "tracking.tensorboard") from None
        self.writer = SummaryWriter(log_dir=str(logdir))
        self.params = params
        self.writer.add_text("config", "\n".join(f"    {k}: {v}" for k, v in params.items()))

    def log(self, scalars: dict[str, float], step: int) -> None:
        for name, value in scalars.items():
            self.writer.add_scalar(name, value, step)

    def finish(self, final: dict[str, float], run_dir: Path) -> None:
        self.writer.add_hparams(self.params, final, run_name=".")
        self.writer.close()

    def close(self, status: str) -> None:
        self.writer.close()


class _MLflow:
    def __init__(self, uri: str, experiment: str, run_dir: Path, params: dict[str, Any]) -> None:
        try:
            import mlflow  # noqa: F401  (the package itself: its submodules may be cached)
            from mlflow.entities import Param
            from mlflow.exceptions import MlflowException
            from mlflow.tracking import MlflowClient
        except ImportError:
            raise _missing("MLflow", "tracking.mlflow") from None
        try:
            self.client = MlflowClient(tracking_uri=uri)
            found = self.client.get_experiment_by_name(experiment)
            experiment_id = found.experiment_id if found else self.client.create_experiment(experiment)
            run = self.client.create_run(experiment_id, run_name=run_dir.name,
                                         tags={"run_dir": str(run_dir.resolve())})
            self.run_id = run.info.run_id
            items = [Param(key, str(value)) for key, value in params.items()]
            for start in range(0, len(items), 100):  # MLflow takes at most 100 params a batch
                self.client.log_batch(self.run_id, params=items[start : start + 100])
        except MlflowException as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise UserError(f"tracking.mlflow {uri!r}: cannot log to this MLflow store ({message})") from None
        self.pending: list[Any] = []

    def log(self, scalars: dict[str, float], step: int) -> None:
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        self.pending += [Metric(name, value, now, step) for name, value in scalars.items()]
        if len(self.pending) >= MLFLOW_FLUSH_STEPS:
            self._flush()

    def _flush(self) -> None:
        for start in range(0, len(self.pending), 1000):  # MLflow's batch limit
            self.client.log_batch(self.run_id, metrics=self.pending[start : start + 1000])
        self.pending = []

    def finish(self, final: dict[str, float], run_dir: Path) -> None:
        self.log(final, 0)
        self._flush()
        self.client.log_artifacts(self.run_id, str(run_dir), artifact_path="run")
        self.client.set_terminated(self.run_id, status="FINISHED")

    def close(self, status: str) -> None:
        self._flush()
        self.client.set_terminated(self.run_id, status=status)
