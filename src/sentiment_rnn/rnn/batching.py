"""Length-grouped batches of token ids, padded into dense tensors.

On CPU a dense padded batch runs the recurrent kernels 10-20x faster than a `PackedSequence` of
mixed lengths, so batches are built from texts of similar length (little padding) and the model
masks what padding remains (see `model.py`), which keeps every answer exactly what the unpadded
text would give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from sentiment_rnn.data.tokenizer import PAD_ID

PAD_TO_MULTIPLE = 16  # batch widths: 16, 32, 48, ... (see `collate`)


@dataclass
class Batch:
    """`input_ids` (B, T) padded with PAD_ID, `lengths` (B,), `labels` (B,) or None, `index` (B,)."""

    input_ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor | None
    index: torch.Tensor  # positions of these texts in the original sequence

    def to(self, device: torch.device) -> Batch:
        labels = None if self.labels is None else self.labels.to(device)
        return Batch(self.input_ids.to(device), self.lengths.to(device), labels, self.index)

    @property
    def num_tokens(self) -> int:
        return int(self.lengths.sum())


def collate(
    sequences: Sequence[Sequence[int]],
    labels: Sequence[int] | None,
    index: Sequence[int],
    pad_to_multiple: int = 1,
) -> Batch:
    """Pad `sequences` (each at least one token long) into one dense batch.

    The width is rounded up to a multiple of `pad_to_multiple`: fewer distinct shapes means fewer
    kernels for oneDNN to build and cache (each cached LSTM kernel holds its own buffers).
    """
    lengths = torch.tensor([len(seq) for seq in sequences], dtype=torch.long)
    width = -(-int(lengths.max()) // pad_to_multiple) * pad_to_multiple
    input_ids = torch.full((len(sequences), width), PAD_ID, dtype=torch.long)
    for row, seq in enumerate(sequences):
        input_ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
    label_tensor = None if labels is None else torch.as_tensor(labels, dtype=torch.long)
    return Batch(input_ids, lengths, label_tensor, torch.as_tensor(index, dtype=torch.long))


def length_grouped_order(
    lengths: Sequence[int],
    batch_size: int,
    generator: torch.Generator | None = None,
    pool_batches: int = 50,
) -> list[list[int]]:
    """Indices grouped into batches of similar length.

    With a generator (training): shuffle, sort within pools of `pool_batches` batches, cut into
    batches, shuffle the batch order, so every epoch differs but padding stays small.
    Without (evaluation): sort everything by length, deterministically.
    """
    n = len(lengths)
    if generator is None:
        order = sorted(range(n), key=lambda i: lengths[i])
        return [order[i : i + batch_size] for i in range(0, n, batch_size)]
    order = torch.randperm(n, generator=generator).tolist()
    pool = batch_size * pool_batches
    batches: list[list[int]] = []
    for start in range(0, n, pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    permutation = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in permutation]


def iterate_batches(
    sequences: Sequence[Sequence[int]],
    labels: Sequence[int] | None,
    batch_size: int,
    generator: torch.Generator | None = None,
    pad_to_multiple: int = PAD_TO_MULTIPLE,
) -> Iterator[Batch]:
    """Dense, length-grouped batches over `sequences` (shuffled when a generator is given)."""
    lengths = sequence_lengths(sequences)
    for group in length_grouped_order(lengths, batch_size, generator):
        yield collate(
            [sequences[i] for i in group],
            None if labels is None else [labels[i] for i in group],
            group,
            pad_to_multiple,
        )


def sequence_lengths(sequences: Sequence[Sequence[int]]) -> list[int]:
    """The length of each sequence; from `lengths` when the sequence has it (the token cache's
    `TokenIds`), without reading the ids."""
    lengths = getattr(sequences, "lengths", None)
    return [len(seq) for seq in sequences] if lengths is None else lengths.tolist()


def num_batches(n: int, batch_size: int, pool_batches: int = 50) -> int:
    """How many batches `length_grouped_order` makes for n items, shuffled or not."""
    pool = batch_size * pool_batches
    full, rest = divmod(n, pool)
    return full * -(-pool // batch_size) + -(-rest // batch_size)
