"""Data-parallel training under torchrun: DistributedDataParallel over the length-grouped batches.

`torchrun --nproc_per_node=N -m sentiment_rnn train ...` starts N copies of the program with
WORLD_SIZE, RANK and LOCAL_RANK in their environment; `process_group` (entered by the CLI, the
entry point) joins them with torch.distributed: gloo on the CPU, nccl on CUDA (one GPU per
local rank). Without that environment, or with WORLD_SIZE=1, nothing here starts anything and
every helper answers as a single process would (rank 0 of 1), so a plain run is unchanged.

How the work is shared (docs/scaling.md, "Data-parallel training with torchrun"):

- `training.batch_size` is the global batch: every rank draws the same shuffled, length-grouped
  batches (same seed), and each global batch is dealt across the ranks, rank r taking texts
  r, r+N, r+2N, ... of it. The texts of a batch are sorted by length, so every rank's share has
  about the same lengths and no rank waits on another's padding.
- Each rank's loss is its share's summed cross-entropy times N / (global batch size); DDP
  averages the gradients over the N ranks, which gives the single-process gradient of the
  global batch's mean loss. A rank whose share is empty (a last batch of fewer than N texts)
  runs one text at weight 0, so every rank takes part in every step and none waits forever.
- Rank 0 evaluates the dev split alone and sends the figures to the others, so every rank takes
  the same early-stopping decision; rank 0 alone writes anything.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence

import torch
import torch.distributed as dist
from torch import nn

from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.batching import (
    PAD_TO_MULTIPLE,
    Batch,
    collate,
    iterate_batches,
    length_grouped_order,
    sequence_lengths,
)

_ready_voted = False  # this process has cast its vote in `ready` (or had nothing to vote on)


def launched() -> bool:
    """True when a launcher (torchrun) started this process as one of several."""
    return _env_int("WORLD_SIZE", 1) > 1


def refuse_launched(command: str, why: str) -> None:
    """A one-line error for a command that is not distributed, when torchrun started it."""
    if launched():
        raise UserError(
            f"{command} under torchrun (WORLD_SIZE={os.environ['WORLD_SIZE']}): {why}; "
            "run it without torchrun"
        )


def train_command() -> str:
    """How to start `train` again with this world size (for a resume hint)."""
    size, local = world_size(), _env_int("LOCAL_WORLD_SIZE", 1)
    if size == 1:
        return "sentiment-rnn train"
    if size == local:
        return f"torchrun --nproc_per_node={size} -m sentiment_rnn train"
    return f"torchrun (the same --nnodes and --nproc_per_node: world size {size}) -m sentiment_rnn train"


def threads_per_rank() -> int | None:
    """The default thread count of a rank: the usable CPUs shared among the ranks of this node
    (None in a plain run: `runtime.scoped` takes them all)."""
    if not dist.is_initialized():
        return None
    from sentiment_rnn.rnn.runtime import usable_cpus

    return max(1, usable_cpus() // _env_int("LOCAL_WORLD_SIZE", 1))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise UserError(
            f"environment variable {name}={value!r}: expected a whole number (torchrun sets it)"
        ) from None


def rank() -> int:
    return dist.get_rank() if dist.is_initialized() else 0


def world_size() -> int:
    return dist.get_world_size() if dist.is_initialized() else 1


def is_main() -> bool:
    """Rank 0, the only process that writes files or prints (always true in a plain run)."""
    return rank() == 0


@contextlib.contextmanager
def process_group(device: str) -> Iterator[None]:
    """Join the other processes torchrun started, for the duration of the block (a plain run:
    nothing). `device` is `training.device`: CUDA means nccl and this rank's GPU, else gloo.
    An error on this rank before `ready` tells the others, so none waits for it."""
    global _ready_voted
    if not launched():
        yield
        return
    if device.startswith("cuda:"):
        raise UserError(
            f"training.device={device!r} under torchrun: each rank uses the GPU of its LOCAL_RANK; "
            "set training.device to 'cuda' or 'auto'"
        )
    cuda = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    if cuda:
        torch.cuda.set_device(_env_int("LOCAL_RANK", 0))
    dist.init_process_group("nccl" if cuda else "gloo")
    _ready_voted = False
    try:
        yield
    except BaseException:
        if not _ready_voted:  # the others are waiting in `ready`: say no
            _vote(False)
        raise
    else:
        # Leave together: a rank that tore its connections down while rank 0 was still writing
        # the run could abort in gloo's teardown ("terminate called without an active exception").
        # Rank 0 may evaluate a large test split meanwhile: wait far past the 30-minute default.
        if dist.get_backend() == "gloo":
            dist.monitored_barrier(timeout=datetime.timedelta(hours=24))
        else:
            dist.barrier()
    finally:
        _ready_voted = True
        dist.destroy_process_group()


def ready(fingerprints: dict[str, str]) -> None:
    """Every rank has set up without error (called once, before the first step) and read the
    same config and data (`fingerprints`, as a checkpoint holds them); if another rank failed,
    this one stops too, with a line that points at the other's error."""
    global _ready_voted
    if not dist.is_initialized() or _ready_voted:
        return
    _ready_voted = True
    if not _vote(True):
        raise UserError(
            f"rank {rank()}: stopped because another rank failed while setting up "
            "(its error is printed above)"
        )
    digest = hashlib.sha256(json.dumps(fingerprints, sort_keys=True).encode()).digest()
    mine = torch.tensor(list(digest), dtype=torch.uint8, device=_comm_device())
    every = [torch.empty_like(mine) for _ in range(world_size())]
    dist.all_gather(every, mine)
    differ = [r for r, other in enumerate(every) if not torch.equal(other, every[0])]
    if differ:
        raise UserError(
            f"ranks {differ} read another config or other data than rank 0 (fingerprints of "
            "config.yaml and every split differ): every node needs the same files at the same paths"
        )


