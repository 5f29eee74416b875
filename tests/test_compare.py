"""`compare`: statistics against known values, the report directory, and refused comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from rich.console import Console
from scipy.stats import binomtest, chi2

from conftest import TINY_CONFIG, make_rows, write_csv, write_dataset
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.config import Config, validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.evaluation import stats
from sentiment_rnn.evaluation.compare import compare
from sentiment_rnn.render.comparison import comparison_table, figure_rows, print_summary
from sentiment_rnn.render.tables import probe_table

PNG = b"\x89PNG\r\n\x1a\n"


def paired(only_a: int, only_b: int, both: int = 50, neither: int = 10) -> tuple[np.ndarray, np.ndarray]:
    a = [True] * only_a + [False] * only_b + [True] * both + [False] * neither
    b = [False] * only_a + [True] * only_b + [True] * both + [False] * neither
    return np.array(a), np.array(b)


def test_mcnemar_exact_below_25_discordant_pairs() -> None:
    result = stats.mcnemar(*paired(10, 0))
    assert result["test"] == "exact binomial"
    assert result["p_value"] == pytest.approx(2 * 0.5**10)
    result = stats.mcnemar(*paired(7, 5))
    assert result["p_value"] == pytest.approx(binomtest(7, 12, 0.5).pvalue)
    assert (result["only_a_right"], result["only_b_right"]) == (7, 5)


def test_mcnemar_chi_square_with_continuity_correction() -> None:
    result = stats.mcnemar(*paired(30, 12))
    assert result["test"] == "chi-square with continuity correction"
    assert result["statistic"] == pytest.approx((30 - 12 - 1) ** 2 / 42)
    assert result["p_value"] == pytest.approx(chi2.sf(289 / 42, df=1))
    assert result["p_value"] == pytest.approx(0.00871, abs=1e-4)


def test_mcnemar_without_discordant_pairs() -> None:
    assert stats.mcnemar(*paired(0, 0))["p_value"] == 1.0


def test_bootstrap_is_seeded_and_contains_the_difference() -> None:
    a, b = paired(40, 25, both=300, neither=35)
    first = stats.bootstrap_difference(a, b, resamples=2000, seed=3)
    assert first == stats.bootstrap_difference(a, b, resamples=2000, seed=3)
    assert first != stats.bootstrap_difference(a, b, resamples=2000, seed=4)
    assert first["difference"] == pytest.approx(15 / 400)
    assert first["low"] < first["difference"] < first["high"]


def test_bootstrap_agrees_with_resampling_indices() -> None:
    a, b = paired(40, 25, both=300, neither=35)
    d = a.astype(int) - b.astype(int)
    rng = np.random.default_rng(0)
    naive = d[rng.integers(0, len(d), size=(4000, len(d)))].mean(axis=1)
    low, high = np.quantile(naive, [0.025, 0.975])
    ours = stats.bootstrap_difference(a, b, resamples=4000, seed=1)
    assert ours["low"] == pytest.approx(low, abs=0.006)
    assert ours["high"] == pytest.approx(high, abs=0.006)


def test_the_sentence() -> None:
    interval = {"difference": 0.012, "low": 0.007, "high": 0.017, "level": 0.95}
    sentence = stats.difference_sentence("the RNN", "the baseline", 0.91, 0.898, interval, {"p_value": 0.001})
    assert sentence.startswith("The RNN is ahead by 1.2 points (91.0% against 89.8%), 95% CI 0.7–1.7")
    assert "unlikely to be chance" in sentence
    interval = {"difference": -0.004, "low": -0.011, "high": 0.004, "level": 0.95}
    sentence = stats.difference_sentence("the RNN", "the baseline", 0.9, 0.904, interval, {"p_value": 0.4})
    assert sentence.startswith("The baseline is ahead by 0.4 points (90.4% against 90.0%), 95% CI -0.4 to 1.1")
    assert "cannot tell them apart" in sentence


def test_accuracy_by_length_buckets() -> None:
    lengths = np.array([1, 2, 3, 4, 10, 20, 30, 40])
    correct = {"a": np.array([1, 1, 1, 1, 0, 0, 0, 0], bool), "b": np.ones(8, bool)}
    rows = stats.accuracy_by_length(lengths, correct, buckets=2)
    assert [(row["words"], row["num_examples"]) for row in rows] == [("1–4", 4), ("10–40", 4)]
    assert [row["accuracy"]["a"] for row in rows] == [1.0, 0.0]
    assert sum(row["num_examples"] for row in stats.accuracy_by_length(lengths, correct)) == 8


@pytest.fixture(scope="module")
def baseline_run(trained_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A baseline trained from the tiny RNN run's own config (same data, same seed)."""
    config = validate_config(yaml.safe_load((trained_run / "config.yaml").read_text()), "run")
    return train_baseline(config, tmp_path_factory.mktemp("cmp") / "baseline")[0]


