"""The minimal-pair probe suite: its contents, scoring, user files and their errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.baseline.model import BaselineModel
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.config import validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.evaluation.probes import GROUPS, read_probes, run_probes, unigram_bag
from sentiment_rnn.rnn.predictor import Predictor


class Constant:
    """A fake model that gives every text the same probabilities."""

    def __init__(self, labels: list[str], row: list[float]) -> None:
        self.labels, self.row = labels, row

    def predict_proba(self, texts):
        return np.tile(self.row, (len(texts), 1))


def pairs_of(group: str) -> list[list]:
    probes, _ = read_probes()
    pairs: dict[str, list] = {}
    for probe in probes:
        if probe.group == group:
            pairs.setdefault(probe.pair, []).append(probe)
    return list(pairs.values())


def test_builtin_suite_has_every_group_in_pairs() -> None:
    probes, source = read_probes()
    assert source == "built-in"
    assert {probe.group for probe in probes} == set(GROUPS)
    for group in GROUPS:
        pairs = pairs_of(group)
        assert len(pairs) >= 8, group
        assert all(len(pair) == 2 for pair in pairs)
    assert {probe.label for probe in probes} == {"positive", "negative"}
    assert len({probe.text for probe in probes}) == len(probes)  # no text twice


@pytest.mark.parametrize("group", ["negation", "negated_negative", "contrast", "word_order"])
def test_pairs_flip_the_label(group: str) -> None:
    for first, second in pairs_of(group):
        assert first.label != second.label, first.text


def test_intensifiers_keep_the_label() -> None:
    for first, second in pairs_of("intensifier"):
        assert first.label == second.label, first.text


def test_word_order_pairs_have_identical_unigram_features() -> None:
    for first, second in pairs_of("word_order"):
        assert first.text != second.text
        assert unigram_bag(first.text) == unigram_bag(second.text), first.text
    assert unigram_bag("The film was good.") != unigram_bag("The film was not good.")


def test_a_unigram_bag_of_words_cannot_separate_word_order_pairs(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "data")
    config = validate_config(
        {**TINY_CONFIG, "data": data, "baseline": {"kind": "tfidf_logreg", "ngram_range": [1, 1]}}, "t"
    )
    model = BaselineModel.from_dir(train_baseline(config, tmp_path / "run")[0])
    result = run_probes(model)
    word_order = result["groups"]["word_order"]
    assert word_order["pairs_separated"] == 0
    assert word_order["pairs_passed"] == 0
    assert word_order["pass_rate"] == 0.5  # one of each pair, whatever the model says
    assert word_order["pairs_same_unigrams"] == word_order["pairs"]
    assert "by construction" in word_order["note"]


def test_rates_are_counted_per_group_and_pair() -> None:
    result = run_probes(Constant(["negative", "positive"], [0.2, 0.8]))
    negation = result["groups"]["negation"]
    assert (negation["passed"], negation["total"], negation["pairs_passed"]) == (10, 20, 0)
    intensifier = result["groups"]["intensifier"]
    expected = sum(probe.label == "positive" for pair in pairs_of("intensifier") for probe in pair)
    assert intensifier["passed"] == expected
    assert intensifier["pairs_passed"] == expected // 2
    assert result["overall"]["total"] == 102
    assert all(item["p_label"] in (0.2, 0.8) for item in result["items"])


def test_builtin_labels_match_pos_and_neg() -> None:
    result = run_probes(Constant(["neg", "pos"], [0.9, 0.1]))
    assert {item["label"] for item in result["items"]} == {"neg", "pos"}
    with pytest.raises(UserError, match="built-in probes are labelled positive / negative"):
        run_probes(Constant(["bad", "good"], [0.5, 0.5]))


def test_the_rnn_can_be_probed(trained_run: Path) -> None:
    result = run_probes(Predictor.from_dir(trained_run))
    assert result["overall"]["total"] == 102
    assert 0 <= result["overall"]["pass_rate"] <= 1
    assert set(result["groups"]) == set(GROUPS)


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def test_a_user_probe_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mine.jsonl", [
        {"group": "sarcasm", "pair": 1, "text": "Oh great, another sequel.", "label": "negative"},
        "",
        {"text": "Great sequel.", "label": "positive"},
    ])
    result = run_probes(Constant(["negative", "positive"], [0.6, 0.4]), path)
    assert result["source"] == str(path)
    assert Counter(item["group"] for item in result["items"]) == {"sarcasm": 1, "custom": 1}
    assert result["groups"]["sarcasm"]["pass_rate"] == 1.0
    assert result["groups"]["custom"]["pass_rate"] == 0.0


def test_an_unknown_label_is_named_with_file_and_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mine.jsonl", [
        {"text": "fine", "label": "positive"}, {"text": "meh", "label": "neutral"},
    ])
    with pytest.raises(UserError, match=r"mine.jsonl, line 2: label 'neutral' is not one of"):
        run_probes(Constant(["negative", "positive"], [0.5, 0.5]), path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        ('["a list"]', "line 1: expected a JSON object"),
        ('{"text": "fine"}', "line 1: 'label' must be a non-empty string"),
        ('{"text": "", "label": "positive"}', "line 1: 'text' must be a non-empty string"),
        ('{"text": "fine", "label": "positive", "lable": "x"}', "line 1: unknown key\\(s\\) \\['lable'\\]"),
    ],
)
def test_bad_probe_files_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [line])
    with pytest.raises(UserError, match=f"bad.jsonl, {message}"):
        read_probes(path)


def test_an_empty_or_missing_probe_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no probes"):
        read_probes(write_jsonl(tmp_path / "empty.jsonl", ["", "  "]))
    with pytest.raises(UserError, match="file not found"):
        read_probes(tmp_path / "absent.jsonl")
