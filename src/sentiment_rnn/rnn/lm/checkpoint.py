"""One direction's pretraining state as `checkpoint-<direction>.safetensors`, no pickle.

    tensors   model.*        the language model's weights
              optimizer.*    AdamW's per-parameter state
              rng.generator  the dropout masks' generator
              hidden.K.h/c   the LSTM state carried into the next step (layer K)
    metadata  "state"        JSON: step, total steps, tokens, seconds, history, the optimizer's
                             param groups, the schedule, fingerprints, whether it finished

Written atomically after every `pretrain.checkpoint_every` steps and when a direction ends, so a
kill at any moment leaves the previous checkpoint whole; deleted when the run is finished.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save

from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.rnn.lm.loop import LMState

LM_CHECKPOINT_VERSION = 1


def checkpoint_path(run_dir: Path, direction: str) -> Path:
    return run_dir / f"checkpoint-{direction}.safetensors"


def save_lm_checkpoint(run_dir: Path, state: LMState) -> Path:
    tensors = {f"model.{key}": value for key, value in state.model.items()}
    for index, values in state.optimizer["state"].items():
        tensors.update({f"optimizer.{index}.{key}": value for key, value in values.items()})
    tensors["rng.generator"] = state.generator
    for k, (h, c) in enumerate(state.hidden or []):
        tensors[f"hidden.{k}.h"], tensors[f"hidden.{k}.c"] = h, c
    tensors = {key: value.detach().cpu().contiguous() for key, value in tensors.items()}
    meta = {
        "checkpoint_version": LM_CHECKPOINT_VERSION, "direction": state.direction,
        "step": state.step, "total_steps": state.total_steps, "seconds": state.seconds,
        "tokens": state.tokens, "history": state.history,
        "param_groups": state.optimizer["param_groups"], "scheduler": state.scheduler,
        "fingerprints": state.fingerprints, "finished": state.finished,
        "hidden_layers": len(state.hidden or []), "elapsed": state.elapsed,
    }
    path = checkpoint_path(run_dir, state.direction)
    atomic_write(path, save(tensors, metadata={"state": json.dumps(meta)}))
    return path


def load_lm_checkpoint(run_dir: Path, direction: str) -> LMState | None:
    """The direction's checkpoint, or None when it has none yet."""
    path = checkpoint_path(run_dir, direction)
    if not path.is_file():
        return None
    try:
        with safe_open(path, framework="pt") as handle:
            meta = json.loads(handle.metadata()["state"])
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}
        if meta.get("checkpoint_version") != LM_CHECKPOINT_VERSION:
            raise UserError(
                f"{path}: checkpoint version {meta.get('checkpoint_version')!r}; this version "
                f"of sentiment-rnn resumes version {LM_CHECKPOINT_VERSION} only"
            )
        return _state(meta, tensors)
    except (SafetensorError, OSError, ValueError, KeyError, TypeError) as err:
        raise UserError(f"{path}: not a readable checkpoint ({err}); delete it to start over") from None


def _state(meta: dict, tensors: dict[str, torch.Tensor]) -> LMState:
    model, optimizer = {}, {}
    for key, value in tensors.items():
        prefix, rest = key.split(".", 1)
        if prefix == "model":
            model[rest] = value
        elif prefix == "optimizer":
            index, name = rest.split(".", 1)
            optimizer.setdefault(int(index), {})[name] = value
    layers = meta["hidden_layers"]
    hidden = [(tensors[f"hidden.{k}.h"], tensors[f"hidden.{k}.c"]) for k in range(layers)]
    return LMState(
        direction=meta["direction"], step=meta["step"], total_steps=meta["total_steps"],
        seconds=meta["seconds"], tokens=meta["tokens"], history=meta["history"], model=model,
        optimizer={"state": optimizer, "param_groups": meta["param_groups"]},
        scheduler=meta["scheduler"], generator=tensors["rng.generator"],
        hidden=hidden or None, fingerprints=meta["fingerprints"], finished=meta["finished"],
        elapsed=meta["elapsed"],
    )


def checkpoint_step(run_dir: Path, direction: str) -> int | None:
    """The step of a direction's checkpoint, from its header alone; None without a readable one."""
    try:
        with safe_open(checkpoint_path(run_dir, direction), framework="pt") as handle:
            return int(json.loads(handle.metadata()["state"])["step"])
    except (SafetensorError, OSError, ValueError, KeyError, TypeError):
        return None
