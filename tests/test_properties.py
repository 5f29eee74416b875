"""Property-based tests (Hypothesis): the tokenizer, the `--set` override parser, the CSV / TSV /
JSON Lines readers and prediction, on arbitrary input. Each property either holds or the
input is refused with a UserError; no other exception escapes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentiment_rnn.config import (
    Config,
    TokenizerConfig,
    apply_override,
    load_config,
    validate_config,
)
from sentiment_rnn.data.split import read_split
from sentiment_rnn.data.tokenizer import _encode_long, build_tokenizer, encode, truncate
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.texts import text_problem

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Any Unicode text Python can hand over as UTF-8: every category but lone surrogates (Cs),
# control characters and NUL included.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
TOKENIZER = build_tokenizer(
    ["the plot was not good", "a superb cast, isn't it?", "電影 很好", "😀 great fun", "dull dull"],
    TokenizerConfig(),
)
VOCAB_SIZE = TOKENIZER.get_vocab_size()


# --- tokenizer ------------------------------------------------------------------------------


@FEW
@given(
    texts=st.lists(TEXT, min_size=1, max_size=5),
    max_length=st.none() | st.integers(1, 20),
    truncation=st.sampled_from(["head", "tail", "head_tail"]),
)
def test_encode_never_fails_and_gives_ids_in_range(texts, max_length, truncation) -> None:
    ids = encode(TOKENIZER, texts, max_length, truncation)
    assert len(ids) == len(texts)
    full = encode(TOKENIZER, texts)
    for seq, whole, text in zip(ids, full, texts):
        assert 1 <= len(seq) <= (max_length or len(seq))
        assert all(isinstance(i, int) and 0 <= i < VOCAB_SIZE for i in seq)
        assert seq == encode(TOKENIZER, [text], max_length, truncation)[0]  # deterministic, alone
        assert seq == (whole if max_length is None else truncate(whole, max_length, truncation))
        if max_length is not None and len(whole) > max_length:  # truncation keeps real tokens
            head = {"head": max_length, "tail": 0, "head_tail": max_length // 3}[truncation]
            assert seq[:head] == whole[:head]
            assert seq[head:] == whole[len(whole) - (max_length - head):]


# Pieces that stress the cut points: the <br /> rule, contractions, clitics, hyphens, NFKC
# (no-break space, ligatures, combining marks), punctuation runs.
TRICKY = st.lists(
    st.sampled_from(["a", "B", "7", " ", "  ", "<br />", "< br/>", "<br", " />", "n't", "didnt",
                     "can", "not", "cannot", "'s", "-", "_", "!", "?", ".", "..", ",", ";", ":",
                     "\u00a0", "\ufb01", "e\u0301", "\u0301", "\u2019", "😀", "\x00", "\t", "\n"])
    | TEXT.filter(lambda t: len(t) < 5),
    max_size=60,
).map("".join)


@FEW
@given(text=TRICKY, piece=st.integers(1, 12))
def test_long_texts_encoded_in_pieces_give_the_same_ids(text: str, piece: int) -> None:
    assert _encode_long(TOKENIZER, text, piece) == TOKENIZER.encode(text).ids


@FEW
@given(ids=st.lists(st.integers(0, 99), max_size=60), max_length=st.integers(1, 30),
       policy=st.sampled_from(["head", "tail", "head_tail"]))
def test_truncate_keeps_at_most_max_length_in_order(ids, max_length, policy) -> None:
    kept = truncate(ids, max_length, policy)
    assert len(kept) == min(len(ids), max_length)
    positions = iter(range(len(ids)))  # kept is a subsequence of ids
    assert all(any(ids[p] == value for p in positions) for value in kept)


# --- prediction -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def predictor(trained_run: Path) -> Predictor:
    return Predictor.from_dir(trained_run)


@FEW
@given(text=TEXT)
def test_any_text_gets_an_answer_or_a_user_error_naming_it(predictor: Predictor, text: str) -> None:
    problem = text_problem(text)
    if problem is not None:
        with pytest.raises(UserError, match=f"^text 1 is {problem[:5]}"):
            predictor.predict([text])
        return
    (prediction,) = predictor.predict([text])
    assert prediction.label in predictor.labels
    assert abs(sum(prediction.probabilities.values()) - 1.0) < 1e-5


# --- the override parser --------------------------------------------------------------------

KNOWN_KEYS = [
    f"{section}.{key}" for section, field in Config.model_fields.items()
    if hasattr(field.annotation, "model_fields") for key in field.annotation.model_fields
]


@FEW
@given(
    key=st.sampled_from(KNOWN_KEYS) | st.text(max_size=30),
    value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
)
def test_any_override_applies_or_is_a_user_error(key: str, value: str) -> None:
    raw = {"model": {"cell": "gru"}}
    try:
        apply_override(raw, f"{key}={value}")
        config = validate_config(raw, "c.yaml")
    except UserError as err:
        assert "\n" not in str(err)
        return
    assert isinstance(config, Config)


def yaml_value(value) -> str:
    """`value` written as a YAML scalar or flow collection on one line; strings double-quoted
    (in plain or single-quoted style PyYAML writes U+0085 raw, which YAML reads as a line break)."""
    quoted = isinstance(value, str) or (isinstance(value, list) and value)
    text = yaml.safe_dump(value, default_flow_style=True, width=float("inf"), allow_unicode=True,
                          default_style='"' if quoted else None)
    return text.removesuffix("\n...\n").removesuffix("\n")


ROUND_TRIPS = st.one_of(
    st.tuples(st.just("training.epochs"), st.integers(1, 1000)),
    st.tuples(st.just("training.lr"), st.floats(1e-6, 10, allow_nan=False)),
    st.tuples(st.just("model.cell"), st.sampled_from(["rnn", "lstm", "gru"])),
    st.tuples(st.just("model.bidirectional"), st.booleans()),
    st.tuples(st.just("tokenizer.max_length"), st.none() | st.integers(1, 10**6)),
    st.tuples(st.just("data.text_column"), st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)),
    st.tuples(st.just("data.labels"), st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=10), max_size=4)),
    st.tuples(st.just("name"), st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)),
)


@FEW
@given(item=ROUND_TRIPS)
def test_a_valid_override_round_trips(item) -> None:
    key, value = item
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "c.yaml"
        path.write_text("training:\n  epochs: 3\n", encoding="utf-8")
        config = load_config(path, [f"{key}={yaml_value(value)}"])
    section, _, leaf = key.rpartition(".")
    found = getattr(getattr(config, section) if section else config, leaf)
    assert found == value
    again = validate_config(yaml.safe_load(config.to_yaml()), "again")  # and the saved config
    assert again == config


# --- readers --------------------------------------------------------------------------------

CELL = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80).filter(
    lambda s: s.strip() != ""
)
ROWS = st.lists(st.tuples(CELL, CELL), min_size=1, max_size=8)


def write_rows(path: Path, rows: list[tuple[str, str]], fmt: str) -> None:
    if fmt == "jsonl":
        data = "".join(json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\n" for t, y in rows)
        payload = data.encode("utf-8")
    else:  # CRLF line ends, so that the writer quotes a CR inside a text: a bare CR ends a line
        out = io.StringIO()
        writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\r\n")
        writer.writerow(["text", "label"])
        writer.writerows(rows)
        payload = out.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


@FEW
@given(rows=ROWS, fmt=st.sampled_from(["csv", "tsv", "jsonl"]), gz=st.booleans())
def test_written_rows_read_back_equal(rows, fmt: str, gz: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data.{fmt}{'.gz' if gz else ''}"
        write_rows(path, rows, fmt)
        split = read_split(path, "text", "label")
    assert split.texts == [t for t, _ in rows]
    assert split.labels == [y for _, y in rows]
    assert split.skipped == 0


@FEW
@given(rows=ROWS)
def test_rows_written_by_pandas_read_back_equal(rows) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["text", "label"])
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, jsonl_path = Path(tmp) / "a.csv", Path(tmp) / "a.jsonl"
        # QUOTE_ALL: with pandas' default (QUOTE_MINIMAL, "\n" line ends) a CR inside a text is
        # written bare, and any CSV reader, pandas' own included, reads it as a line break.
        frame.to_csv(csv_path, index=False, quoting=csv.QUOTE_ALL)
        frame.to_json(jsonl_path, orient="records", lines=True, force_ascii=False)
        for path in (csv_path, jsonl_path):
            split = read_split(path, "text", "label")
            assert (split.texts, split.labels) == ([t for t, _ in rows], [y for _, y in rows]), path


@FEW
@given(data=st.binary(max_size=400), name=st.sampled_from(
    ["a.csv", "a.tsv", "a.jsonl", "a.csv.gz", "a.jsonl.gz", "a.parquet"]
))
def test_garbage_bytes_are_read_or_refused_with_a_user_error(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            split = read_split(path, "text", "label")
        except UserError as err:
            assert str(path) in str(err) and "\n" not in str(err)
            return
    assert len(split.texts) == len(split.labels) >= 1
    assert all(isinstance(t, str) and t.strip() for t in split.texts)


@FEW
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20), max_size=5))
def test_garbage_text_in_a_header_file_is_read_or_refused(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.csv"
        path.write_text("text,label\n" + "\n".join(lines), encoding="utf-8")
        try:
            split = read_split(path, "text", "label", skip_bad_rows=True)
        except UserError as err:
            assert str(path) in str(err)
            return
    assert len(split.texts) == len(split.labels)
