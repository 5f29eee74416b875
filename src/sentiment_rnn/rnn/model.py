"""SentimentRNN: embedding -> recurrent encoder -> masked pooling over time -> linear head.

Batches are dense and right-padded. Padding never changes an answer:
- the forward direction reads each text left to right, so padding comes only after its real
  tokens and cannot reach their states;
- the backward direction reads each text reversed *within its own length* (the padding stays at
  the end), then the outputs are put back in reading order;
- pooling ignores padded positions, and `last` takes each direction's state after its last real token.
Each layer and direction is a single-layer `nn.RNN` / `nn.LSTM` / `nn.GRU`, so stacked
bidirectional encoders keep that guarantee layer after layer.
"""

from __future__ import annotations

import torch
from torch import nn

from sentiment_rnn.config import ModelConfig
from sentiment_rnn.data.tokenizer import PAD_ID
from sentiment_rnn.rnn.batching import iterate_batches

_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each row's first `length` steps, leaving the padding in place. x: (B, T, D)."""
    _, steps, features = x.shape
    positions = torch.arange(steps, device=x.device).unsqueeze(0)  # (1, T)
    last = (lengths - 1).unsqueeze(1)  # (B, 1)
    index = torch.where(positions <= last, last - positions, positions)  # (B, T)
    return x.gather(1, index.unsqueeze(-1).expand(-1, -1, features))


class RecurrentEncoder(nn.Module):
    """Stacked, optionally bidirectional, recurrent layers that are exact under right padding."""

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        split_input: bool = False,
    ) -> None:
        """`split_input`: layer 0's forward direction reads the first half of each input vector,
        the backward direction the second half (one embedding per direction)."""
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"unknown cell {cell!r}; options are {', '.join(_CELLS)}")
        directions = 2 if bidirectional else 1
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        self.forward_layers = nn.ModuleList()
        self.backward_layers = nn.ModuleList()
        self.split_input = split_input and bidirectional
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * directions
            if layer == 0 and self.split_input:
                size = input_size // 2
            self.forward_layers.append(_CELLS[cell](size, hidden_size, batch_first=True))
            if bidirectional:
                self.backward_layers.append(_CELLS[cell](size, hidden_size, batch_first=True))
        self.dropout = nn.Dropout(dropout)
        self.output_size = hidden_size * directions

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """x: (B, T, input_size) -> outputs (B, T, output_size); padded positions hold junk."""
        for layer, forward_rnn in enumerate(self.forward_layers):
            if layer > 0:
                x = self.dropout(x)
            x_forward = x_backward = x
            if layer == 0 and self.split_input:
                x_forward, x_backward = x.chunk(2, dim=-1)  # (B, T, E) each
            outputs, _ = forward_rnn(x_forward)  # (B, T, H)
            if self.bidirectional:
                backward, _ = self.backward_layers[layer](reverse_within_length(x_backward, lengths))
                outputs = torch.cat([outputs, reverse_within_length(backward, lengths)], dim=-1)
            x = outputs
        return x


def masked_pool(
    outputs: torch.Tensor, lengths: torch.Tensor, pooling: str, bidirectional: bool
) -> torch.Tensor:
    """Pool encoder outputs (B, T, D) over each text's real positions -> (B, D) or (B, 2D)."""
    steps = outputs.shape[1]
    mask = torch.arange(steps, device=outputs.device).unsqueeze(0) < lengths.unsqueeze(1)  # (B, T)
    if pooling == "last":
        rows = torch.arange(outputs.shape[0], device=outputs.device)
        final = outputs[rows, lengths - 1]  # (B, D): forward state after the last token
        if not bidirectional:
            return final
        half = outputs.shape[-1] // 2
        return torch.cat([final[:, :half], outputs[:, 0, half:]], dim=-1)  # backward ends at t=0
    mask3 = mask.unsqueeze(-1)  # (B, T, 1)
    pooled = []
    if pooling in ("mean", "mean_max"):
        total = outputs.masked_fill(~mask3, 0.0).sum(dim=1)
        pooled.append(total / lengths.unsqueeze(1).to(outputs.dtype))
    if pooling in ("max", "mean_max"):
        pooled.append(outputs.masked_fill(~mask3, float("-inf")).amax(dim=1))
    if not pooled:
        raise ValueError(f"unknown pooling {pooling!r}; options are last, mean, max, mean_max")
    return torch.cat(pooled, dim=-1)


