"""`compare`: the RNN and the bag-of-words baseline on the same test split, side by side.

Given run directories are used as they are; a missing one is trained first, from the config but
on the other run's data and seed, so that both see the same splits. Then both are checked to
share labels and splits, scored on the test split, tested for a real difference (McNemar, paired
bootstrap), probed with minimal pairs, and written up in a report directory: report.json (every
figure), report.md (the tables and sentences) and PNG plots. See docs/compare.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.markup import escape

from sentiment_rnn import runs
from sentiment_rnn.baseline.model import BaselineModel
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.calibration import expected_calibration_error, reliability
from sentiment_rnn.config import Config
from sentiment_rnn.data.dataset import Dataset, Split, fingerprint, load_dataset
from sentiment_rnn.errors import UserError
from sentiment_rnn.evaluation import stats
from sentiment_rnn.evaluation.probes import as_numpy, run_probes
from sentiment_rnn.files import atomic_write
from sentiment_rnn.outputs import check_free_space, check_not_an_input, staged_dir
from sentiment_rnn.render import plots
from sentiment_rnn.render.comparison import markdown
from sentiment_rnn.rnn.predictor import Predictor

REPORT_FORMAT_VERSION = 1
REPORT_JSON, REPORT_MD = "report.json", "report.md"
REPORT_BYTES = 2_000_000  # the plots, report.json and report.md, with room to spare


@dataclass
class Side:
    """One model of the comparison, with its run directory's config, meta and metrics."""

    key: str  # "rnn" or "baseline"
    name: str  # for sentences: "the RNN", "the nbsvm baseline"
    title: str  # for table headers: "RNN (lstm, bidirectional)"
    path: Path
    model: Predictor | BaselineModel
    config: Config
    meta: dict
    metrics: dict

    @property
    def labels(self) -> list[str]:
        return self.model.labels


def rnn_side(path: Path) -> Side:
    predictor = Predictor.from_dir(path)  # refuses a baseline run, naming it
    run = predictor.run
    cell = run.config.model.cell + (", bidirectional" if run.config.model.bidirectional else "")
    return Side("rnn", "the RNN", f"RNN ({cell})", run.path, predictor, run.config, run.meta,
                runs.read_metrics(run.path))


def baseline_side(path: Path) -> Side:
    model = BaselineModel.from_dir(path)  # refuses an RNN run, naming it
    return Side("baseline", f"the {model.kind} baseline", f"baseline ({model.kind})", model.path, model,
                model.config, model.meta, runs.read_metrics(path))


def train_missing(config: Config, rnn_dir: Path | None, baseline_dir: Path | None,
                  report_dir: Path, console: Console | None) -> tuple[Path, Path]:
    """Train whichever run is missing, on the given run's data and seed when there is one."""
    from sentiment_rnn.rnn.train import train

    if rnn_dir is not None and baseline_dir is not None:
        return rnn_dir, baseline_dir
    if rnn_dir is not None or baseline_dir is not None:
        given = rnn_side(rnn_dir) if rnn_dir is not None else baseline_side(baseline_dir)
        config = config.model_copy(update={"data": given.config.data, "seed": given.config.seed})
    if rnn_dir is None:
        _say(console, f"training the RNN into {report_dir / 'rnn'}")
        rnn_dir, _ = train(config, report_dir / "rnn", console=console)
    if baseline_dir is None:
        _say(console, f"training the {config.baseline.kind} baseline into {report_dir / 'baseline'}")
        baseline_dir, _ = train_baseline(config, report_dir / "baseline")
    return rnn_dir, baseline_dir


