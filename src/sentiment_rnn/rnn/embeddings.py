"""Initialising the embedding layer from a local GloVe or word2vec text file.

GloVe files hold `word v1 ... vD` per line; word2vec text files add a first line `N D`.
Words missing from the file keep their random initialisation.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer

from sentiment_rnn.errors import UserError


def load_pretrained(embedding: torch.nn.Embedding, tokenizer: Tokenizer, path: Path) -> float:
    """Copy vectors for known words into `embedding`; return the share of the vocabulary found.

    Lines are read as bytes and decoded one at a time, so a bad byte is reported on its own
    line; every value must be a finite number.
    """
    vocab = tokenizer.get_vocab()
    dim = embedding.embedding_dim
    found = 0
    try:
        handle = open(path, "rb")
    except OSError as err:
        raise UserError(f"{path}: cannot open embeddings file: {err.strerror}") from None
    with handle, torch.no_grad():
        for number, raw in enumerate(handle, start=1):
            where = f"{path}, line {number}"
            parts = _decode(raw, where).rstrip("\r\n").split(" ")
            if number == 1 and len(parts) == 2 and parts[0].isdigit():
                continue  # word2vec header "count dim"
            if len(parts) - 1 != dim:
                raise UserError(
                    f"{where}: {len(parts) - 1} values, but model.embedding_dim is {dim}; "
                    "set it to the file's dimension"
                )
            index = vocab.get(parts[0])
            if index is not None and index > 1:  # never overwrite <pad>, <unk>
                embedding.weight[index] = _vector(parts[1:], where)
                found += 1
    return found / max(1, len(vocab) - 2)


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{where}: not UTF-8 at byte {err.start} of the line ({err.reason})") from None


def _vector(values: list[str], where: str) -> torch.Tensor:
    try:
        vector = torch.tensor([float(x) for x in values])
    except ValueError:
        raise UserError(f"{where}: a value is not a number") from None
    if not bool(torch.isfinite(vector).all()):
        bad = next(x for x, ok in zip(values, torch.isfinite(vector).tolist(), strict=True) if not ok)
        raise UserError(f"{where}: {bad!r} is not a finite number; vectors hold finite values only")
    return vector
