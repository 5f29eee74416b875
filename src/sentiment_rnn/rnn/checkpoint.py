"""Resumable training checkpoints: one safetensors file per run, rewritten after every epoch.

`checkpoint.safetensors` in the run directory holds everything `fit` needs to continue exactly
where it stopped:

    tensors   model.*      the current weights
              best.*       the best weights so far (restored at the end, as early stopping does)
              optimizer.*  AdamW's per-parameter state (step, exp_avg, exp_avg_sq)
              rng.*        the shuffling generator's state and torch's global RNG (dropout);
                           under torchrun, `rng.torch.<rank>` for each rank after the first
    metadata  "state"      JSON: epoch, best epoch and score, history, elapsed seconds, the
                           optimizer's param groups, the scheduler's state, fingerprints of
                           the config and the data, so a resumed run cannot silently mix them,
                           and the world size (1 for a plain run; absent in older checkpoints)

No pickle anywhere: tensors go through safetensors, everything else through JSON. The file is
written atomically (temporary file, then rename), so an interruption at any moment leaves the
previous epoch's checkpoint intact. It is deleted when the run finishes.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from sentiment_rnn.config import Config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.rnn.fit import TrainingState

CHECKPOINT = "checkpoint.safetensors"
CHECKPOINT_VERSION = 1


def save_checkpoint(run_dir: Path, state: TrainingState) -> Path:
    """Write the checkpoint atomically; the previous one stays valid until the rename."""
    tensors = {f"model.{key}": value for key, value in state.model.items()}
    tensors.update({f"best.{key}": value for key, value in state.best.items()})
    for index, values in state.optimizer["state"].items():
        tensors.update({f"optimizer.{index}.{key}": value for key, value in values.items()})
    tensors["rng.generator"] = state.generator
    tensors["rng.torch"] = state.torch_rng
    tensors.update({f"rng.torch.{rank}": rng for rank, rng in enumerate(state.rank_rngs, start=1)})
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    meta = {
        "checkpoint_version": CHECKPOINT_VERSION,
        "epoch": state.epoch,
        "best_epoch": state.best_epoch,
        "best_score": state.best_score,
        "history": state.history,
        "seconds": state.seconds,
        "param_groups": state.optimizer["param_groups"],
        "scheduler": state.scheduler,
        "fingerprints": state.fingerprints,
        "stopped_early": state.stopped_early,
        "world_size": state.world_size,
    }
    path = run_dir / CHECKPOINT
    atomic_write(path, save(tensors, metadata={"state": json.dumps(meta)}))
    return path


def load_checkpoint(run_dir: Path) -> TrainingState | None:
    """The run's checkpoint, or None if it has none (interrupted during its first epoch)."""
    path = run_dir / CHECKPOINT
    if not path.is_file():
        return None
    try:
        with safe_open(path, framework="pt") as handle:
            meta = json.loads(handle.metadata()["state"])
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    except (SafetensorError, OSError, ValueError, KeyError, TypeError) as err:
        raise UserError(f"{path}: not a readable checkpoint ({err}); delete it to start over") from None
    if not isinstance(meta, dict) or meta.get("checkpoint_version") != CHECKPOINT_VERSION:
        found = meta.get("checkpoint_version") if isinstance(meta, dict) else None
        raise UserError(
            f"{path}: checkpoint version {found!r}; this version of sentiment-rnn resumes "
            f"version {CHECKPOINT_VERSION} only"
        )
    try:
        return _state(meta, tensors)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise UserError(
            f"{path}: damaged checkpoint ({type(err).__name__}: {err}); delete it to start over"
        ) from None


_TYPES = {"epoch": int, "best_epoch": int, "best_score": (int, float), "history": list,
          "seconds": (int, float), "param_groups": list, "scheduler": dict, "fingerprints": dict,
          "stopped_early": bool}


def _state(meta: dict, tensors: dict[str, torch.Tensor]) -> TrainingState:
    """The TrainingState of a checkpoint's JSON state and tensors; KeyError, TypeError or
    ValueError when a piece is missing or of the wrong kind."""
    for key, kind in _TYPES.items():
        if not isinstance(meta[key], kind):
            raise TypeError(f"{key!r} is a {type(meta[key]).__name__}")
    world_size = meta.get("world_size", 1)
    if not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size {world_size!r}")
    rank_rngs = [tensors[f"rng.torch.{rank}"] for rank in range(1, world_size)]
    groups: dict[str, dict[str, torch.Tensor]] = {"model": {}, "best": {}}
    optimizer_state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        prefix, rest = key.split(".", 1) if "." in key else (key, "")
        if prefix == "optimizer":
            index, name = rest.split(".", 1)
            optimizer_state.setdefault(int(index), {})[name] = value
        elif prefix in groups:
            groups[prefix][rest] = value
        elif prefix != "rng":
            raise ValueError(f"unexpected tensor {key!r}")
    return TrainingState(
        epoch=meta["epoch"], best_epoch=meta["best_epoch"], best_score=meta["best_score"],
        history=meta["history"], seconds=meta["seconds"], model=groups["model"],
        best=groups["best"],
        optimizer={"state": optimizer_state, "param_groups": meta["param_groups"]},
        scheduler=meta["scheduler"], generator=tensors["rng.generator"],
        torch_rng=tensors["rng.torch"], fingerprints=meta["fingerprints"],
        stopped_early=meta["stopped_early"], world_size=world_size, rank_rngs=rank_rngs,
    )


