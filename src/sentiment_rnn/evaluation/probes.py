"""Minimal-pair probes: does a model read negation, contrast, word order and intensifiers?

The built-in suite (`resources/probes.jsonl`, written for this project) has five groups of pairs
that differ in one thing. A probe file is JSON Lines, one object per line:

    {"group": "negation", "pair": "negation-01", "text": "The movie was not good.", "label": "negative"}

`text` and `label` are required; `group` (default "custom") and `pair` (texts sharing a pair id
are scored together) are optional. The built-in labels `positive` / `negative` are matched to a
model's `pos` / `neg` too; in a user's file, every label must be one of the model's own.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from sentiment_rnn.errors import UserError
from sentiment_rnn.texts import Classifier

GROUPS = ("negation", "negated_negative", "contrast", "word_order", "intensifier")
KEYS = ("group", "pair", "text", "label")
BUILTIN = "built-in"
_ALIASES = {"positive": ("positive", "pos"), "negative": ("negative", "neg")}
WORD_ORDER_NOTE = (
    "Each word_order pair has the same words in another order, with the opposite meaning. A bag "
    "of single words (unigrams) sees identical features for both texts, so it gives both the "
    "same answer by construction: it can pass at most one text of each pair and no whole pair. "
    "A bag of n-grams with n >= 2 also sees the word pairs where the reordered parts meet, such "
    "as 'good not' against 'bad not', so it can tell some pairs apart: from those local n-grams, "
    "not from the order of the clauses."
)


@dataclass
class Probe:
    group: str
    pair: str | None
    text: str
    label: str
    line: int


def as_numpy(probabilities) -> np.ndarray:
    """(N, C) probabilities from a torch tensor (the RNN) or an array (the baseline)."""
    if hasattr(probabilities, "detach"):
        probabilities = probabilities.detach().cpu().numpy()
    return np.asarray(probabilities, dtype=np.float64)


def read_probes(path: Path | None = None) -> tuple[list[Probe], str]:
    """The probes of a JSONL file (the built-in suite when `path` is None), and their source."""
    if path is None:
        text = resources.files("sentiment_rnn").joinpath("resources/probes.jsonl").read_text("utf-8")
        source = BUILTIN
    else:
        from sentiment_rnn.files import read_text_file

        text, source = read_text_file(path), str(path)
    probes = [
        _parse_line(line, number, source)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    if not probes:
        raise UserError(f"{source}: no probes; expected one JSON object per line")
    return probes, source


def _parse_line(line: str, number: int, source: str) -> Probe:
    where = f"{source}, line {number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise UserError(f"{where}: not valid JSON ({err.msg})") from None
    if not isinstance(item, dict):
        raise UserError(f"{where}: expected a JSON object with 'text' and 'label'")
    unknown = sorted(set(item) - set(KEYS))
    if unknown:
        raise UserError(f"{where}: unknown key(s) {unknown}; accepted: {list(KEYS)}")
    for key in ("text", "label"):
        value = item.get(key)
        if not isinstance(value, str | int) or not str(value).strip():
            raise UserError(f"{where}: {key!r} must be a non-empty string, got {value!r}")
    pair = item.get("pair")
    return Probe(
        str(item.get("group", "custom")), None if pair is None else str(pair),
        item["text"], str(item["label"]), number,
    )


def match_labels(probes: list[Probe], labels: list[str], source: str) -> list[str]:
    """Each probe's label as one of the model's labels; an unknown label is a UserError."""
    if source == BUILTIN:
        mapping = {}
        for name, aliases in _ALIASES.items():
            found = [label for label in labels if label.lower() in aliases]
            if len(found) != 1:
                raise UserError(
                    f"the built-in probes are labelled positive / negative and the model's labels "
                    f"{labels} have no single match for {name!r}; pass a probe file in your labels"
                )
            mapping[name] = found[0]
        return [mapping[probe.label] for probe in probes]
    for probe in probes:
        if probe.label not in labels:
            raise UserError(
                f"{source}, line {probe.line}: label {probe.label!r} is not one of the model's "
                f"labels {labels}"
            )
    return [probe.label for probe in probes]


def unigram_bag(text: str) -> Counter:
    """The multiset of words a unigram bag of words sees (the baseline's own normalisation)."""
    from sentiment_rnn.baseline.features import analyzer

    settings = {"lowercase": True, "ngram_range": (1, 1), "stop_words": None}
    return Counter(analyzer(settings)(text))


def run_probes(predictor: Classifier, path: Path | None = None) -> dict:
    """Pass rates per group and per pair, and every probe's answer, for one model."""
    probes, source = read_probes(path)
    expected = match_labels(probes, predictor.labels, source)
    probabilities = as_numpy(predictor.predict_proba([probe.text for probe in probes]))
    index = {label: i for i, label in enumerate(predictor.labels)}
    items = []
    for probe, label, row in zip(probes, expected, probabilities, strict=True):
        predicted = predictor.labels[int(row.argmax())]
        items.append({
            "group": probe.group, "pair": probe.pair, "text": probe.text, "label": label,
            "predicted": predicted, "p_label": float(row[index[label]]), "passed": predicted == label,
        })
    groups = {group: _group_summary([i for i in items if i["group"] == group]) for group in
              dict.fromkeys(item["group"] for item in items)}
    passed = sum(item["passed"] for item in items)
    return {
        "source": source,
        "labels": list(predictor.labels),
        "overall": {"total": len(items), "passed": passed, "pass_rate": passed / len(items)},
        "groups": groups,
        "items": items,
    }


def _group_summary(items: list[dict]) -> dict:
    passed = sum(item["passed"] for item in items)
    pairs: dict[str, list[dict]] = {}
    for item in items:
        if item["pair"] is not None:
            pairs.setdefault(item["pair"], []).append(item)
    summary = {"total": len(items), "passed": passed, "pass_rate": passed / len(items),
               "pairs": len(pairs), "pairs_passed": sum(all(i["passed"] for i in p) for p in pairs.values())}
    summary["pair_pass_rate"] = summary["pairs_passed"] / len(pairs) if pairs else None
    if items[0]["group"] == "word_order":
        summary["pairs_separated"] = sum(len({i["predicted"] for i in p}) > 1 for p in pairs.values())
        summary["pairs_same_unigrams"] = sum(
            all(unigram_bag(i["text"]) == unigram_bag(p[0]["text"]) for i in p) for p in pairs.values()
        )
        summary["note"] = WORD_ORDER_NOTE
    return summary
