"""LanguageModel: embedding -> stacked single-layer LSTMs -> adaptive (or full) softmax.

Each layer is its own single-layer `nn.LSTM`, named and shaped like one direction of the
classifier's `RecurrentEncoder`, so that `train` can copy the weights across unchanged (the
forward model into the forward direction, the backward model into the backward one).

Dropout follows AWD-LSTM (Merity et al. 2018): whole words dropped from the embedding matrix,
and one mask per sequence (the same at every time step) on the embeddings, between layers and on
the last layer's outputs. The masks come from a `torch.Generator` the caller owns, so that a
model's training depends on its own state alone: two models trained in one process, or in two,
give the same weights.
"""

from __future__ import annotations

import torch
from torch import nn

from sentiment_rnn.config import ModelConfig, PretrainConfig
from sentiment_rnn.data.tokenizer import PAD_ID

State = list[tuple[torch.Tensor, torch.Tensor]]  # per layer: (h, c), each (1, B, H)


def adaptive_cutoffs(cutoffs: list[int], vocab_size: int) -> list[int]:
    """The configured cluster boundaries that fit the vocabulary (none: a full softmax)."""
    return [cutoff for cutoff in cutoffs if cutoff < vocab_size - 1]


def _mask(shape: tuple[int, ...], p: float, generator: torch.Generator, like: torch.Tensor) -> torch.Tensor:
    """Inverted-dropout mask: 0 with probability p, else 1/(1-p); drawn on the CPU generator."""
    keep = torch.empty(shape).bernoulli_(1 - p, generator=generator).div_(1 - p)
    return keep.to(device=like.device, dtype=like.dtype)


class LanguageModel(nn.Module):
    """Next-token model over a stream: ids (B, T) -> hidden outputs (B, T, H); `loss` scores them."""

    def __init__(self, vocab_size: int, model: ModelConfig, pretrain: PretrainConfig) -> None:
        super().__init__()
        self.pretrain = pretrain
        self.embedding = nn.Embedding(vocab_size, model.embedding_dim, padding_idx=PAD_ID)
        self.layers = nn.ModuleList(
            nn.LSTM(model.embedding_dim if k == 0 else model.hidden_size, model.hidden_size,
                    batch_first=True)
            for k in range(model.num_layers)
        )
        cutoffs = adaptive_cutoffs(pretrain.cutoffs, vocab_size)
        self.adaptive = pretrain.softmax == "adaptive" and bool(cutoffs)
        if self.adaptive:
            self.head: nn.Module = nn.AdaptiveLogSoftmaxWithLoss(
                model.hidden_size, vocab_size, cutoffs, div_value=pretrain.div_value
            )
        else:
            self.head = nn.Linear(model.hidden_size, vocab_size)
        for layer in self.layers:  # forget-gate bias 1, as the classifier starts its LSTMs
            with torch.no_grad():
                layer.bias_ih_l0[model.hidden_size : 2 * model.hidden_size].fill_(1.0)

    def forward(
        self, ids: torch.Tensor, state: State | None = None, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, State]:
        """ids (B, T) -> (outputs (B, T, H) after output dropout, the final state per layer)."""
        p = self.pretrain
        drop = self.training and generator is not None
        weight = self.embedding.weight
        if drop and p.embedding_dropout > 0:
            weight = weight * _mask((weight.shape[0], 1), p.embedding_dropout, generator, weight)
        x = nn.functional.embedding(ids.long(), weight, PAD_ID)  # (B, T, E)
        batch = ids.shape[0]
        if drop and p.input_dropout > 0:
            x = x * _mask((batch, 1, x.shape[-1]), p.input_dropout, generator, x)
        new_state: State = []
        for k, layer in enumerate(self.layers):
            if k > 0 and drop and p.hidden_dropout > 0:
                x = x * _mask((batch, 1, x.shape[-1]), p.hidden_dropout, generator, x)
            x, (h, c) = layer(x, None if state is None else state[k])  # (B, T, H)
            new_state.append((h, c))
        if drop and p.output_dropout > 0:
            x = x * _mask((batch, 1, x.shape[-1]), p.output_dropout, generator, x)
        return x, new_state

    def loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood (nats per token) of targets (B, T) given outputs (B, T, H)."""
        flat = outputs.reshape(-1, outputs.shape[-1])  # (B*T, H)
        if self.adaptive:
            return self.head(flat, targets.reshape(-1).long()).loss
        return nn.functional.cross_entropy(self.head(flat), targets.reshape(-1).long())


def detach_state(state: State) -> State:
    return [(h.detach(), c.detach()) for h, c in state]