def checkpoint_epoch(run_dir: Path) -> int | None:
    """The epoch of the run's checkpoint, reading only its header; None without a readable one."""
    try:
        with safe_open(run_dir / CHECKPOINT, framework="pt") as handle:
            return int(json.loads(handle.metadata()["state"])["epoch"])
    except (SafetensorError, OSError, ValueError, KeyError, TypeError):
        return None


def check_fingerprints(path: Path, saved: dict[str, str], current: dict[str, str]) -> None:
    """Refuse to resume when the config or the data changed since the checkpoint was written."""
    changed = sorted(key for key in saved.keys() | current.keys() if saved.get(key) != current.get(key))
    if changed:
        raise UserError(
            f"{path}: {', '.join(changed)} changed since this checkpoint was written; resuming "
            "would mix two trainings. Restore them, or train a new run"
        )


def check_world_size(path: Path, saved: int, current: int) -> None:
    """Refuse to resume with another number of processes: it would change every step's split."""
    if saved != current:
        how = (
            f"without torchrun: sentiment-rnn train --resume {path.parent}" if saved == 1
            else f"{saved} processes in all, e.g. torchrun --nproc_per_node={saved} "
            f"-m sentiment_rnn train --resume {path.parent}"
        )
        raise UserError(
            f"{path}: written by a run of world size {saved}, resumed with world size {current}; "
            f"resume it {how}"
        )


def fingerprints(config: Config, records: dict) -> dict[str, str]:
    """What a checkpoint must match to be resumed: the resolved config and every split's data
    (`records`: `split_records` of the dataset)."""
    found = {f"data ({name})": record["fingerprint"] for name, record in records.items()}
    found["config.yaml"] = hashlib.sha256(config.to_yaml().encode("utf-8")).hexdigest()
    return found


def check_finite_loss(record: dict, run_dir: Path | None) -> None:
    """Stop when an epoch's training loss is not finite, deleting the run's checkpoint (nothing
    worth resuming; `run_dir` None: another torchrun rank, whose loss is the same sum)."""
    if not math.isfinite(record["train_loss"]):
        if run_dir is not None:
            remove_checkpoint(run_dir)
        raise UserError(
            f"epoch {record['epoch']}: the training loss is {record['train_loss']} (not finite); "
            "training stopped and nothing was saved: lower training.lr, or check "
            "model.pretrained_embeddings for huge values"
        )


def remove_checkpoint(run_dir: Path) -> None:
    (run_dir / CHECKPOINT).unlink(missing_ok=True)


def estimated_bytes(num_parameters: int) -> int:
    """Disk needed while training: checkpoint (weights, best weights, two Adam moments) twice
    over during its atomic replacement, plus the final weights."""
    return num_parameters * 4 * (4 * 2 + 1)


def check_room_for_checkpoints(run_dir: Path, num_parameters: int) -> None:
    """Refuse to start when the disk cannot hold the checkpoints and the model."""
    needed, free = estimated_bytes(num_parameters), shutil.disk_usage(run_dir).free
    if free < needed:
        raise UserError(
            f"{run_dir}: {free / 1e6:,.0f} MB free on this disk, training this model needs about "
            f"{needed / 1e6:,.0f} MB (checkpoints and weights); free some space or choose another --output"
        )


def write_or_explain(write: Callable[[], object], run_dir: Path) -> None:
    """Run a write; a full disk or a lost directory becomes a one-line error saying what is safe."""
    try:
        write()
    except OSError as err:
        epoch = checkpoint_epoch(run_dir)
        kept = (
            "no checkpoint was written yet"
            if epoch is None
            else f"the checkpoint after epoch {epoch} is intact: free space, then resume with "
            f"`sentiment-rnn train --resume {run_dir}`"
        )
        raise UserError(f"{run_dir}: cannot write ({err.strerror or err}); {kept}") from None
