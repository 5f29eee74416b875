"""`explain`: the trajectory is what the model says on each prefix, importance is occlusion, flips
land where a tiny model that learned negation changes its mind, and the outputs keep their shape.

The negation model is trained here in about a second (full-batch AdamW on a clause language in
which the last clause decides and "not" flips its adjective). Consistency tests use untrained
models: what they must match is the model itself, not a right answer.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from conftest import write_csv
from sentiment_rnn.baseline.features import stop_word_list
from sentiment_rnn.cli import app
from sentiment_rnn.config import validate_config
from sentiment_rnn.data.tokenizer import build_tokenizer, encode
from sentiment_rnn.evaluation.explain import (
    FOCUS,
    STRIDED_POINTS,
    explain_run,
    find_flips,
    largest_change,
)
from sentiment_rnn.rnn.batching import collate
from sentiment_rnn.rnn.model import SentimentRNN
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.rnn.run import Run, save_run

GOOD, BAD = ("good", "great", "fine"), ("bad", "awful", "dull")
LABELS = ["negative", "positive"]
CELLS, POOLINGS = ["rnn", "lstm", "gru"], ["last", "mean", "max", "mean_max"]
WORDS = "the movie was not good bad great awful plot cast dull and but , !".split()


def clause_rows(n: int, seed: int) -> list[tuple[str, str]]:
    """1-3 clauses ("the movie was not good"); the last clause's polarity is the label."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        clauses = []
        for _ in range(rng.randint(1, 3)):
            positive, negated = rng.random() < 0.5, rng.random() < 0.5
            adjective = rng.choice(GOOD if positive != negated else BAD)
            opener = rng.choice(["", "the movie was ", "it is "])
            clauses.append((f"{opener}{'not ' if negated else ''}{adjective}", positive))
        rows.append((" , ".join(c for c, _ in clauses), LABELS[clauses[-1][1]]))
    return rows


