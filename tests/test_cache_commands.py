"""`data` and `pretrain` through the token cache: the same figures and streams with the cache
on and off, and a second command on the same data is a hit that fits and encodes nothing.
(`compare` through the cache: tests/test_compare.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from conftest import TINY_CONFIG, make_rows, write_csv, write_dataset
from test_cache import cache_dir, config_for, entries  # noqa: F401 (cache_dir: a fixture)
from sentiment_rnn.config import validate_config
from sentiment_rnn.data import cache, lm_streams, tokens
from sentiment_rnn.data.dataset import load_dataset
from sentiment_rnn.data.inspection import inspect_data
from sentiment_rnn.data.tokenizer import UNK_ID, build_tokenizer, encode
from sentiment_rnn.render.tables import cache_tables
from sentiment_rnn.rnn.lm.corpus import build_corpus, stream_fingerprint


def no_fitting_or_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, fitting a tokenizer or encoding through the cache's builders fails the test."""
    def fail(*args, **kwargs):
        pytest.fail("a tokenizer was fitted or texts encoded on a cache hit")

    for module, name in ((tokens, "build_tokenizer_from_chunks"), (tokens, "build_tokenizer"),
                         (tokens, "encode"), (lm_streams, "build_tokenizer"), (lm_streams, "encode")):
        monkeypatch.setattr(module, name, fail)


def data_config(tmp_path: Path):
    data = write_dataset(tmp_path / "data")
    rows = make_rows(40, seed=5) + [("<br /><br />", "positive"), ("zzqx qqzx the plot", "negative")]
    data["dev"] = str(write_csv(tmp_path / "data" / "dev2.csv", rows))  # a text with no token, unknowns
    raw = {**TINY_CONFIG, "data": data, "tokenizer": {"max_length": 4, "truncation": "head_tail"}}
    return validate_config(raw, "tiny")


def test_data_gives_the_same_report_with_the_cache_off_and_on(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = data_config(tmp_path)
    with monkeypatch.context() as off:
        off.setenv(cache.ENV, "off")
        without = inspect_data(config)
    built = inspect_data(config)
    assert len(entries(cache_dir)) == 1
    with monkeypatch.context() as hit:
        no_fitting_or_encoding(hit)
        again = inspect_data(config)
    assert without == built == again
    assert entries(cache_dir) == [tokens.prepare_tokens(config.with_absolute_paths()).entry.name]
    assert without["splits"]["dev"]["empty_texts"] == 1 and without["splits"]["dev"]["truncated"] > 0


def test_the_entry_keeps_lengths_before_truncation_and_unknown_counts(tmp_path: Path, cache_dir: Path) -> None:
    """What `data` read before the cache: every text encoded whole, a text with no token empty."""
    config = data_config(tmp_path).with_absolute_paths()
    dataset = load_dataset(config.data, config.seed)
    tokenizer = build_tokenizer(dataset.train.texts, config.tokenizer)
    prepared = tokens.prepare_tokens(config)
    for name in ("train", "dev", "test"):
        ids = encode(tokenizer, getattr(dataset, name).texts, empty=())
        lengths, unknown = prepared.splits[name].counts
        assert lengths.tolist() == [len(seq) for seq in ids]
        assert unknown.tolist() == [seq.count(UNK_ID) for seq in ids]
    assert prepared.splits["dev"].counts[0].max() > config.tokenizer.max_length


def test_train_then_data_share_one_entry(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = data_config(tmp_path)
    tokens.prepare_tokens(config.with_absolute_paths())  # what `train` prepares
    monkeypatch.setattr(tokens, "build_tokenizer_from_chunks", lambda *a: pytest.fail("refitted"))
    inspect_data(config)
    assert len(entries(cache_dir)) == 1


def lm_config(tmp_path: Path, **tokenizer):
    unlabeled = tmp_path / "unlabeled.txt"
    unlabeled.write_text("\n".join(text for text, _ in make_rows(80, seed=11)) + "\n<br />\n", encoding="utf-8")
    raw = {**TINY_CONFIG, "data": write_dataset(tmp_path / "data"),
           "tokenizer": {**TINY_CONFIG["tokenizer"], **tokenizer},
           "pretrain": {"valid_fraction": 0.1, "unlabeled": [str(unlabeled)]}}
    return validate_config(raw, "tiny").with_absolute_paths()


def same_corpus(a, b) -> None:
    assert a.tokenizer.to_str(pretty=True) == b.tokenizer.to_str(pretty=True)
    assert torch.equal(a.train, b.train) and torch.equal(a.valid, b.valid)
    assert a.train.dtype == b.train.dtype == torch.int32
    assert torch.equal(a.hashes, b.hashes) and a.records == b.records
    assert stream_fingerprint(a) == stream_fingerprint(b)


def test_pretrain_streams_are_the_same_with_the_cache_off_and_on(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = lm_config(tmp_path)
    with monkeypatch.context() as off:
        off.setenv(cache.ENV, "off")
        without = build_corpus(config)
    built = build_corpus(config)
    with monkeypatch.context() as hit:
        no_fitting_or_encoding(hit)
        again = build_corpus(config)
    assert (without.cache_hit, built.cache_hit, again.cache_hit) == (None, False, True)
    same_corpus(without, built)
    same_corpus(without, again)
    assert len(entries(cache_dir)) == 1
    listed = cache.report(cache_dir)["entries"][0]
    assert listed["source"] == lm_streams.KIND and listed["examples"]["valid"] == without.records["valid_texts"]
    assert cache_tables(cache.report(cache_dir))  # the table renders such an entry


def test_pretrain_streams_get_a_new_entry_for_other_texts_or_settings(tmp_path: Path, cache_dir: Path) -> None:
    config = lm_config(tmp_path)
    first = build_corpus(config)
    assert build_corpus(lm_config(tmp_path, min_freq=2)).cache_hit is False
    assert build_corpus(lm_config(tmp_path, max_length=7)).cache_hit is True  # streams: whole texts
    unlabeled = config.pretrain.unlabeled[0]
    unlabeled.write_text(unlabeled.read_text(encoding="utf-8") + "one more unlabelled review\n", encoding="utf-8")
    changed = build_corpus(config)
    assert changed.cache_hit is False
    assert changed.records["unlabeled_texts"] == first.records["unlabeled_texts"] + 1
    assert len(entries(cache_dir)) == 3


@pytest.mark.parametrize("build", ["classifier splits", "pretraining streams"])
def test_a_full_disk_while_building_is_one_line_and_leaves_nothing(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, build: str
) -> None:
    import errno

    from sentiment_rnn.errors import UserError

    def no_space(self, *args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache.SplitWriter, "add", no_space)
    with pytest.raises(UserError, match=r"cannot write the token cache .*No space left.*SENTIMENT_RNN_CACHE"):
        if build == "classifier splits":
            tokens.prepare_tokens(config_for(write_dataset(tmp_path / "data")))
        else:
            build_corpus(lm_config(tmp_path))
    assert entries(cache_dir) == []
