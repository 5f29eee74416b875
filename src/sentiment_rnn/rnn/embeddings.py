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
    """Copy vectors for known words into `embedding`; return the share of the vocabulary found."""
    vocab = tokenizer.get_vocab()
    dim = embedding.embedding_dim
    found = 0
    try:
        handle = open(path, encoding="utf-8", errors="strict")
    except OSError as err:
        raise UserError(f"{path}: cannot open embeddings file: {err.strerror}") from None
    with handle, torch.no_grad():
        try:
            for line_number, line in enumerate(handle, start=1):
                parts = line.rstrip("\n").split(" ")
                if line_number == 1 and len(parts) == 2 and parts[0].isdigit():
                    continue  # word2vec header "count dim"
                if len(parts) - 1 != dim:
                    raise UserError(
                        f"{path}, line {line_number}: {len(parts) - 1} values, but "
                        f"model.embedding_dim is {dim}; set it to the file's dimension"
                    )
                index = vocab.get(parts[0])
                if index is not None and index > 1:  # never overwrite <pad>, <unk>
                    embedding.weight[index] = torch.tensor([float(x) for x in parts[1:]])
                    found += 1
        except UnicodeDecodeError as err:
            raise UserError(f"{path}, line {line_number}: not UTF-8 ({err.reason})") from None
        except ValueError:
            raise UserError(f"{path}, line {line_number}: a value is not a number") from None
    return found / max(1, len(vocab) - 2)
