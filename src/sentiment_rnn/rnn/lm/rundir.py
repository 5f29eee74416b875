"""The language-model run directory (kind "lm" in runs.py): its files, saving and loading.

    forward.safetensors   the forward language model's weights (and/or backward.safetensors)
    tokenizer.json        the tokenizer built on the stream's texts (with <eos>)
    texts.safetensors     `hashes`: 64-bit hashes of every text the models read (stream and
                          held-out slice), so that `train` can refuse dev or test texts among them
    config.yaml           the fully resolved config (model sizes, pretrain section)
    history-<direction>.jsonl  one line per checkpoint: losses, perplexities, tokens/s
    metrics.json          per direction: steps, tokens, time, final perplexities; the corpus
    meta.json             kind "lm", format version, directions, the SHA-256 of every other
                          file; written last
While training, checkpoint-<direction>.safetensors and streams.safetensors (the encoded
streams, for worker processes) are there too; both are deleted when the run is finished.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save
from tokenizers import Tokenizer

from sentiment_rnn import __version__, runs
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.data.tokenizer import load_tokenizer
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.rnn.lm.model import LanguageModel

LM_KIND = "lm"
TEXTS, STREAMS = runs.LM_TEXTS, "streams.safetensors"


def weights_name(direction: str) -> str:
    return f"{direction}.safetensors"


def history_name(direction: str) -> str:
    return f"history-{direction}.jsonl"


def write_history(run_dir: Path, direction: str, history: list[dict]) -> None:
    atomic_write(run_dir / history_name(direction), "".join(json.dumps(r) + "\n" for r in history))


def save_lm_run(
    run_dir: Path, models: dict[str, dict[str, torch.Tensor]], hashes: torch.Tensor,
    config: Config, metrics: dict,
) -> None:
    """Write a finished run's files (the tokenizer and config are already there); meta.json last."""
    for direction, state in models.items():
        tensors = {key: value.detach().cpu().contiguous() for key, value in state.items()}
        atomic_write(run_dir / weights_name(direction), save(tensors, metadata={"direction": direction}))
    atomic_write(run_dir / TEXTS, save({"hashes": hashes.contiguous()}))
    runs.write_json(run_dir / runs.METRICS, metrics)
    names = (*(weights_name(d) for d in models), *(history_name(d) for d in models),
             *runs.KINDS[LM_KIND].saved)
    runs.write_json(
        run_dir / runs.META,
        {
            "format_version": runs.RUN_FORMAT_VERSION,
            "kind": LM_KIND,
            "directions": list(models),
            "sentiment_rnn_version": __version__,
            "torch_version": torch.__version__,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "sha256": runs.checksums(run_dir, names),
        },
    )


@dataclass
class LMRun:
    """A loaded, finished language-model run."""

    path: Path
    config: Config
    tokenizer: Tokenizer
    weights: dict[str, dict[str, torch.Tensor]]  # direction -> LanguageModel state dict
    hashes: torch.Tensor
    meta: dict


def load_lm_run(path: Path) -> LMRun:
    """Load a finished `pretrain` run; every missing, damaged or edited file is named."""
    if not path.is_dir():
        raise UserError(f"{path}: language-model run directory not found")
    run_dir, meta = runs.open_run(path, LM_KIND)
    directions = meta.get("directions")
    if not (isinstance(directions, list) and directions
            and set(directions) <= {"forward", "backward"}):
        raise UserError(f"{path / runs.META}: 'directions' should list forward and/or backward")
    names = (*(weights_name(d) for d in directions), *runs.KINDS[LM_KIND].checked)
    missing = [name for name in names if not (path / name).is_file()]
    if missing:
        raise UserError(f"{path}: missing file(s) {', '.join(missing)}; the run is incomplete")
    runs.verify_checksums(path, meta, names)
    config = read_config(path / runs.CONFIG)
    tokenizer = load_tokenizer(path / runs.TOKENIZER)
    expected = LanguageModel(tokenizer.get_vocab_size(), config.model, config.pretrain).state_dict()
    weights = {d: _read_weights(path / weights_name(d), expected) for d in directions}
    hashes = _read(path / TEXTS)["hashes"]
    return LMRun(path, config, tokenizer, weights, hashes, meta)


def _read(path: Path) -> dict[str, torch.Tensor]:
    try:
        return load_file(path)
    except (SafetensorError, OSError) as err:
        raise UserError(f"{path}: cannot read ({err}); the file is damaged") from None


def _read_weights(path: Path, expected: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    state = _read(path)
    if state.keys() != expected.keys():
        raise UserError(f"{path}: weights do not fit the language model in config.yaml")
    for key, tensor in state.items():
        if tensor.shape != expected[key].shape or tensor.dtype != expected[key].dtype:
            raise UserError(
                f"{path}: tensor {key!r} is {tuple(tensor.shape)} {tensor.dtype}, config.yaml "
                f"gives {tuple(expected[key].shape)} {expected[key].dtype}"
            )
    return state
