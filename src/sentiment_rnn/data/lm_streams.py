"""The language models' token streams (`pretrain`), through the token cache (`data/cache.py`).

`pretrain` fits a tokenizer of its own on its stream texts (the training split and unlabelled
text, minus anything also in dev or test: `rnn/lm/corpus.py`) and reads every text as its
tokens followed by an end-of-text token, end to end. Which texts those are depends on the
filtering, so the texts are read and filtered on every run; what the entry saves is fitting the
tokenizer and encoding. Its key is a SHA-256 of everything the ids depend on: the texts of each
stream (SHA-256 of each, in order), the `tokenizer` section but `max_length` and `truncation`
(the streams read every text whole), the tokenizer's pipeline, the end-of-text token, the
`tokenizers` version and this package's version.

The entry has the layout of every entry, one "split" per stream ("train", "valid"), each text's
ids ending with the end-of-text id: the split's `ids.npy` is the stream itself. Its targets are
all 0 (no labels); its lengths count the end-of-text token. SENTIMENT_RNN_CACHE=off encodes in
memory as before, with no entry.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
import tokenizers
from tokenizers import Tokenizer

from sentiment_rnn import __version__
from sentiment_rnn.config import TokenizerConfig
from sentiment_rnn.data import cache
from sentiment_rnn.data.tokenizer import (
    ENCODE_CHUNK,
    UNK_ID,
    build_tokenizer,
    empty_tokenizer,
    encode,
)
from sentiment_rnn.errors import UserError

KIND = "language-model streams"
UNUSED = {"max_length", "truncation", "fit_texts"}  # streams: every text whole, and the
# vocabulary fitted on all of them (held in memory already): not in the key


@dataclass
class Streams:
    tokenizer: Tokenizer  # fitted on the "train" stream's texts, the end-of-text token added
    ids: dict[str, np.ndarray]  # (N,) int32 per stream: each text's ids, then end-of-text
    hit: bool | None  # read from the cache (False: built into it; None: the cache is off)


def stream_tokens(streams: dict[str, list[str]], settings: TokenizerConfig, eos: str) -> Streams:
    """The tokenizer fitted on `streams["train"]` (with `eos` added) and every stream's ids."""
    root = cache.cache_root()
    if root is None:
        tokenizer = _fit(streams["train"], settings, eos)
        ids = {name: _in_memory(tokenizer, texts, eos) for name, texts in streams.items()}
        return Streams(tokenizer, ids, None)
    key = stream_key(streams, settings, eos)
    entry = cache.open_entry(root, key)
    hit = entry is not None
    if entry is None:
        with cache.build_lock(root, key):  # another command building it: wait, then read it
            entry = cache.open_entry(root, key)
            hit = entry is not None
            if entry is None:
                _build(root, key, streams, settings, eos)
                entry = cache.open_entry(root, key)
        if entry is None:
            raise UserError(f"{root / key}: the token cache entry just written cannot be read")
    tokenizer = Tokenizer.from_str((entry.path / cache.TOKENIZER).read_text(encoding="utf-8"))
    ids = {name: np.array(entry.ids[name].ids, dtype=np.int32) for name in streams}  # a copy
    return Streams(tokenizer, ids, hit)


def stream_key(streams: dict[str, list[str]], settings: TokenizerConfig, eos: str) -> str:
    digests = {}
    for name, texts in streams.items():
        digest = hashlib.sha256()
        for text in texts:
            digest.update(json.dumps(text).encode("utf-8") + b"\n")  # one line per text
        digests[name] = digest.hexdigest()
    described = {
        "kind": KIND,
        "format": cache.FORMAT,
        "streams": digests,
        "tokenizer_config": settings.model_dump(mode="json", exclude=UNUSED),
        "pipeline": empty_tokenizer(settings.lowercase).to_str(),
        "eos": eos,
        "versions": [tokenizers.__version__, __version__],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode("utf-8")).hexdigest()


def _fit(texts: list[str], settings: TokenizerConfig, eos: str) -> Tokenizer:
    tokenizer = build_tokenizer(texts, settings)
    tokenizer.add_special_tokens([eos])
    return tokenizer


def _chunks(tokenizer: Tokenizer, texts: list[str], eos: str) -> Iterator[list[list[int]]]:
    """Each text's ids (a text with no token: `<unk>`, as `encode` gives) and end-of-text, a
    chunk of texts at a time: memory holds one chunk's lists, never all of them."""
    eos_id = tokenizer.token_to_id(eos)
    for start in range(0, len(texts), ENCODE_CHUNK):
        yield [seq + [eos_id] for seq in encode(tokenizer, texts[start : start + ENCODE_CHUNK])]


def _in_memory(tokenizer: Tokenizer, texts: list[str], eos: str) -> np.ndarray:
    chunks = _chunks(tokenizer, texts, eos)
    pieces = [np.fromiter(chain.from_iterable(chunk), dtype=np.int32) for chunk in chunks]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)


def _build(root: Path, key: str, streams: dict[str, list[str]], settings: TokenizerConfig, eos: str) -> None:
    started = time.perf_counter()
    with cache.EntryBuilder(root, key) as builder:
        tokenizer = _fit(streams["train"], settings, eos)
        for name, texts in streams.items():
            writer = builder.split(name)
            for chunk in _chunks(tokenizer, texts, eos):
                lengths, unknown = [len(seq) for seq in chunk], [seq.count(UNK_ID) for seq in chunk]
                writer.add(chunk, [0] * len(chunk), lengths, unknown)
            writer.finish()
        examples = {name: len(texts) for name, texts in streams.items()}
        about = {
            "source": KIND, "files": None, "examples": examples, "max_length": None,
            "truncation": None, "vocabulary": tokenizer.get_vocab_size(),
            "build_seconds": round(time.perf_counter() - started, 2),
        }
        splits = {name: {"num_examples": count} for name, count in examples.items()}
        builder.commit({"labels": [], "splits": splits, "about": about}, tokenizer.to_str())
