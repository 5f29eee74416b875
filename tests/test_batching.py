"""Length-grouped batching: every text exactly once, little padding, seeded order."""

from __future__ import annotations

import random

import torch

from sentiment_rnn.rnn.batching import collate, iterate_batches, length_grouped_order, num_batches


def test_collate_pads_with_zero_and_keeps_lengths() -> None:
    batch = collate([[5, 6, 7], [8]], [1, 0], [10, 11])
    assert batch.input_ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert batch.lengths.tolist() == [3, 1]
    assert batch.labels.tolist() == [1, 0]
    assert batch.num_tokens == 4


def lengths_sample(n: int = 1000) -> list[int]:
    rng = random.Random(0)
    return [rng.randint(1, 400) for _ in range(n)]


def test_every_index_once_shuffled_or_not() -> None:
    lengths = lengths_sample()
    for generator in (None, torch.Generator().manual_seed(3)):
        batches = length_grouped_order(lengths, 32, generator)
        flat = [i for batch in batches for i in batch]
        assert sorted(flat) == list(range(len(lengths)))
        assert len(batches) == num_batches(len(lengths), 32)


def test_grouping_keeps_padding_small() -> None:
    lengths = lengths_sample()
    batches = length_grouped_order(lengths, 32, torch.Generator().manual_seed(0))
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert sum(lengths) / padded > 0.95  # random batches of these lengths would be near 0.5


def test_order_is_seeded_and_changes_between_epochs() -> None:
    lengths = lengths_sample()
    generator = torch.Generator().manual_seed(5)
    first = length_grouped_order(lengths, 32, generator)
    second = length_grouped_order(lengths, 32, generator)
    assert first != second
    assert first == length_grouped_order(lengths, 32, torch.Generator().manual_seed(5))


def test_iterate_batches_carries_labels_and_positions() -> None:
    sequences = [[1] * n for n in (3, 1, 2, 5)]
    labels = [0, 1, 2, 3]
    seen = {}
    for batch in iterate_batches(sequences, labels, batch_size=3):
        for position, label, length in zip(batch.index, batch.labels, batch.lengths, strict=True):
            seen[int(position)] = (int(label), int(length))
    assert seen == {i: (labels[i], len(sequences[i])) for i in range(4)}


def test_width_is_rounded_up_to_the_multiple() -> None:
    batch = collate([[5, 6, 7], [8]], None, [0, 1], pad_to_multiple=16)
    assert batch.input_ids.shape == (2, 16)
    assert batch.input_ids[0, 3:].eq(0).all() and batch.lengths.tolist() == [3, 1]
    widths = {b.input_ids.shape[1] for b in iterate_batches([[1] * n for n in range(1, 100)], None, 8)}
    assert widths and all(width % 16 == 0 for width in widths)
