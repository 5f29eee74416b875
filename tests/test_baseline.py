"""The bag-of-words baseline: features, both kinds, the saved format and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.baseline.features import analyzer, smooth_idf, tfidf
from sentiment_rnn.baseline.fit import DEFAULT_C, fit_baseline, fit_counts
from sentiment_rnn.baseline.model import BaselineModel
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.config import BaselineConfig, Config, validate_config
from sentiment_rnn.data.dataset import load_dataset
from sentiment_rnn.errors import UserError
from sentiment_rnn.runs import ARRAYS, run_kind, sha256_file
from sentiment_rnn.texts import Prediction

KINDS = ["tfidf_logreg", "nbsvm"]
TEXT = {"lowercase": True, "ngram_range": (1, 2), "stop_words": None, "kind": "nbsvm"}


def tiny(root: Path, kind: str = "nbsvm", classes: int = 2, **baseline) -> Config:
    data = write_dataset(root / "data", classes)
    return validate_config({**TINY_CONFIG, "data": data, "baseline": {"kind": kind, **baseline}}, "tiny")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict, Config]]:
    """One trained baseline run of each kind (read-only)."""
    root = tmp_path_factory.mktemp("baselines")
    result = {}
    for kind in KINDS:
        config = tiny(root, kind)
        run_dir, metrics = train_baseline(config, root / kind)
        result[kind] = (run_dir, metrics, config)
    return result


def test_text_keeps_negation_and_drops_line_breaks() -> None:
    analyze = analyzer({**TEXT, "ngram_range": (1, 1)})
    assert analyze("It isn't good.<br /><br />I didnt like it, it CANNOT work!") == [
        "it", "is", "n't", "good", "i", "did", "n't", "like", "it", "it", "can", "not", "work", "!",
    ]
    assert "not good" in analyzer(TEXT)("This was not good")


def test_english_stop_words_keep_negations_contrast_and_degree() -> None:
    analyze = analyzer({**TEXT, "ngram_range": (1, 1), "stop_words": "english"})
    words = analyze("The film is not good, no, never, nor is it very funny but it is the best")
    assert {"not", "no", "never", "nor", "very", "but", "good", "funny"} <= set(words)
    assert not {"the", "is", "it"} & set(words)


@pytest.mark.parametrize("kind", KINDS)
def test_both_kinds_beat_chance_on_tiny_data(runs: dict, kind: str) -> None:
    _, metrics, _ = runs[kind]
    assert metrics["dev"]["accuracy"] >= 0.8 and metrics["test"]["accuracy"] >= 0.8
    assert metrics["train_seconds"] > 0 and metrics["num_features"] > 0


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_give_identical_probabilities(runs: dict, kind: str) -> None:
    run_dir, _, config = runs[kind]
    dataset = load_dataset(config.with_absolute_paths().data, config.seed)
    fitted = fit_baseline(dataset.train, dataset.labels, config.baseline, config.seed)
    loaded = BaselineModel.from_dir(run_dir)
    texts = dataset.test.texts + ["a word never seen in training", "not bad at all"]
    # the saved model adds only its temperature, fitted on dev (calibration.py)
    assert np.array_equal(fitted.raw_proba(texts), loaded.raw_proba(texts))
    assert fitted.temperature == 1.0 and loaded.temperature > 0
    assert loaded.labels == ["negative", "positive"] and loaded.kind == kind
    assert loaded.num_parameters == fitted.num_parameters == json.loads(
        (run_dir / "meta.json").read_text())["num_parameters"]


@pytest.mark.parametrize("kind", KINDS)
def test_run_directory_has_no_pickle(runs: dict, kind: str) -> None:
    run_dir, metrics, _ = runs[kind]
    assert sorted(path.name for path in run_dir.iterdir()) == sorted([
        "baseline.json", "vocabulary.json", "baseline.safetensors", "labels.json",
        "config.yaml", "metrics.json", "meta.json", "temperature.json",
    ])
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["kind"] == "baseline" and meta["baseline_kind"] == kind
    assert set(metrics["splits"]) == {"train", "dev", "test"}
    assert run_kind(run_dir) == "baseline"


def test_tfidf_logreg_matches_scikit_learn(runs: dict) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    run_dir, _, config = runs["tfidf_logreg"]
    dataset = load_dataset(config.with_absolute_paths().data, config.seed)
    settings = {**TEXT, "kind": "tfidf_logreg", "ngram_range": config.baseline.ngram_range}
    vectorizer = TfidfVectorizer(
        analyzer=analyzer(settings), sublinear_tf=True, min_df=config.baseline.min_df
    )
    y = [dataset.labels.index(label) for label in dataset.train.labels]
    classifier = LogisticRegression(
        C=config.baseline.C or DEFAULT_C["tfidf_logreg"], solver="liblinear", dual=True, max_iter=config.baseline.max_iter,
        random_state=config.seed,
    ).fit(vectorizer.fit_transform(dataset.train.texts), y)
    expected = classifier.predict_proba(vectorizer.transform(dataset.test.texts))
    ours = BaselineModel.from_dir(run_dir).raw_proba(dataset.test.texts)  # before temperature
    np.testing.assert_allclose(ours, expected, atol=1e-6)


def test_counts_and_tfidf_match_scikit_learn() -> None:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    texts = ["not good, not good at all", "good good good fun", "fun but not great"]
    config = BaselineConfig(kind="tfidf_logreg", ngram_range=(1, 2), min_df=1)
    counts, vocabulary = fit_counts(texts, config)
    reference = CountVectorizer(analyzer=analyzer({**TEXT, "kind": "tfidf_logreg"}))
    expected = reference.fit_transform(texts)
    columns = [reference.vocabulary_[term] for term in vocabulary]
    assert (counts != expected[:, columns]).nnz == 0
    ours = tfidf(counts, smooth_idf(counts), sublinear_tf=True).toarray()
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(expected)[:, columns].toarray()
    np.testing.assert_allclose(ours, theirs)


def test_min_df_and_max_features_shrink_the_vocabulary() -> None:
    texts = ["good film", "good plot", "bad film"]
    assert fit_counts(texts, BaselineConfig(min_df=2, ngram_range=(1, 1)))[1] == ["good", "film"]
    assert fit_counts(texts, BaselineConfig(min_df=1, max_features=1, ngram_range=(1, 1)))[1] == ["good"]


@pytest.mark.parametrize("kind", KINDS)
def test_three_classes(tmp_path: Path, kind: str) -> None:
    config = tiny(tmp_path, kind, classes=3)
    run_dir, metrics = train_baseline(config, tmp_path / "run")
    model = BaselineModel.from_dir(run_dir)
    probabilities = model.predict_proba(["the plot was average , neither here nor there", "great"])
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert model.labels == ["negative", "neutral", "positive"]
    assert metrics["test"]["accuracy"] > 0.6  # chance is 1/3


def test_predict_returns_predictions(runs: dict) -> None:
    model = BaselineModel.from_dir(runs["nbsvm"][0])
    (prediction,) = model.predict(["the plot was great"])
    assert isinstance(prediction, Prediction)
    assert prediction.label == max(prediction.probabilities, key=prediction.probabilities.get)
    assert prediction.label == "positive"
    with pytest.raises(UserError, match="text 2 is empty"):
        model.predict(["fine", "  "])


def test_an_rnn_run_is_refused(trained_run: Path) -> None:
    assert run_kind(trained_run) == "rnn"
    with pytest.raises(UserError, match="a 'rnn' run, where a baseline run .* is expected"):
        BaselineModel.from_dir(trained_run)


def record_checksum(run_dir: Path, name: str) -> None:
    """Record `name`'s current SHA-256 in meta.json, so that the file's own check is reached."""
    meta = json.loads((run_dir / "meta.json").read_text())
    meta["sha256"][name] = sha256_file(run_dir / name)
    (run_dir / "meta.json").write_text(json.dumps(meta))


def test_damaged_files_are_named(runs: dict, tmp_path: Path) -> None:
    import shutil

    run_dir = Path(shutil.copytree(runs["nbsvm"][0], tmp_path / "copy"))
    arrays = run_dir / ARRAYS
    arrays.write_bytes(arrays.read_bytes()[:100])
    with pytest.raises(UserError, match="baseline.safetensors: SHA-256 differs"):
        BaselineModel.from_dir(run_dir)  # the checksum is checked first
    record_checksum(run_dir, ARRAYS)  # as if saved that way: the file's own check
    with pytest.raises(UserError, match="baseline.safetensors: cannot read"):
        BaselineModel.from_dir(run_dir)
    (run_dir / "vocabulary.json").unlink()
    with pytest.raises(UserError, match="missing file\\(s\\) vocabulary.json"):
        BaselineModel.from_dir(run_dir)


def test_other_baseline_format_version_is_refused(runs: dict, tmp_path: Path) -> None:
    import shutil

    run_dir = Path(shutil.copytree(runs["tfidf_logreg"][0], tmp_path / "copy"))
    params = json.loads((run_dir / "baseline.json").read_text())
    (run_dir / "baseline.json").write_text(json.dumps({**params, "format_version": 7}))
    record_checksum(run_dir, "baseline.json")  # as if saved that way: the file's own check
    with pytest.raises(UserError, match="baseline.json: baseline format version 7"):
        BaselineModel.from_dir(run_dir)


def test_config_is_saved_resolved(runs: dict) -> None:
    run_dir, _, config = runs["nbsvm"]
    saved = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert saved["baseline"]["kind"] == "nbsvm"
    assert Path(saved["data"]["train"]).is_absolute()
