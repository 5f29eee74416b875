"""The `baseline` command: fit on the same splits as `train`, score dev and test, save the run."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sentiment_rnn import __version__, runs
from sentiment_rnn.baseline.fit import fit_baseline
from sentiment_rnn.baseline.model import BASELINE_FORMAT_VERSION, BaselineModel
from sentiment_rnn.config import Config
from sentiment_rnn.files import atomic_write
from sentiment_rnn.metrics import score


def train_baseline(
    config: Config, output: Path | None = None, force: bool = False
) -> tuple[Path, dict]:
    """The whole `baseline` command: fit on train, evaluate on dev and test, save the run."""
    from sentiment_rnn.data.dataset import load_dataset, split_records  # pandas: only when training

    config = config.with_absolute_paths()
    name = f"{config.name}-{config.baseline.kind}"
    run_dir = runs.prepare_run_dir(output or runs.default_run_dir(name), force)
    atomic_write(run_dir / runs.CONFIG, config.to_yaml())
    dataset = load_dataset(config.data, config.seed)
    start = time.perf_counter()
    model = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    seconds = time.perf_counter() - start
    calibration = _fit_temperature(model, dataset)
    metrics = {
        "dev": evaluate_split(model, dataset.dev),
        "test": None if dataset.test is None else evaluate_split(model, dataset.test),
        "train_seconds": seconds,
        "num_features": len(model.vocabulary),
        "splits": split_records(dataset),
        "calibration": calibration,
    }
    model.save(run_dir)
    runs.write_json(run_dir / runs.TEMPERATURE, {
        "temperature": model.temperature, "fitted_on": "dev", "examples": len(dataset.dev),
    })
    runs.write_json(run_dir / runs.LABELS, dataset.labels)
    runs.write_json(run_dir / runs.METRICS, metrics)
    _write_meta(model, run_dir)
    return run_dir, metrics


def _fit_temperature(model: BaselineModel, dataset) -> dict:
    """Fit the temperature on dev (set on `model`); ECE and Brier before and after."""
    from sentiment_rnn.calibration import calibration_report, fit_temperature

    def raw_and_y(split):
        index = {label: i for i, label in enumerate(model.labels)}
        return model.raw_proba(split.texts), [index[label] for label in split.labels]

    dev, y_dev = raw_and_y(dataset.dev)
    model.temperature = fit_temperature(dev, y_dev)
    report = {"dev": calibration_report(dev, y_dev, model.temperature)}
    if dataset.test is not None:
        report["test"] = calibration_report(*raw_and_y(dataset.test), model.temperature)
    return report


def evaluate_split(model: BaselineModel, split) -> dict:
    """As in the RNN's metrics.json: the figures of `metrics.score` on one split."""
    index = {label: i for i, label in enumerate(model.labels)}
    y = np.array([index[label] for label in split.labels])
    return score(y, model.predict_proba(split.texts), model.labels)


def _write_meta(model: BaselineModel, run_dir: Path) -> None:
    import sklearn

    versions = {
        "baseline_kind": model.kind, "baseline_format_version": BASELINE_FORMAT_VERSION,
        "sentiment_rnn_version": __version__, "sklearn_version": sklearn.__version__,
    }
    runs.write_meta(run_dir, "baseline", versions, model.num_parameters)