def make_run(path: Path, model_settings: dict, max_length: int | None = None, train=None) -> Run:
    """A run on the clause vocabulary: untrained, or trained full-batch on `train` rows."""
    config = validate_config(
        {"name": "explain-test", "seed": 0, "tokenizer": {"max_length": max_length},
         "model": {"embedding_dim": 8, "hidden_size": 8, "dropout": 0.0, **model_settings}},
        "test",
    )
    rows = train or clause_rows(200, 0)
    tokenizer = build_tokenizer([text for text, _ in rows], config.tokenizer)
    torch.manual_seed(0)
    model = SentimentRNN(tokenizer.get_vocab_size(), len(LABELS), config.model)
    if train is not None:
        ids = encode(tokenizer, [text for text, _ in rows])
        batch = collate(ids, [LABELS.index(label) for _, label in rows], list(range(len(rows))))
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.03)
        for _ in range(120):
            logits = model(batch.input_ids, batch.lengths)
            loss = torch.nn.functional.cross_entropy(logits, batch.labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    save_run(path, model, tokenizer, LABELS, config, {})
    return Run(path, config, LABELS, tokenizer, model, {"kind": "rnn"})


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """Tiny models run fastest on one thread, and stay fast on a busy machine (conftest restores
    the thread count after each test)."""
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def negation(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A unidirectional GRU that has learned the clause language (checked on held-out rows)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # module fixtures come before the autouse one
    try:
        run = make_run(tmp_path_factory.mktemp("negation"), {"cell": "gru", "hidden_size": 16,
                       "embedding_dim": 16, "bidirectional": False, "pooling": "last"},
                       train=clause_rows(600, 0))
    finally:
        torch.set_num_threads(threads)
    held_out = clause_rows(200, 1)
    predictions = Predictor(run).predict([text for text, _ in held_out])
    accuracy = np.mean([p.label == label for p, (_, label) in zip(predictions, held_out)])
    assert accuracy > 0.95, f"the negation model did not learn its language ({accuracy:.3f})"
    return run


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Baseline runs on the clause language: nbsvm, tfidf_logreg (stop words, sublinear tf),
    and a three-class one whose labels cannot match the RNN's."""
    from sentiment_rnn.baseline.train import train_baseline

    root = tmp_path_factory.mktemp("explain-baselines")
    rows = clause_rows(300, 2)
    data = {split: str(write_csv(root / f"{split}.csv", part)) for split, part in
            (("train", rows[:200]), ("dev", rows[200:250]), ("test", rows[250:]))}
    three = {"train": str(write_csv(root / "three.csv", rows[:200] + [("so so", "neutral")] * 20)),
             "dev": None, "test": None}
    runs = {}
    for name, data_section, baseline in (
        ("nbsvm", data, {"kind": "nbsvm"}),
        ("tfidf_logreg", data, {"kind": "tfidf_logreg", "stop_words": "english",
                                "sublinear_tf": True}),
        ("three", three, {"kind": "nbsvm"}),
    ):
        config = validate_config({"data": data_section, "baseline": baseline}, "test")
        runs[name], _ = train_baseline(config, root / name)
    return runs


def invoke(args: list) -> object:
    return CliRunner().invoke(app, ["explain", *map(str, args)])


def assert_one_line_error(result, needle: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], lines


def winners(result) -> list[str | None]:
    return [None if row is None else LABELS[int(np.argmax(row))] for row in result.trajectory]


# --- the negation model: flips where expected ---------------------------------------------------


@pytest.mark.parametrize("adjective", GOOD)
def test_not_flips_the_trajectory_at_the_adjective(negation: Run, adjective: str) -> None:
    plain, negated = explain_run(negation, adjective), explain_run(negation, f"not {adjective}")
    assert winners(plain) == ["positive"] and plain.label == "positive"
    assert winners(negated)[-1] == "negative" and negated.label == "negative"
    # after "bad ,", the same adjective turns the answer positive; after "bad , not" it does not
    after_bad = explain_run(negation, f"bad , {adjective}")
    assert winners(after_bad)[0] == "negative"
    assert after_bad.flips[-1]["to"] == "positive" and after_bad.flips[-1]["position"] in (1, 2)
    assert winners(explain_run(negation, f"bad , not {adjective}"))[-1] == "negative"
    # "good , not good": positive after the first clause, flips to negative in the second
    both = explain_run(negation, f"{adjective} , not {adjective}")
    assert winners(both)[0] == "positive" and both.label == "negative"
    assert both.flips[-1]["to"] == "negative" and both.flips[-1]["position"] in (2, 3)
    assert both.flips[-1]["token"] in ("not", adjective)


@pytest.mark.parametrize("adjective", BAD)
def test_not_before_a_negative_adjective_flips_to_positive(negation: Run, adjective: str) -> None:
    result = explain_run(negation, f"good , not {adjective}")
    assert winners(result)[0] == "positive" and result.label == "positive"
    assert winners(explain_run(negation, f"good , {adjective}"))[-1] == "negative"


def test_the_negation_carries_the_importance(negation: Run) -> None:
    result = explain_run(negation, "the movie was not good")
    assert result.label == "negative"
    ranked = sorted(range(len(result.tokens)), key=lambda t: -result.importance[t])
    assert set(result.tokens[t] for t in ranked[:2]) == {"not", "good"}, result.importance


# --- consistency with the model, for every cell, pooling and direction -------------------------


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("cell", CELLS)
def test_trajectory_is_the_model_on_each_prefix(
    tmp_path: Path, cell: str, pooling: str, bidirectional: bool
) -> None:
    run = make_run(tmp_path, {"cell": cell, "pooling": pooling, "bidirectional": bidirectional,
                              "num_layers": 2})
    text = "the movie was not good , but the cast was great !"
    result = explain_run(run, text)
    ids = encode(run.tokenizer, [text])[0]
    assert result.tokens == [run.tokenizer.id_to_token(i) for i in ids]
    with torch.no_grad():
        for t in range(len(ids)):
            logits = run.model(torch.tensor([ids[: t + 1]]), torch.tensor([t + 1]))
            expected = logits.softmax(dim=-1)[0]
            assert torch.allclose(torch.tensor(result.trajectory[t]), expected, atol=1e-5), t
    predicted = Predictor(run).predict_proba([text])[0]
    assert torch.allclose(torch.tensor(result.trajectory[-1]), predicted, atol=1e-5)
    assert torch.allclose(torch.tensor(result.probabilities), predicted, atol=1e-6)
    assert result.label == Predictor(run).predict([text])[0].label
    assert result.trajectory_method == ("prefix_runs" if bidirectional else "prefix_pooling")


@pytest.mark.parametrize("bidirectional", [False, True])
def test_importance_is_occlusion(tmp_path: Path, bidirectional: bool) -> None:
    run = make_run(tmp_path, {"cell": "lstm", "bidirectional": bidirectional})
    text = "the plot was dull but the cast was great"
    result = explain_run(run, text)
    ids, label = encode(run.tokenizer, [text])[0], LABELS.index(result.label)
    with torch.no_grad():
        for t in range(len(ids)):
            rest = ids[:t] + ids[t + 1 :]
            p = run.model(torch.tensor([rest]), torch.tensor([len(rest)])).softmax(dim=-1)[0]
            assert result.importance[t] == pytest.approx(result.probabilities[label] - float(p[label]),
                                                         abs=1e-5)


def test_flips_are_where_the_argmax_changes() -> None:
    probs = torch.tensor([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.45, 0.55], [0.8, 0.2]])
    flips = find_flips([0, 1, 2, 3, 4], probs, LABELS, list("abcde"))
    assert [(f["position"], f["token"], f["from"], f["to"]) for f in flips] == [
        (2, "c", "negative", "positive"), (4, "e", "positive", "negative")]
    assert largest_change([0, 1, 2, 3, 4], probs, 0) == 4  # 0.35 at e beats 0.3 at c
    assert largest_change([0, 1], torch.tensor([[0.9, 0.1], [0.7, 0.3]]), 0) == 1  # no flip


def test_truncation_is_reported_and_explained_as_read(tmp_path: Path) -> None:
    run = make_run(tmp_path, {"cell": "gru"}, max_length=10)
    words = [WORDS[i % len(WORDS)] for i in range(30)]
    text = " ".join(words)
    result = explain_run(run, text)
    assert result.truncation == {"tokens_in_text": 30, "tokens_read": 10, "dropped": 20,
                                 "max_length": 10, "policy": "head_tail",
                                 "kept_ranges": [[0, 3], [23, 30]]}
    assert result.words == words[:3] + words[23:]
    predicted = Predictor(run).predict_proba([text])[0]
    assert torch.allclose(torch.tensor(result.trajectory[-1]), predicted, atol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_long_text_is_explained_around_its_largest_flip(tmp_path: Path, bidirectional: bool) -> None:
    run = make_run(tmp_path, {"cell": "lstm", "bidirectional": bidirectional})
    rng = random.Random(3)
    text = " ".join(rng.choice(WORDS) for _ in range(3000))
    result = explain_run(run, text)
    assert len(result.tokens) == 3000 and result.truncation["dropped"] == 0
    evaluated = [t for t, row in enumerate(result.trajectory) if row is not None]
    if bidirectional:
        assert len(evaluated) <= STRIDED_POINTS + FOCUS + 1
        assert any("prefix runs every" in note for note in result.notes)
    else:
        assert evaluated == list(range(3000))
    computed = [t for t, value in enumerate(result.importance) if value is not None]
    assert len(computed) == FOCUS and computed == list(range(computed[0], computed[0] + FOCUS))
    assert result.focus in computed and set(computed) <= set(evaluated)
    predicted = Predictor(run).predict_proba([text])[0]
    assert torch.allclose(torch.tensor(result.trajectory[-1]), predicted, atol=1e-5)
    for flip in result.flips:
        assert winners(result)[flip["position"]] == flip["to"]


# --- the baseline --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["nbsvm", "tfidf_logreg"])
def test_baseline_occlusion_is_exact(baselines: dict[str, Path], kind: str) -> None:
    from sentiment_rnn.baseline.model import BaselineModel

    model = BaselineModel.from_dir(baselines[kind])
    words = "it is not good , the movie was not bad but the cast was dull".replace(",", "").split()
    texts = [" ".join(words)] + [" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))]
    # stop words are not features: BaselineModel.occluded_scores reads the words the baseline keeps
    kept = [w for w in words if w not in stop_word_list(model.settings["stop_words"])]
    assert len(kept) < len(words) if kind == "tfidf_logreg" else kept == words
    expected = model.decision_function([" ".join(kept)] + [
        " ".join(kept[:i] + kept[i + 1 :]) for i in range(len(kept))])
    np.testing.assert_allclose(model.occluded_scores(kept), expected, atol=1e-12)
    np.testing.assert_allclose(expected[0], model.decision_function(texts[:1])[0], atol=1e-12)


def test_baseline_side_by_side(negation: Run, baselines: dict[str, Path]) -> None:
    result = invoke(["the movie was good , it is not great !", "--model", negation.path,
                     "--baseline", baselines["tfidf_logreg"], "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    other = report["baseline"]
    assert other["kind"] == "tfidf_logreg" and other["importance_of"] == report["label"]
    tokens = [row["token"] for row in other["tokens"]]
    assert tokens == "the movie was good it is not great !".split()  # no "," in a bag of words
    for row in other["tokens"]:
        assert report["tokens"][row["rnn_position"]]["word"] == row["token"]
    stop = {row["token"] for row in other["tokens"] if row["stop_word"]}
    assert stop == {"the", "was", "it", "is"}  # english stop words; "not" is kept
    assert all(row["importance"] == 0.0 for row in other["tokens"] if row["stop_word"])
    assert any(row["importance"] != 0.0 for row in other["tokens"] if not row["stop_word"])
    table = invoke(["good , not good", "--model", negation.path, "--baseline", baselines["nbsvm"]])
    assert table.exit_code == 0 and "baseline (nbsvm)" in table.stdout


# --- the command line ----------------------------------------------------------------------------


def test_json_shape(negation: Run) -> None:
    result = invoke(["good , not good", "--model", negation.path, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format_version"] == 1
    assert set(report) == {"format_version", "model", "text", "labels", "label", "probabilities",
                           "trajectory_method", "importance_method", "importance_of", "truncation",
                           "unknown_words", "notes", "focus", "tokens", "flips", "baseline"}
    assert report["labels"] == LABELS and report["label"] == "negative"
    assert [row["token"] for row in report["tokens"]] == ["good", ",", "not", "good"]
    for position, row in enumerate(report["tokens"]):
        assert set(row) == {"position", "token", "word", "unknown", "probabilities", "importance",
                            "flip_to"}
        assert row["position"] == position
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
        assert isinstance(row["importance"], float)
    assert report["tokens"][-1]["probabilities"] == pytest.approx(report["probabilities"], abs=1e-5)
    assert {f["position"]: f["to"] for f in report["flips"]} == {
        row["position"]: row["flip_to"] for row in report["tokens"] if row["flip_to"]}
    assert report["baseline"] is None and report["unknown_words"] == []


def test_table_marks_flips_and_unknown_words(negation: Run) -> None:
    result = invoke(["good , not good zorblax", "--model", negation.path])
    assert result.exit_code == 0, result.output
    assert "→ negative" in result.stdout and "<unk> (zorblax)" in result.stdout
    assert "unknown words (read as <unk>): zorblax" in result.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_plot_is_a_png_of_sensible_size(negation: Run, tmp_path: Path) -> None:
    result = invoke(["the movie was good , it is not great", "--model", negation.path,
                     "--plot", tmp_path / "short.png"])
    assert result.exit_code == 0, result.output
    width, height = png_size(tmp_path / "short.png")
    assert 600 <= width <= 1200 and 500 <= height <= 900, (width, height)
    rng = random.Random(0)
    long_text = " ".join(rng.choice(WORDS) for _ in range(2000))
    result = invoke([long_text, "--model", negation.path, "--plot", tmp_path / "long.png",
                     "--format", "json"])
    assert result.exit_code == 0, result.output
    width, height = png_size(tmp_path / "long.png")
    assert 1200 <= width <= 2400 and 500 <= height <= 900, (width, height)  # 80 tokens, not 2000


def test_user_mistakes_are_one_line_errors(negation: Run, baselines: dict[str, Path]) -> None:
    assert_one_line_error(invoke(["", "--model", negation.path]), "empty")
    assert_one_line_error(invoke(["   ", "--model", negation.path]), "empty")
    assert_one_line_error(invoke(["zorblax quux", "--model", negation.path]), "vocabulary")
    assert_one_line_error(invoke(["good", "--model", baselines["nbsvm"]]), "a baseline run")
    assert_one_line_error(invoke(["good", "--model", negation.path, "--baseline",
                                  baselines["three"]]), "labels")
    assert_one_line_error(invoke(["good", "--model", negation.path, "--baseline",
                                  negation.path]), "baseline run")
    assert invoke(["good", "--model", negation.path, "--format", "xml"]).exit_code == 2
