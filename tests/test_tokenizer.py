"""The tokenizer: normalisation, negation kept visible, vocabulary limits, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentiment_rnn.config import TokenizerConfig
from sentiment_rnn.data.tokenizer import (
    PAD_ID,
    UNK_ID,
    build_tokenizer,
    encode,
    load_tokenizer,
    truncate,
)
from sentiment_rnn.errors import UserError

CORPUS = [
    "This movie isn't good.<br /><br />I didnt like it, and I can't recommend it!",
    "Don't miss it: a well-made film, 10/10. It's great.",
    "Not bad at all. The cast wasn’t bad either.",
    "good good good fine fine rare",
]


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer(CORPUS, TokenizerConfig())


def test_special_tokens_come_first(tokenizer) -> None:
    assert tokenizer.token_to_id("<pad>") == PAD_ID == 0
    assert tokenizer.token_to_id("<unk>") == UNK_ID == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This movie isn't good.", ["this", "movie", "is", "n't", "good", "."]),
        ("I didnt like it", ["i", "did", "n't", "like", "it"]),
        ("can't", ["ca", "n't"]),
        ("wasn’t bad", ["was", "n't", "bad"]),  # curly apostrophe
        ("Don't MISS it", ["do", "n't", "miss", "it"]),
        ("good.<br /><br />Not bad", ["good", ".", "not", "bad"]),
        ("well-made, 10/10!", ["well-made", ",", "10", "/", "10", "!"]),
    ],
)
def test_normalisation_and_negation(tokenizer, text: str, expected: list[str]) -> None:
    assert [t if tokenizer.token_to_id(t) is not None else "?" for t in tokenizer.encode(text).tokens] \
        == expected


def test_negation_token_is_in_the_vocabulary(tokenizer) -> None:
    assert tokenizer.token_to_id("n't") not in (None, UNK_ID)
    assert tokenizer.token_to_id("not") not in (None, UNK_ID)


def test_unknown_words_map_to_unk(tokenizer) -> None:
    assert encode(tokenizer, ["zyzzyva good"]) == [[UNK_ID, tokenizer.token_to_id("good")]]


def test_text_without_tokens_becomes_one_unk(tokenizer) -> None:
    assert encode(tokenizer, ["<br />", ""]) == [[UNK_ID], [UNK_ID]]


def test_lowercase_can_be_turned_off() -> None:
    cased = build_tokenizer(["Good good"], TokenizerConfig(lowercase=False))
    assert cased.token_to_id("Good") is not None and cased.token_to_id("good") is not None


def test_min_freq_and_max_size() -> None:
    texts = ["a a a b b c"]
    assert build_tokenizer(texts, TokenizerConfig(min_freq=2)).get_vocab_size() == 2 + 2
    assert build_tokenizer(texts, TokenizerConfig(max_size=3)).get_vocab_size() == 3
    top = build_tokenizer(texts, TokenizerConfig(max_size=3))
    assert top.token_to_id("a") is not None and top.token_to_id("b") is None


def test_round_trip_through_tokenizer_json(tokenizer, tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    loaded = load_tokenizer(path)
    assert encode(loaded, CORPUS) == encode(tokenizer, CORPUS)
    assert loaded.get_vocab() == tokenizer.get_vocab()


def test_load_refuses_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    path.write_text("{not json")
    with pytest.raises(UserError, match="not a valid tokenizer file"):
        load_tokenizer(path)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("head", [0, 1, 2, 3, 4, 5]), ("tail", [4, 5, 6, 7, 8, 9]), ("head_tail", [0, 1, 6, 7, 8, 9])],
)
def test_truncation_policies(policy: str, expected: list[int]) -> None:
    assert truncate(list(range(10)), 6, policy) == expected
    assert truncate([1, 2], 6, policy) == [1, 2]


def test_encode_applies_max_length(tokenizer) -> None:
    (ids,) = encode(tokenizer, ["good " * 50], max_length=7, truncation="head")
    assert len(ids) == 7


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_encodes_to_valid_ids_deterministically(tokenizer, text: str) -> None:
    first = encode(tokenizer, [text])[0]
    assert first == encode(tokenizer, [text])[0]
    assert len(first) >= 1
    assert all(0 <= i < tokenizer.get_vocab_size() for i in first)


@pytest.mark.slow
def test_a_text_over_long_text_is_encoded_in_pieces_to_the_same_ids(tokenizer) -> None:
    from sentiment_rnn.data.tokenizer import LONG_TEXT

    text = (" ".join(CORPUS) + " ") * (LONG_TEXT // 13)  # about 1.5 MB, cut many times
    assert len(text) > 10 * LONG_TEXT
    whole = tokenizer.encode(text).ids
    assert encode(tokenizer, [text, "good"]) == [whole, [tokenizer.token_to_id("good")]]
    for policy in ("head", "tail", "head_tail"):
        assert encode(tokenizer, [text], 30, policy) == [truncate(whole, 30, policy)]
