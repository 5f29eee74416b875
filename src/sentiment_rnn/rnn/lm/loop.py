"""One language model's training: truncated BPTT over batched streams.

The stream is cut into `batch_size` contiguous rows (B, W); step i of an epoch reads columns
[i*bptt, (i+1)*bptt) and predicts each next token. The LSTM state is carried from one step to
the next (detached, so gradients stop at the step boundary) and starts from zeros each epoch.
`DirectionTrainer` knows nothing of files or screens: the caller asks it for steps, for a record
(with validation perplexity), and for its full state, and can build one again from such a state.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from sentiment_rnn.config import PretrainConfig
from sentiment_rnn.rnn.lm.corpus import batchify
from sentiment_rnn.rnn.lm.model import LanguageModel, State, detach_state

DIRECTIONS = ("forward", "backward")


@dataclass
class LMState:
    """Where one direction's training stands at a step boundary."""

    direction: str
    step: int
    total_steps: int
    seconds: float
    tokens: int
    history: list[dict]
    model: dict[str, torch.Tensor]
    optimizer: dict
    scheduler: dict
    generator: torch.Tensor
    hidden: State | None
    fingerprints: dict[str, str] = field(default_factory=dict)
    finished: str | None = None  # "completed", "time budget", or None while training
    elapsed: float = 0.0  # wall-clock seconds of pretraining so far (what the time budget counts)


def seed_for(seed: int, direction: str) -> int:
    """Each direction's own seed: its initialisation and dropout do not depend on the other."""
    return (seed + DIRECTIONS.index(direction)) % 2**63


def warmup_linear(total_steps: int, warmup_fraction: float):
    warmup = max(1, round(warmup_fraction * total_steps))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return factor


class DirectionTrainer:
    """Trains one LanguageModel on one direction's stream; steps are the unit of everything."""

    def __init__(
        self, direction: str, model: LanguageModel, train: torch.Tensor, valid: torch.Tensor,
        config: PretrainConfig, device: torch.device, seed: int,
    ) -> None:
        self.direction, self.model, self.config, self.device = direction, model, config, device
        self.data = batchify(train, config.batch_size)  # (B, W)
        self.valid = valid
        self.steps_per_epoch = math.ceil((self.data.shape[1] - 1) / config.bptt)
        self.total_steps = config.epochs * self.steps_per_epoch
        self.optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, warmup_linear(self.total_steps, config.warmup_fraction)
        )
        self.generator = torch.Generator().manual_seed(seed_for(seed, direction))
        self.step, self.tokens, self.seconds, self.elapsed = 0, 0, 0.0, 0.0
        self.hidden: State | None = None
        self.history: list[dict] = []
        self.finished: str | None = None
        self._loss_sum, self._loss_tokens = 0.0, 0  # since the last record

    @property
    def done(self) -> bool:
        return self.finished is not None or self.step >= self.total_steps

    def train_step(self) -> float:
        """One BPTT window of every row: forward, backward, clip, AdamW. Returns its loss."""
        start_time = time.perf_counter()
        index = self.step % self.steps_per_epoch
        if index == 0:
            self.hidden = None  # each epoch starts from a zero state
        start = index * self.config.bptt
        length = min(self.config.bptt, self.data.shape[1] - 1 - start)
        inputs = self.data[:, start : start + length].to(self.device)  # (B, T)
        targets = self.data[:, start + 1 : start + 1 + length].to(self.device)  # (B, T)
        self.model.train()
        outputs, hidden = self.model(inputs, self.hidden, self.generator)
        loss = self.model.loss(outputs, targets)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.config.clip_grad_norm)
        self.optimizer.step()
        self.scheduler.step()
        self.hidden = detach_state(hidden)
        self.step += 1
        value, count = loss.item(), targets.numel()
        self._loss_sum += value * count
        self._loss_tokens += count
        self.tokens += count
        self.seconds += time.perf_counter() - start_time
        return value

    @torch.no_grad()
    def validate(self) -> float:
        """Mean NLL per token on the held-out stream (no dropout, state carried)."""
        self.model.eval()
        rows = max(1, min(self.config.batch_size, (len(self.valid) - 1) // self.config.bptt))
        data = self.valid[: (len(self.valid) // rows) * rows].view(rows, -1)  # (R, W)
        total, count, state = 0.0, 0, None
        for start in range(0, data.shape[1] - 1, self.config.bptt):
            length = min(self.config.bptt, data.shape[1] - 1 - start)
            inputs = data[:, start : start + length].to(self.device)
            targets = data[:, start + 1 : start + 1 + length].to(self.device)
            outputs, state = self.model(inputs, state)
            total += float(self.model.loss(outputs, targets)) * targets.numel()
            count += targets.numel()
        return total / max(count, 1)

    def record(self) -> dict:
        """Train loss since the last record, validation loss and perplexity: one history line."""
        train_loss = self._loss_sum / max(self._loss_tokens, 1)
        valid_loss = self.validate()
        record = {
            "direction": self.direction, "step": self.step, "total_steps": self.total_steps,
            "epoch": round(self.step / self.steps_per_epoch, 4), "tokens": self.tokens,
            "train_loss": train_loss, "train_perplexity": math.exp(min(train_loss, 50)),
            "valid_loss": valid_loss, "valid_perplexity": math.exp(min(valid_loss, 50)),
            "seconds": self.seconds, "tokens_per_second": self.tokens / max(self.seconds, 1e-9),
        }
        self.history.append(record)
        self._loss_sum, self._loss_tokens = 0.0, 0
        return record

    def snapshot(self) -> LMState:
        return LMState(
            direction=self.direction, step=self.step, total_steps=self.total_steps,
            seconds=self.seconds, tokens=self.tokens, history=list(self.history),
            model=self.model.state_dict(), optimizer=self.optimizer.state_dict(),
            scheduler=self.scheduler.state_dict(), generator=self.generator.get_state(),
            hidden=self.hidden, finished=self.finished, elapsed=self.elapsed,
        )

    def restore(self, state: LMState) -> None:
        """Continue from a snapshot exactly: same weights, optimizer, schedule, state, masks."""
        self.model.load_state_dict(state.model)
        self.optimizer.load_state_dict(state.optimizer)
        self.scheduler.load_state_dict(state.scheduler)
        self.generator.set_state(state.generator)
        self.step, self.tokens, self.seconds = state.step, state.tokens, state.seconds
        self.history, self.finished = list(state.history), state.finished
        self.elapsed = state.elapsed
        self.hidden = None if state.hidden is None else [
            (h.to(self.device), c.to(self.device)) for h, c in state.hidden
        ]