def check_same_data(rnn: Side, baseline: Side) -> Split:
    """Both runs must share labels and their train, dev and test splits; returns the test split."""
    if set(rnn.labels) != set(baseline.labels):
        raise UserError(
            f"the runs have different labels: {rnn.path} has {rnn.labels}, {baseline.path} has "
            f"{baseline.labels}; compare needs two models of the same classes"
        )
    cache: dict[str, Dataset] = {}
    datasets = []
    for side in (rnn, baseline):
        data, seed = side.config.data, side.config.seed
        key = f"{data.model_dump_json()} seed {seed}"  # the seed decides carved splits
        if key not in cache:
            cache[key] = load_dataset(data, seed, show_progress=False)
        datasets.append(cache[key])
    for name in ("train", "dev", "test"):
        a, b = (getattr(dataset, name) for dataset in datasets)
        if a is None or b is None:
            missing = rnn if a is None else baseline
            raise UserError(f"{missing.path}: the run has no test split (data.test), nothing to compare on")
        if fingerprint(a.texts, a.labels) != fingerprint(b.texts, b.labels):
            raise UserError(
                f"the runs' {name} splits differ: {rnn.path} uses {a.source} ({len(a):,} examples), "
                f"{baseline.path} uses {b.source} ({len(b):,} examples); compare runs trained "
                "and tested on the same data"
            )
        for side, split in ((rnn, a), (baseline, b)):
            recorded = side.metrics.get("splits", {}).get(name, {}).get("fingerprint")
            if recorded not in (None, fingerprint(split.texts, split.labels)):
                raise UserError(
                    f"{split.source}: the {name} split has changed since {side.path} was "
                    "trained; train that model again"
                )
    return datasets[0].test


def cached_test_ids(rnn: Side, test: Split, digest: str):
    """The RNN's token ids of `test` from the token cache (`train`'s entry, holding this run's
    tokenizer, of these very examples), or None: then the texts are encoded."""
    from sentiment_rnn.data.tokens import cached_split

    found = cached_split(rnn.config, "test", rnn.model.run.tokenizer)
    return found[1] if found is not None and found[0].digest == digest else None


def evaluate_side(side: Side, split: Split, y: np.ndarray, labels: list[str], ids=None
                  ) -> tuple[dict, np.ndarray]:
    """Scores on `split` (columns in `labels` order), timing and size of one model; `ids`: the
    split's token ids for an RNN, from the token cache (its timing then excludes tokenizing)."""
    start = time.perf_counter()
    if ids is not None:
        probabilities = as_numpy(side.model.proba_of_ids(ids))
    else:
        probabilities = as_numpy(side.model.predict_proba(split.texts))
    seconds = time.perf_counter() - start
    probabilities = probabilities[:, [side.labels.index(label) for label in labels]]
    figures = stats.scores(y, probabilities, labels)
    figures.update({
        "run": str(side.path), "title": side.title,
        "train_seconds": side.metrics.get("train_seconds"),
        "predict_seconds": seconds, "texts_per_second": len(split) / seconds,
        "ids_from_cache": ids is not None,
        "num_parameters": side.meta.get("num_parameters"),
        "size_bytes": sum(f.stat().st_size for f in side.path.rglob("*") if f.is_file()),
    })
    return figures, probabilities


def compare(
    config: Config, rnn_dir: Path | None = None, baseline_dir: Path | None = None,
    output: Path | None = None, console: Console | None = None, *, force: bool = False,
    probes: Path | None = None, resamples: int = 10_000,
) -> dict:
    """The whole `compare` command: returns the report, also written to the report directory.

    With `force`, a non-empty `output` is replaced only once the new report is complete (built
    beside it, as `train` does). An output that is, holds or lies inside a given run is refused.
    """
    target = output or runs.default_run_dir(f"{config.name}-compare")
    check_not_an_input(target, {"--rnn": rnn_dir, "--baseline": baseline_dir})
    with staged_dir(target, force) as report_dir:
        check_free_space(report_dir, REPORT_BYTES, "the report")
        report = _compare_into(report_dir, config, rnn_dir, baseline_dir, console, probes, resamples)
        _relocate(report, report_dir, target)
        write_report(report_dir, report)
    return report


def _relocate(report: dict, build: Path, target: Path) -> None:
    """The report's paths as they will be once the build directory becomes `target`."""
    def moved(path: str) -> str:
        return str(target / Path(path).relative_to(build)) if Path(path).is_relative_to(build) else path

    report["report_dir"] = moved(report["report_dir"])
    for figures in report["models"].values():
        figures["run"] = moved(figures["run"])