def _vote(ok: bool) -> bool:
    flag = torch.tensor([1 if ok else 0], device=_comm_device())
    dist.all_reduce(flag, op=dist.ReduceOp.MIN)
    return bool(flag.item())


def _comm_device() -> torch.device:
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def on_this_rank(device: torch.device) -> torch.device:
    """`cuda` made this rank's GPU (`cuda:LOCAL_RANK`, set by `process_group`), so that nothing
    of this rank touches another GPU; other devices as they are."""
    if device.type == "cuda" and device.index is None and dist.is_initialized():
        return torch.device("cuda", torch.cuda.current_device())
    return device


def lost_peer(err: BaseException) -> bool:
    """Whether `err` is a collective failing because another rank is gone (under torchrun, a
    Ctrl-C reaches every rank; a rank that stops first breaks the step the others are in)."""
    if not dist.is_initialized() or not isinstance(err, RuntimeError):
        return False
    return isinstance(err, dist.DistError) or "gloo" in str(err)  # gloo raises RuntimeError


def wrap(model: nn.Module, device: torch.device) -> nn.Module:
    """The model DDP-wrapped (a plain run: itself). DDP records which parameters train when it is
    built, so `fit` wraps again each epoch (gradual unfreezing changes them)."""
    if not dist.is_initialized():
        return model
    from torch.nn.parallel import DistributedDataParallel

    if device.type != "cuda":
        return DistributedDataParallel(model)
    index = device.index if device.index is not None else torch.cuda.current_device()
    return DistributedDataParallel(model, device_ids=[index])


def shares(
    sequences: Sequence[Sequence[int]],
    labels: Sequence[int],
    batch_size: int,
    generator: torch.Generator,
) -> Iterator[tuple[Batch, float | None]]:
    """(batch, scale) per step: this rank's share of each global batch. `scale` is None in a plain
    run (take the mean loss, as always); else the factor on the share's summed loss (0 for the
    stand-in text of an empty share)."""
    if not dist.is_initialized():
        for batch in iterate_batches(sequences, labels, batch_size, generator):
            yield batch, None
        return
    me, n = rank(), world_size()
    lengths = sequence_lengths(sequences)  # from the token cache's offsets: no id read
    for group in length_grouped_order(lengths, batch_size, generator):
        mine = group[me::n]
        scale = n / len(group) if mine else 0.0
        mine = mine or group[:1]
        texts, targets = [sequences[i] for i in mine], [labels[i] for i in mine]
        yield collate(texts, targets, mine, PAD_TO_MULTIPLE), scale


def sum_all(values: list[float]) -> list[float]:
    """Each value summed over the ranks (a plain run: the values)."""
    if not dist.is_initialized():
        return values
    total = torch.tensor(values, dtype=torch.float64, device=_comm_device())
    dist.all_reduce(total)
    return total.cpu().tolist()


def from_main(compute: Callable[[], dict], keys: Sequence[str]) -> dict:
    """`compute()` on rank 0, its `keys` sent to every rank (as JSON bytes; no pickle);
    a plain run: `compute()`."""
    if not dist.is_initialized():
        return compute()
    device = _comm_device()
    payload = b""
    if is_main():
        found = compute()
        payload = json.dumps({key: found[key] for key in keys}).encode()
    size = torch.tensor([len(payload)], dtype=torch.long, device=device)
    dist.broadcast(size, src=0)
    data = torch.zeros(int(size.item()), dtype=torch.uint8, device=device)
    if is_main():
        data.copy_(torch.frombuffer(bytearray(payload), dtype=torch.uint8))
    dist.broadcast(data, src=0)
    return json.loads(bytes(data.cpu().tolist()).decode())


def rng_states() -> list[torch.Tensor]:
    """Every rank's torch RNG state (dropout), in rank order (a plain run: this process's)."""
    state = torch.get_rng_state()
    if not dist.is_initialized():
        return [state]
    device = _comm_device()
    gathered = [torch.empty_like(state, device=device) for _ in range(world_size())]
    dist.all_gather(gathered, state.to(device))
    return [tensor.cpu() for tensor in gathered]


def seed_dropout(seed: int) -> None:
    """Give each rank other than 0 its own dropout stream (rank 0 keeps the plain run's), so the
    shares of one step are not dropped out alike."""
    if rank() > 0:
        torch.manual_seed(seed + 1_000_003 * rank())
