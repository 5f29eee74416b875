"""What the language models read: the token streams, built from the training split and unlabelled
text only.

Dev and test texts never enter a stream or the vocabulary: the labelled data is split exactly
as `train` splits it (same source, seed and fractions), the streams take the training split, and
any unlabelled text identical to a dev or test text is dropped (IMDB's unlabelled reviews repeat
some labelled ones). A seeded `valid_fraction` of the unlabelled texts (of the training texts
when there are none) is held out for validation perplexity. Each text becomes its tokens and
`<eos>`; the forward stream is their concatenation, the backward stream the same reversed, so
the backward model reads every review from its last token to its first.

The tokenizer and both streams come from the token cache (`data/lm_streams.py`), keyed by the
texts of the streams and the tokenizer settings: a second run on the same texts fits and encodes
nothing.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tokenizers import Tokenizer

from sentiment_rnn.config import Config
from sentiment_rnn.data.dataset import Dataset, load_dataset, split_records
from sentiment_rnn.data.lm_streams import stream_tokens
from sentiment_rnn.data.split import file_format, read_frame
from sentiment_rnn.errors import UserError

EOS = "<eos>"


@dataclass
class Corpus:
    """The streams, the tokenizer that made them, and what was read."""

    tokenizer: Tokenizer
    train: torch.Tensor  # (N,) int32 token ids, forward reading order
    valid: torch.Tensor  # (M,) int32, the held-out texts
    hashes: torch.Tensor  # (K,) int64, sorted: text_hash of every text in either stream
    records: dict = field(default_factory=dict)  # sources and counts, for metrics.json
    cache_hit: bool | None = None  # streams read from the token cache (None: the cache is off)

    def stream(self, split: str, direction: str) -> torch.Tensor:
        tokens = self.train if split == "train" else self.valid
        return tokens if direction == "forward" else tokens.flip(0)


def text_hash(text: str) -> int:
    """A 64-bit hash of a text (signed, to fit an int64 tensor)."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def hash_tensor(texts: list[str]) -> torch.Tensor:
    return torch.tensor(sorted({text_hash(text) for text in texts}), dtype=torch.int64)


def contains(hashes: torch.Tensor, texts: list[str]) -> list[int]:
    """Indices of `texts` whose hash is in the sorted tensor `hashes`."""
    if len(hashes) == 0 or not texts:
        return []
    probe = torch.tensor([text_hash(text) for text in texts], dtype=torch.int64)
    where = torch.searchsorted(hashes, probe).clamp(max=len(hashes) - 1)
    return torch.nonzero(hashes[where] == probe).flatten().tolist()


def read_unlabeled(path: Path, text_column: str) -> list[str]:
    """Unlabelled texts: a .txt file (one per line) or the text column of a csv/tsv/jsonl file."""
    if path.name.removesuffix(".gz").endswith(".txt"):
        from sentiment_rnn.files import read_text_file

        return [line for line in read_text_file(path).splitlines() if line.strip()]
    frame = read_frame(path, file_format(path))
    if text_column not in frame.columns:
        found = ", ".join(map(str, frame.columns))
        raise UserError(f"{path}: no text column {text_column!r}; columns found: {found}")
    return [str(value) for value in frame[text_column] if isinstance(value, str) and value.strip()]


def imdb_unlabeled(config: Config) -> list[str]:
    """IMDB's 50,000 unlabelled reviews, from data.path (unsup.csv(.gz) or aclImdb/train/unsup)."""
    from sentiment_rnn.data import corpora as datasets

    path = config.data.path
    if path is not None:
        for name in ("unsup.csv.gz", "unsup.csv"):
            if (path / name).is_file():
                return read_unlabeled(path / name, "text")
    root = datasets.locate_imdb(config.data)
    texts = datasets.read_imdb_unsup(root)
    if not texts:
        raise UserError(
            f"{root / 'train' / 'unsup'}: no unlabelled reviews found; "
            "set pretrain.imdb_unsup: false to pretrain on the training split alone"
        )
    return texts


def gather_texts(config: Config, dataset: Dataset) -> tuple[list[str], list[str], dict]:
    """(stream texts, held-out texts, records): never a dev or test text."""
    unlabeled: list[str] = []
    sources = []
    if config.data.source == "imdb" and config.pretrain.imdb_unsup:
        unlabeled += imdb_unlabeled(config)
        sources.append("imdb unsup")
    for path in config.pretrain.unlabeled:
        unlabeled += read_unlabeled(path, config.data.text_column)
        sources.append(str(path))
    held_out = dataset.dev.texts + ([] if dataset.test is None else dataset.test.texts)
    forbidden = hash_tensor(held_out)
    dropped = set(contains(forbidden, unlabeled))
    unlabeled = [text for i, text in enumerate(unlabeled) if i not in dropped]
    in_train = set(contains(forbidden, dataset.train.texts))  # a review in train and in test
    train_texts = [t for i, t in enumerate(dataset.train.texts) if i not in in_train]
    pool = unlabeled if unlabeled else train_texts
    order = list(range(len(pool)))
    random.Random(config.seed).shuffle(order)
    n_valid = max(1, round(len(pool) * config.pretrain.valid_fraction))
    valid_index = set(order[:n_valid])
    valid = [pool[i] for i in sorted(valid_index)]
    if unlabeled:
        stream = train_texts + [t for i, t in enumerate(unlabeled) if i not in valid_index]
    else:
        stream = [t for i, t in enumerate(train_texts) if i not in valid_index]
    records = {
        "train_split_texts": len(train_texts),
        "unlabeled_texts": len(unlabeled),
        "unlabeled_sources": sources,
        "dropped_as_dev_or_test": len(dropped) + len(dataset.train.texts) - len(train_texts),
        "stream_texts": len(stream),
        "valid_texts": len(valid),
        "valid_from": "unlabeled" if unlabeled else "train split",
        "labelled_splits": split_records(dataset),
    }
    return stream, valid, records


def build_corpus(config: Config, dataset: Dataset | None = None) -> Corpus:
    """Read the data as `train` would, build the tokenizer on the stream's texts, encode (or
    read both from the token cache)."""
    dataset = dataset or load_dataset(config.data, config.seed)
    stream_texts, valid_texts, records = gather_texts(config, dataset)
    found = stream_tokens({"train": stream_texts, "valid": valid_texts}, config.tokenizer, EOS)
    tokenizer = found.tokenizer
    train, valid = (torch.from_numpy(found.ids[name]) for name in ("train", "valid"))
    records.update(
        stream_tokens=len(train), valid_tokens=len(valid), vocab_size=tokenizer.get_vocab_size()
    )
    hashes = hash_tensor(stream_texts + valid_texts)
    return Corpus(tokenizer, train, valid, hashes, records, found.hit)


def stream_fingerprint(corpus: Corpus) -> str:
    """SHA-256 of both streams' token ids: a resumed run must read exactly the same tokens."""
    digest = hashlib.sha256(corpus.train.numpy().tobytes())
    digest.update(corpus.valid.numpy().tobytes())
    return digest.hexdigest()


def batchify(stream: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Cut a stream into `batch_size` contiguous rows: (B, N // B), the tail dropped."""
    width = len(stream) // batch_size
    if width < 2:
        raise UserError(
            f"the token stream has {len(stream):,} tokens, too few for pretrain.batch_size "
            f"{batch_size} (each row needs at least 2); lower the batch size or add text"
        )
    return stream[: width * batch_size].view(batch_size, width)