def _compare_into(report_dir: Path, config: Config, rnn_dir: Path | None, baseline_dir: Path | None,
                  console: Console | None, probes: Path | None, resamples: int) -> dict:
    rnn_dir, baseline_dir = train_missing(config, rnn_dir, baseline_dir, report_dir, console)
    rnn, baseline = rnn_side(rnn_dir), baseline_side(baseline_dir)
    test = check_same_data(rnn, baseline)
    labels, digest = rnn.labels, fingerprint(test.texts, test.labels)
    y = np.array([labels.index(label) for label in test.labels])
    _say(console, f"scoring both models on {test.source} ({len(test):,} texts)")
    models, probabilities = {}, {}
    ids = {"rnn": cached_test_ids(rnn, test, digest), "baseline": None}  # the baseline reads texts
    for side in (rnn, baseline):
        models[side.key], probabilities[side.key] = evaluate_side(side, test, y, labels, ids[side.key])
    correct = {key: p.argmax(axis=1) == y for key, p in probabilities.items()}
    mcnemar = stats.mcnemar(correct["rnn"], correct["baseline"])
    interval = stats.bootstrap_difference(correct["rnn"], correct["baseline"], resamples, config.seed)
    disagree = stats.disagreements(test.texts, y, labels, probabilities["rnn"], probabilities["baseline"])
    report = {
        "format_version": REPORT_FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "report_dir": str(report_dir),
        "test": {"source": test.source, "num_examples": len(test), "labels": labels,
                 "fingerprint": digest},
        "names": {side.key: side.name for side in (rnn, baseline)},
        "models": models,
        "significance": {
            "accuracy_difference": interval, "mcnemar": mcnemar,
            "sentence": stats.difference_sentence(rnn.name, baseline.name, models["rnn"]["accuracy"],
                                                  models["baseline"]["accuracy"], interval, mcnemar),
        },
        "by_length": stats.accuracy_by_length(stats.word_counts(test.texts), correct),
        "reliability": {  # with each run's temperature applied (calibration.py)
            key: {"ece": expected_calibration_error(p, y), "bins": reliability(p, y)}
            for key, p in probabilities.items()
        },
        "probes": {side.key: run_probes(side.model, probes) for side in (rnn, baseline)},
        "disagreements": {"rnn_only": disagree["a_only"], "baseline_only": disagree["b_only"]},
        "history": runs.read_history(rnn.path),
        "best_epoch": rnn.metrics.get("best_epoch"),
    }
    return report


def write_report(report_dir: Path, report: dict) -> None:
    """The PNG plots, report.json and report.md; a failed write is one line, naming the folder."""
    try:
        _write_report(report_dir, report)
    except OSError as err:
        raise UserError(f"{report_dir}: cannot write the report ({err.strerror or err})") from None


def _write_report(report_dir: Path, report: dict) -> None:
    titles = {key: figures["title"] for key, figures in report["models"].items()}
    report["plots"] = [plots.CONFUSION, plots.BY_LENGTH]
    plots.confusion_matrices(report_dir / plots.CONFUSION, report["test"]["labels"],
                             {titles[key]: figures for key, figures in report["models"].items()})
    buckets = [{**b, "accuracy": {titles[k]: v for k, v in b["accuracy"].items()}} for b in report["by_length"]]
    plots.accuracy_by_length(report_dir / plots.BY_LENGTH, buckets)
    plots.reliability_diagram(report_dir / plots.RELIABILITY,
                              {titles[key]: value for key, value in report["reliability"].items()})
    report["plots"].append(plots.RELIABILITY)
    if report["history"]:
        plots.learning_curves(report_dir / plots.CURVES, report["history"], report["best_epoch"])
        report["plots"].insert(1, plots.CURVES)
    runs.write_json(report_dir / REPORT_JSON, report)
    atomic_write(report_dir / REPORT_MD, markdown(report))


def _say(console: Console | None, message: str) -> None:
    if console is not None:
        console.print(escape(message))
