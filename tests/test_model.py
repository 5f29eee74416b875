"""The network: shapes for every cell, exact padding invariance, learning a tiny batch."""

from __future__ import annotations

import itertools

import pytest
import torch

from sentiment_rnn.config import ModelConfig
from sentiment_rnn.rnn.model import SentimentRNN, masked_pool, predict_logits, reverse_within_length

CELLS = ("rnn", "lstm", "gru")
POOLINGS = ("last", "mean", "max", "mean_max")


def make(cell: str, bidirectional: bool, pooling: str = "mean_max", **kw) -> SentimentRNN:
    torch.manual_seed(0)
    config = ModelConfig(
        cell=cell, bidirectional=bidirectional, pooling=pooling,
        embedding_dim=12, hidden_size=10, **kw,
    )
    return SentimentRNN(vocab_size=40, num_classes=3, config=config).eval()


@pytest.mark.parametrize(("cell", "bidirectional"), list(itertools.product(CELLS, (False, True))))
@pytest.mark.parametrize("num_layers", [1, 2])
def test_output_shape(cell: str, bidirectional: bool, num_layers: int) -> None:
    model = make(cell, bidirectional, num_layers=num_layers)
    ids = torch.randint(2, 40, (5, 9))
    logits = model(ids, torch.tensor([9, 3, 1, 9, 5]))
    assert logits.shape == (5, 3)
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize(
    ("cell", "bidirectional", "pooling"), list(itertools.product(CELLS, (False, True), POOLINGS))
)
def test_padding_changes_no_logit(cell: str, bidirectional: bool, pooling: str) -> None:
    """A text alone, padded further, or batched with longer texts: the same logits (1e-5)."""
    model = make(cell, bidirectional, pooling, num_layers=2)
    torch.manual_seed(1)
    texts = [torch.randint(2, 40, (n,)) for n in (7, 1, 13, 4)]
    alone = torch.cat([model(t.unsqueeze(0), torch.tensor([len(t)])) for t in texts])
    width = 30  # pad every text well past the longest
    batch = torch.zeros(len(texts), width, dtype=torch.long)
    for row, t in enumerate(texts):
        batch[row, : len(t)] = t
        batch[row, len(t):] = torch.randint(2, 40, (width - len(t),)) * 0  # PAD_ID is 0
    together = model(batch, torch.tensor([len(t) for t in texts]))
    assert (together - alone).abs().max() < 1e-5


def test_padding_content_is_ignored_whatever_it_holds() -> None:
    """Even junk ids in the padded positions do not reach the answer (masking, not luck)."""
    model = make("lstm", True, "mean_max")
    ids = torch.randint(2, 40, (1, 6))
    junk = torch.cat([ids, torch.randint(2, 40, (1, 10))], dim=1)
    assert torch.allclose(model(ids, torch.tensor([6])), model(junk, torch.tensor([6])), atol=1e-6)


def test_reverse_within_length_keeps_padding_and_is_its_own_inverse() -> None:
    x = torch.arange(2 * 5).reshape(2, 5, 1).float()
    lengths = torch.tensor([3, 5])
    reversed_ = reverse_within_length(x, lengths)
    assert reversed_[0, :, 0].tolist() == [2, 1, 0, 3, 4]
    assert reversed_[1, :, 0].tolist() == [9, 8, 7, 6, 5]
    assert torch.equal(reverse_within_length(reversed_, lengths), x)


def test_last_pooling_takes_each_direction_final_state() -> None:
    outputs = torch.arange(1 * 4 * 4).reshape(1, 4, 4).float()  # D=4: forward 0:2, backward 2:4
    pooled = masked_pool(outputs, torch.tensor([3]), "last", bidirectional=True)
    assert pooled.tolist() == [[8.0, 9.0, 2.0, 3.0]]  # forward at t=2, backward at t=0


def test_mean_and_max_pooling_ignore_padding() -> None:
    outputs = torch.tensor([[[1.0], [3.0], [100.0]]])
    assert masked_pool(outputs, torch.tensor([2]), "mean", False).item() == 2.0
    assert masked_pool(outputs, torch.tensor([2]), "max", False).item() == 3.0


def test_plain_rnn_is_the_tanh_recurrence() -> None:
    """cell=rnn computes h_t = tanh(W_x x_t + W_h h_{t-1} + b), checked by hand."""
    model = make("rnn", False, "last")
    rnn = model.encoder.forward_layers[0]
    x = model.embedding(torch.tensor([[3, 7, 5]]))[0]
    h = torch.zeros(10)
    for x_t in x:
        h = torch.tanh(rnn.weight_ih_l0 @ x_t + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h + rnn.bias_hh_l0)
    got = model.encoder(x.unsqueeze(0), torch.tensor([3]))[0, -1]
    assert torch.allclose(got, h, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("cell", CELLS)
def test_overfits_a_tiny_batch(cell: str) -> None:
    model = make(cell, True, dropout=0.0)
    model.train()
    ids = torch.randint(2, 40, (8, 6))
    labels = torch.arange(8) % 3
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(150):
        loss = torch.nn.functional.cross_entropy(model(ids, torch.full((8,), 6)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05
    assert torch.equal(model(ids, torch.full((8,), 6)).argmax(1), labels)


def test_predict_logits_returns_the_original_order() -> None:
    model = make("gru", True)
    sequences = [[3, 4, 5, 6], [7], [8, 9], [10, 11, 12]]
    logits = predict_logits(model, sequences, batch_size=2, device=torch.device("cpu"))
    for row, seq in enumerate(sequences):
        alone = model(torch.tensor([seq]), torch.tensor([len(seq)]))
        assert torch.allclose(logits[row], alone[0], atol=1e-5)


def test_lstm_forget_gate_bias_starts_at_one() -> None:
    model = make("lstm", True)
    bias = model.encoder.forward_layers[0].bias_ih_l0
    assert torch.all(bias[10:20] == 1.0)
