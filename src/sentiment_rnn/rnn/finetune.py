"""Fine-tuning that keeps what was pretrained (Howard & Ruder 2018, ULMFiT):

- layer groups, bottom to top: the embedding, each recurrent layer (both directions), the head;
- discriminative learning rates: each group below the head learns `discriminative_lr` times
  more slowly than the one above it (ULMFiT: 2.6);
- gradual unfreezing: epoch 1 trains the head alone, each later epoch one more group down;
- the slanted-triangular schedule: a short linear warm-up to the peak, then a long linear
  decay to 1/32 of it.
"""

from __future__ import annotations

import math

from torch import nn

from sentiment_rnn.config import TrainingConfig

STLR_RATIO = 32  # lowest learning rate = peak / 32 (ULMFiT)


def layer_groups(model: nn.Module) -> list[list[nn.Parameter]]:
    """The classifier's parameters in groups, bottom (embedding) to top (head)."""
    encoder = model.encoder
    groups = [list(model.embedding.parameters())]
    for k, forward in enumerate(encoder.forward_layers):
        layer = list(forward.parameters())
        if encoder.bidirectional:
            layer += list(encoder.backward_layers[k].parameters())
        groups.append(layer)
    groups.append(list(model.classifier.parameters()))
    return groups


def param_groups(model: nn.Module, config: TrainingConfig) -> list[dict]:
    """AdamW parameter groups: one per layer group, with its learning rate. Parameters frozen
    for good (`model.freeze_embeddings`) are left out."""
    groups = layer_groups(model)
    factor = config.discriminative_lr or 1.0
    top = len(groups) - 1
    return [
        {"params": [p for p in group if p.requires_grad], "lr": config.lr / factor ** (top - g)}
        for g, group in enumerate(groups)
        if any(p.requires_grad for p in group)
    ]


def unfreeze_for_epoch(model: nn.Module, epoch: int, frozen_for_good: set[int]) -> int:
    """Gradual unfreezing: in epoch e (from 1) the top e groups train, the others are frozen.
    Returns how many groups train. `frozen_for_good`: ids of parameters never to train."""
    groups = layer_groups(model)
    trainable = min(epoch, len(groups))
    for g, group in enumerate(groups):
        for param in group:
            param.requires_grad_(g >= len(groups) - trainable and id(param) not in frozen_for_good)
    return trainable


def slanted_triangular(total_steps: int, cut_fraction: float):
    """Learning-rate factor per step: up linearly for cut_fraction of the steps, then down."""
    cut = max(1, math.floor(total_steps * cut_fraction))

    def factor(step: int) -> float:
        if step < cut:
            p = step / cut
        else:
            p = max(0.0, 1 - (step - cut) / max(1, total_steps - cut))
        return (1 + p * (STLR_RATIO - 1)) / STLR_RATIO

    return factor
