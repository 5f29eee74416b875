"""Resumable training checkpoints: one safetensors file per run, rewritten after every epoch.

`checkpoint.safetensors` in the run directory holds everything `fit` needs to continue exactly
where it stopped:

    tensors   model.*      the current weights
              best.*       the best weights so far (restored at the end, as early stopping does)
              optimizer.*  AdamW's per-parameter state (step, exp_avg, exp_avg_sq)
              rng.*        the shuffling generator's state and torch's global RNG (dropout)
    metadata  "state"      JSON: epoch, best epoch and score, history, elapsed seconds, the
                           optimizer's param groups, the scheduler's state, and fingerprints of
                           the config and the data, so a resumed run cannot silently mix them

No pickle anywhere: tensors go through safetensors, everything else through JSON. The file is
written atomically (temporary file, then rename), so an interruption at any moment leaves the
previous epoch's checkpoint intact. It is deleted when the run finishes.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

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
    if meta.get("checkpoint_version") != CHECKPOINT_VERSION:
        raise UserError(
            f"{path}: checkpoint version {meta.get('checkpoint_version')!r}; this version of "
            f"sentiment-rnn resumes version {CHECKPOINT_VERSION} only"
        )
    groups: dict[str, dict[str, dict[str, torch.Tensor]]] = {"model": {}, "best": {}}
    optimizer_state: dict[int, dict[str, torch.Tensor]] = {}
    for key, value in tensors.items():
        prefix, rest = key.split(".", 1)
        if prefix == "optimizer":
            index, name = rest.split(".", 1)
            optimizer_state.setdefault(int(index), {})[name] = value
        elif prefix in groups:
            groups[prefix][rest] = value
    return TrainingState(
        epoch=meta["epoch"],
        best_epoch=meta["best_epoch"],
        best_score=meta["best_score"],
        history=meta["history"],
        seconds=meta["seconds"],
        model=groups["model"],
        best=groups["best"],
        optimizer={"state": optimizer_state, "param_groups": meta["param_groups"]},
        scheduler=meta["scheduler"],
        generator=tensors["rng.generator"],
        torch_rng=tensors["rng.torch"],
        fingerprints=meta["fingerprints"],
        stopped_early=meta["stopped_early"],
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


def remove_checkpoint(run_dir: Path) -> None:
    (run_dir / CHECKPOINT).unlink(missing_ok=True)


def estimated_bytes(num_parameters: int) -> int:
    """Disk needed while training: checkpoint (weights, best weights, two Adam moments) twice
    over during its atomic replacement, plus the final weights."""
    return num_parameters * 4 * (4 * 2 + 1)