def prefix_pool(outputs: torch.Tensor, pooling: str) -> torch.Tensor:
    """One direction's outputs (T, D) of one text -> (T, D) or (T, 2D): row t pooled as
    `masked_pool` would pool the text ending at t (`last`: the output at t; running mean, max)."""
    steps = torch.arange(1, outputs.shape[0] + 1, device=outputs.device).unsqueeze(1)  # (T, 1)
    pooled = [outputs] if pooling == "last" else []  # the output at t is the state after t
    if pooling in ("mean", "mean_max"):
        pooled.append(outputs.cumsum(dim=0) / steps)  # (T, D) running mean
    if pooling in ("max", "mean_max"):
        pooled.append(outputs.cummax(dim=0).values)  # (T, D) running max
    return torch.cat(pooled, dim=-1)


class SentimentRNN(nn.Module):
    """Many-to-one recurrent classifier: token ids (B, T) and lengths (B,) -> logits (B, C)."""

    def __init__(self, vocab_size: int, num_classes: int, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        width = config.embedding_dim * (2 if config.embedding_per_direction else 1)
        self.embedding = nn.Embedding(vocab_size, width, padding_idx=PAD_ID)
        self.encoder = RecurrentEncoder(
            config.cell,
            width,
            config.hidden_size,
            config.num_layers,
            config.bidirectional,
            config.dropout,
            split_input=config.embedding_per_direction,
        )
        pooled = self.encoder.output_size * (2 if config.pooling == "mean_max" else 1)
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(pooled, num_classes)
        self._init_forget_gates()

    def _init_forget_gates(self) -> None:
        """LSTM forget-gate bias starts at 1 (Jozefowicz et al. 2015), so memory is kept early on."""
        if self.config.cell != "lstm":
            return
        for name, param in self.encoder.named_parameters():
            if "bias_ih" in name:
                hidden = param.shape[0] // 4
                with torch.no_grad():
                    param[hidden : 2 * hidden].fill_(1.0)

    def forward(self, input_ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        embedded = self.dropout(self.embedding(input_ids))  # (B, T, E)
        outputs = self.encoder(embedded, lengths)  # (B, T, D)
        pooled = masked_pool(outputs, lengths, self.config.pooling, self.config.bidirectional)
        return self.classifier(self.dropout(pooled))  # (B, C)

    @torch.no_grad()
    def prefix_logits(self, ids: list[int]) -> torch.Tensor:
        """Unidirectional model: logits (T, C) as if the text ended after each token, from one
        encoder pass (a bidirectional model's backward states depend on the end: run each prefix)."""
        if self.config.bidirectional:
            raise ValueError("prefix_logits needs a unidirectional model; run each prefix instead")
        self.eval()
        device = next(self.parameters()).device
        x = torch.tensor([ids], device=device)  # (1, T)
        outputs = self.encoder(self.embedding(x), torch.tensor([len(ids)], device=device))[0]  # (T, D)
        return self.classifier(prefix_pool(outputs, self.config.pooling)).float()  # (T, C)


def count_parameters(model: nn.Module) -> int:
    return sum(param.numel() for param in model.parameters())


@torch.no_grad()
def predict_logits(
    model: nn.Module, sequences: list[list[int]], batch_size: int, device: torch.device
) -> torch.Tensor:
    """Logits (N, C) in the order of `sequences`, computed in length-sorted batches."""
    model.eval()
    out: torch.Tensor | None = None
    for batch in iterate_batches(sequences, None, batch_size):
        batch = batch.to(device)
        logits = model(batch.input_ids, batch.lengths).float().cpu()
        if out is None:
            out = torch.empty(len(sequences), logits.shape[1])
        out[batch.index] = logits
    assert out is not None, "no sequences to predict"
    return out
