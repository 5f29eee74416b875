"""The `baseline` command: fit on the same splits as `train`, score dev and test, save the run."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sentiment_rnn import __version__, runs
from sentiment_rnn.baseline.fit import fit_baseline
from sentiment_rnn.baseline.model import BASELINE_FORMAT_VERSION, BaselineModel
from sentiment_rnn.config import Config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.metrics import score
from sentiment_rnn.outputs import check_free_space, check_not_an_input, config_inputs, staged_dir

MIN_FREE_BYTES = 2_000_000  # below this, even the bundled corpus's baseline does not fit


def train_baseline(
    config: Config, output: Path | None = None, force: bool = False, *, evaluate_test: bool = True
) -> tuple[Path, dict]:
    """The whole `baseline` command: fit on train, evaluate on dev and test, save the run
    (`evaluate_test=False`: the test split is not scored, metrics' "test" is None).

    With `force`, a non-empty `output` is replaced only once the new run is complete (built
    beside it, as `train` does); a failed run leaves nothing behind.
    """
    config = config.with_absolute_paths()
    target = output or runs.default_run_dir(f"{config.name}-{config.baseline.kind}")
    check_not_an_input(target, config_inputs(config))
    with staged_dir(target, force) as run_dir:
        check_free_space(run_dir, MIN_FREE_BYTES, "a baseline run")
        metrics = _train_into(run_dir, config, evaluate_test)
    return target, metrics


def _train_into(run_dir: Path, config: Config, evaluate_test: bool) -> dict:
    from sentiment_rnn.data.dataset import load_dataset, split_records  # pandas: only when training
    from sentiment_rnn.tracking import Tracker

    atomic_write(run_dir / runs.CONFIG, config.to_yaml())
    tracker = Tracker(config, run_dir)  # no steps or epochs: the config, then the final figures
    dataset = load_dataset(config.data, config.seed)
    start = time.perf_counter()
    model = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    seconds = time.perf_counter() - start
    calibration = _fit_temperature(model, dataset)
    metrics = {
        "dev": evaluate_split(model, dataset.dev),
        "test": None
        if dataset.test is None or not evaluate_test
        else evaluate_split(model, dataset.test),
        "train_seconds": seconds,
        "num_features": len(model.vocabulary),
        "splits": split_records(dataset),
        "calibration": calibration,
    }
    try:
        model.save(run_dir)
        runs.write_json(run_dir / runs.TEMPERATURE, {
            "temperature": model.temperature, "fitted_on": "dev", "examples": len(dataset.dev),
        })
        runs.write_json(run_dir / runs.LABELS, dataset.labels)
        runs.write_json(run_dir / runs.METRICS, metrics)
        _write_meta(model, run_dir)
        tracker.finish(metrics, run_dir)
    except OSError as err:
        raise UserError(f"{run_dir}: cannot write the run ({err.strerror or err}); nothing was kept") from None
    return metrics


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
