"""The word-level tokenizer and vocabulary, built with Hugging Face `tokenizers`.

Normalisation: HTML line breaks (`<br />`) become spaces, curly apostrophes become straight ones,
negated contractions are split so that negation is its own token ("isn't" -> "is n't",
"can't" -> "ca n't", "dont" -> "do n't"), and the text is lowercased (configurable).
Pre-tokenisation splits on whitespace and punctuation. The vocabulary keeps `<pad>` (id 0) and
`<unk>` (id 1) first. The whole pipeline is saved in one standard `tokenizer.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

import numpy as np
from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel
from tokenizers.trainers import WordLevelTrainer

from sentiment_rnn.config import TokenizerConfig
from sentiment_rnn.errors import UserError

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
ENCODE_CHUNK = 2048  # texts per call into the Rust tokenizer
LONG_TEXT = 100_000  # characters: longer texts are encoded in pieces (an Encoding takes
# ~330 bytes per token: a 1 MB text would take ~70 MB at once, 10 MB ~700 MB)
# Where a text can be cut without changing its tokens: a space between ASCII letters or digits,
# or between two of these punctuation marks. No normaliser rule or token spans such a point.
_CUT = re.compile(r"(?<=[A-Za-z0-9]) (?=[A-Za-z0-9])|(?<=[!?.,;:])(?=[!?.,;:])")

# Contractions written without an apostrophe, as reviews often do ("didnt", "wasnt").
_BARE_NEGATIONS = (
    "do", "does", "did", "is", "was", "were", "are", "ca", "wo",
    "could", "would", "should", "has", "have", "had", "must", "need", "ai",
)


def normalizer(lowercase: bool) -> normalizers.Normalizer:
    """The text normalisation shared by the tokenizer and the bag-of-words baseline."""
    steps = [
        normalizers.NFKC(),
        normalizers.Replace(Regex(r"<\s*br\s*/?\s*>"), " "),
        normalizers.Replace(Regex(r"[\u2018\u2019\u02bc\u0060\u00b4]"), "'"),
    ]
    if lowercase:
        steps.append(normalizers.Lowercase())
    steps.append(normalizers.Replace(Regex(r"(?i)\bcannot\b"), "can not"))
    steps.append(normalizers.Replace(Regex(r"(?i)n't\b"), " n't"))
    # `Replace` has no capture groups: one look-behind rule covers every bare contraction.
    bare = "|".join(rf"\b{stem}" for stem in _BARE_NEGATIONS)
    steps.append(normalizers.Replace(Regex(rf"(?i)(?<={bare})nt\b"), " n't"))
    return normalizers.Sequence(steps)


def _pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    # The pattern matches the tokens themselves (invert=True), the rest (whitespace) is dropped:
    # "n't", clitics such as "'s", words and numbers (with inner hyphens or apostrophes kept:
    # "well-made", "it's"), then any other single symbol. One pass over the text.
    token = Regex(r"n't|'[a-zA-Z]+|[^\W_]+(?:[-'][^\W_]+)*|[^\s\w]|_")
    return pre_tokenizers.Split(token, behavior="removed", invert=True)


def build_tokenizer(texts: Iterable[str], config: TokenizerConfig) -> Tokenizer:
    """Fit the vocabulary on training texts."""
    texts = iter(texts)
    batches = iter(lambda: list(islice(texts, 1000)), [])  # batches run in parallel
    return build_tokenizer_from_chunks(batches, config)


def fit_rows(count: int, most: int | None, seed: int) -> np.ndarray | None:
    """Which of `count` training texts the vocabulary is fitted on (`tokenizer.fit_texts`):
    None for all of them, else `most` positions drawn at random (seeded), in ascending order.
    Word counts of a few hundred thousand reviews rank a 30,000-word vocabulary much as all of
    them do, at a fraction of the time (docs/scaling.md)."""
    if most is None or count <= most:
        return None
    return np.sort(np.random.default_rng(seed).choice(count, size=most, replace=False))


def build_tokenizer_from_chunks(chunks: Iterable[list[str]], config: TokenizerConfig) -> Tokenizer:
    """Fit the vocabulary on training texts given a chunk at a time: memory holds one chunk
    and the word counts, however many texts there are (the counts do not depend on the chunks)."""
    tokenizer = empty_tokenizer(config.lowercase)
    trainer = WordLevelTrainer(
        vocab_size=config.max_size or 2**31 - 1,
        min_frequency=config.min_freq,
        special_tokens=[PAD, UNK],
        show_progress=False,
    )
    # Long texts go in pieces (the same word counts): a 50 MB text at once took ~4 GB.
    batches = (
        [piece for text in chunk for piece in (pieces(text) if len(text) > LONG_TEXT else [text])]
        for chunk in chunks
    )
    tokenizer.train_from_iterator(batches, trainer=trainer)
    assert tokenizer.token_to_id(PAD) == PAD_ID and tokenizer.token_to_id(UNK) == UNK_ID
    return tokenizer


def empty_tokenizer(lowercase: bool) -> Tokenizer:
    """The pipeline (normaliser, pre-tokeniser) with no vocabulary yet."""
    tokenizer = Tokenizer(WordLevel(unk_token=UNK))
    tokenizer.normalizer = normalizer(lowercase)
    tokenizer.pre_tokenizer = _pre_tokenizer()
    return tokenizer


def load_tokenizer(path: Path) -> Tokenizer:
    """Load a saved `tokenizer.json`, checking it is one of ours."""
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as err:  # the Rust side raises a bare Exception on bad JSON
        raise UserError(f"{path}: not a valid tokenizer file ({err})") from None
    if tokenizer.token_to_id(PAD) != PAD_ID or tokenizer.token_to_id(UNK) != UNK_ID:
        raise UserError(f"{path}: expected {PAD} at id {PAD_ID} and {UNK} at id {UNK_ID}")
    _check_pipeline(tokenizer, path)
    return tokenizer


_PIPELINE = ("normalizer", "pre_tokenizer", "post_processor", "decoder", "truncation", "padding")


def _pipeline(tokenizer: Tokenizer) -> dict:
    data = json.loads(tokenizer.to_str())
    model = {key: data["model"].get(key) for key in ("type", "unk_token")}
    return {"model": model, **{key: data.get(key) for key in _PIPELINE}}


def _check_pipeline(tokenizer: Tokenizer, path: Path) -> None:
    """Only the pipeline `build_tokenizer` makes (with or without lowercasing) is accepted: a
    tokenizer.json can hold any regex, and a backtracking one panics inside the Rust library."""
    found = _pipeline(tokenizer)
    for lowercase in (True, False):
        reference = Tokenizer(WordLevel(unk_token=UNK))
        reference.normalizer = normalizer(lowercase)
        reference.pre_tokenizer = _pre_tokenizer()
        if found == _pipeline(reference):
            return
    differs = [key for key, value in found.items() if value != _pipeline(reference).get(key)]
    raise UserError(
        f"{path}: its {', '.join(differs)} is not the normalizer / pre-tokenizer pipeline this "
        "sentiment-rnn builds; a run's tokenizer.json is written by `train`, not by hand"
    )


def encode(
    tokenizer: Tokenizer,
    texts: Sequence[str],
    max_length: int | None = None,
    truncation: str = "head_tail",
    *,
    empty: tuple[int, ...] = (UNK_ID,),
) -> list[list[int]]:
    """Token ids of each text, truncated to `max_length` by the given policy: the one path from
    texts to ids (2,048 texts per call, long texts in pieces, so memory stays bounded).

    A text with no tokens at all (only markup, say) becomes `empty`: a single `<unk>`, so that
    the model reads at least one step (`empty=()` keeps it empty, for counting).
    """
    ids: list[list[int]] = []
    fill = list(empty)
    texts = list(texts)
    for start in range(0, len(texts), ENCODE_CHUNK):  # bounded memory: Encodings are large
        chunk = texts[start : start + ENCODE_CHUNK]
        if any(len(text) > LONG_TEXT for text in chunk):
            ids += [_encode_long(tokenizer, text) or list(fill) for text in chunk]
        else:
            ids += [encoding.ids or list(fill) for encoding in tokenizer.encode_batch_fast(chunk)]
    if max_length is not None:
        ids = [truncate(seq, max_length, truncation) for seq in ids]
    return ids


def _encode_long(tokenizer: Tokenizer, text: str, piece: int = LONG_TEXT // 4) -> list[int]:
    """The ids of `text`, encoded a piece of about `piece` characters at a time (`pieces`):
    the same ids as one call, in a fraction of the memory."""
    ids: list[int] = []
    for part in pieces(text, piece):
        ids += tokenizer.encode(part).ids
    return ids


def pieces(text: str, size: int = LONG_TEXT // 4) -> Iterator[str]:
    """`text` in pieces of about `size` characters, each cut at a point no token spans."""
    start = 0
    while start < len(text):
        cut = _CUT.search(text, start + size) if len(text) - start > 2 * size else None
        end = cut.start() if cut else len(text)
        yield text[start:end]
        start = end


def truncate(ids: list[int], max_length: int, policy: str) -> list[int]:
    """Keep the first (`head`), last (`tail`) or first third and last two thirds (`head_tail`)."""
    if len(ids) <= max_length:
        return ids
    if policy == "head":
        return ids[:max_length]
    if policy == "tail":
        return ids[-max_length:]
    head = max_length // 3
    return ids[:head] + ids[len(ids) - (max_length - head) :]