@pytest.fixture(scope="module")
def report(trained_run: Path, baseline_run: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    output = tmp_path_factory.mktemp("cmp") / "report"
    return compare(Config(), trained_run, baseline_run, output, resamples=1000)


def test_report_directory_has_every_file(report: dict) -> None:
    folder = Path(report["report_dir"])
    for name in ("confusion_matrices.png", "learning_curves.png", "accuracy_by_length.png",
                 "reliability.png"):
        assert (folder / name).read_bytes().startswith(PNG), name
    saved = json.loads((folder / "report.json").read_text())
    assert saved["significance"]["sentence"] == report["significance"]["sentence"]
    markdown = (folder / "report.md").read_text()
    assert report["significance"]["sentence"] in markdown and "| accuracy |" in markdown


def test_report_has_every_figure(report: dict) -> None:
    for key in ("rnn", "baseline"):
        figures = report["models"][key]
        for name in ("accuracy", "macro_f1", "roc_auc", "log_loss", "train_seconds",
                     "texts_per_second", "num_parameters", "size_bytes", "confusion_matrix"):
            assert figures[name] is not None, (key, name)
    assert report["test"]["num_examples"] == 60
    mcnemar = report["significance"]["mcnemar"]
    disagreements = report["disagreements"]
    assert mcnemar["only_a_right"] == len(disagreements["rnn_only"])
    assert mcnemar["only_b_right"] == len(disagreements["baseline_only"])
    assert set(report["probes"]) == {"rnn", "baseline"}
    assert sum(bucket["num_examples"] for bucket in report["by_length"]) == 60
    assert len(report["history"]) == TINY_CONFIG["training"]["epochs"]


def test_tables_render(report: dict) -> None:
    console = Console(record=True, width=160)
    print_summary(report, console)
    console.print(comparison_table(report), probe_table(report["probes"]["rnn"]))
    text = console.export_text()
    assert "accuracy" in text and "word_order" in text and report["report_dir"] in text


def test_a_missing_baseline_is_trained_on_the_rnn_run_data(trained_run: Path, tmp_path: Path) -> None:
    result = compare(Config(), trained_run, None, tmp_path / "report", resamples=1000)
    assert (tmp_path / "report" / "baseline" / "meta.json").is_file()
    assert result["test"]["num_examples"] == 60


def test_a_missing_rnn_is_trained_on_the_baseline_run_data(baseline_run: Path, tmp_path: Path) -> None:
    config = validate_config({**TINY_CONFIG, "data": {"train": "absent.csv"}}, "tiny")
    result = compare(config, None, baseline_run, tmp_path / "report", resamples=1000)
    assert (tmp_path / "report" / "rnn" / "meta.json").is_file()
    assert len(result["history"]) == TINY_CONFIG["training"]["epochs"]


def test_different_labels_are_refused(trained_run: Path, tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "three", classes=3)
    config = validate_config({**TINY_CONFIG, "data": data}, "three")
    baseline_dir, _ = train_baseline(config, tmp_path / "baseline")
    with pytest.raises(UserError, match="different labels"):
        compare(Config(), trained_run, baseline_dir, tmp_path / "report")


def test_a_different_test_split_is_refused(trained_run: Path, tmp_path: Path) -> None:
    run_config = yaml.safe_load((trained_run / "config.yaml").read_text())
    other = write_csv(tmp_path / "other_test.csv", make_rows(60, seed=99))
    run_config["data"]["test"] = str(other)
    baseline_dir, _ = train_baseline(validate_config(run_config, "x"), tmp_path / "baseline")
    with pytest.raises(UserError, match="the runs' test splits differ: .*other_test.csv"):
        compare(Config(), trained_run, baseline_dir, tmp_path / "report")


def test_runs_given_the_wrong_way_round_are_refused(trained_run: Path, baseline_run: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="a 'baseline' run, where an RNN run"):
        compare(Config(), baseline_run, baseline_run, tmp_path / "one")
    with pytest.raises(UserError, match="a 'rnn' run, where a baseline run"):
        compare(Config(), trained_run, trained_run, tmp_path / "two")


@pytest.mark.slow
def test_a_data_file_changed_since_training_is_refused(tmp_path: Path) -> None:
    """Same paths, other contents: the run's recorded fingerprint catches it, for the RNN too."""
    from sentiment_rnn.rnn.train import train

    data = write_dataset(tmp_path / "data")
    config = validate_config({**TINY_CONFIG, "data": data}, "tiny")
    rnn_dir, metrics = train(config, tmp_path / "rnn")
    assert set(metrics["splits"]) == {"train", "dev", "test"}
    write_csv(Path(data["test"]), make_rows(60, seed=99))  # the test file is rewritten
    with pytest.raises(UserError, match=r"the test split has changed since .*rnn was trained"):
        compare(config, rnn_dir, None, tmp_path / "report")


def test_report_has_a_reliability_curve_per_model(report: dict) -> None:
    """Each model's 15-bin reliability (with its run's temperature) and ECE, for the diagram."""
    for key in ("rnn", "baseline"):
        figures = report["reliability"][key]
        bins = figures["bins"]
        assert sum(b["count"] for b in bins) == report["test"]["num_examples"]
        assert all(b["low"] <= b["confidence"] <= b["high"] for b in bins)
        total = report["test"]["num_examples"]
        ece = sum(b["count"] / total * abs(b["accuracy"] - b["confidence"]) for b in bins)
        assert abs(ece - figures["ece"]) < 1e-9


def test_the_rnn_is_scored_from_the_token_cache_with_the_same_report(
    trained_run: Path, baseline_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`train` left the run's test ids in the cache: compare scores the RNN from them, encoding
    none of the test texts, and every figure but the timings is the one from the texts."""
    from sentiment_rnn.data.dataset import load_dataset
    from sentiment_rnn.rnn.predictor import Predictor

    config = validate_config(yaml.safe_load((trained_run / "config.yaml").read_text()), "run")
    test_texts = set(load_dataset(config.data, config.seed).test.texts)
    encoded: list[str] = []
    original = Predictor.encode
    monkeypatch.setattr(Predictor, "encode", lambda self, texts: encoded.extend(texts) or original(self, texts))
    from_cache = compare(Config(), trained_run, baseline_run, tmp_path / "on", resamples=1000)
    assert not test_texts & set(encoded)  # the probes are encoded, the test texts are not
    monkeypatch.setenv("SENTIMENT_RNN_CACHE", "off")
    from_texts = compare(Config(), trained_run, baseline_run, tmp_path / "off", resamples=1000)
    assert test_texts <= set(encoded)
    assert from_cache["models"]["rnn"]["ids_from_cache"] and not from_texts["models"]["rnn"]["ids_from_cache"]

    def untimed(report: dict) -> dict:
        models = {key: {k: v for k, v in figures.items()
                        if k not in ("predict_seconds", "texts_per_second", "ids_from_cache")}
                  for key, figures in report["models"].items()}
        return {**report, "models": models, "created": None, "report_dir": None, "plots": None}

    assert untimed(from_cache) == untimed(from_texts)
    table = "\n".join(" ".join(row) for row in figure_rows(from_cache))
    assert "ids from the token cache" in table
