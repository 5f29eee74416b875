"""An RNN run directory, saved and loaded: weights, tokenizer, labels, config (`runs.py` names
the files and checks meta.json; this module turns them into a model and back)."""

from __future__ import annotations

from dataclasses import dataclass
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
from sentiment_rnn.rnn.model import SentimentRNN, count_parameters


@dataclass
class Run:
    """A loaded, finished run."""

    path: Path
    config: Config
    labels: list[str]
    tokenizer: Tokenizer
    model: SentimentRNN
    meta: dict
    temperature: float = 1.0  # fitted on dev after training (calibration.py); 1.0: none saved


def save_run(
    run_dir: Path,
    model: SentimentRNN,
    tokenizer: Tokenizer,
    labels: list[str],
    config: Config,
    metrics: dict,
    temperature: dict | None = None,
) -> None:
    """Write every file of a finished run; `meta.json` last."""
    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    weights = save(state, metadata={"format_version": str(runs.RUN_FORMAT_VERSION)})
    atomic_write(run_dir / runs.WEIGHTS, weights)
    atomic_write(run_dir / runs.TOKENIZER, tokenizer.to_str(pretty=True))
    runs.write_json(run_dir / runs.LABELS, labels)
    atomic_write(run_dir / runs.CONFIG, config.to_yaml())
    runs.write_json(run_dir / runs.METRICS, metrics)
    if temperature is not None:
        runs.write_json(run_dir / runs.TEMPERATURE, temperature)
    versions = {"sentiment_rnn_version": __version__, "torch_version": torch.__version__}
    runs.write_meta(run_dir, "rnn", versions, count_parameters(model))


def load_run(path: Path | None, device: str | torch.device = "cpu", hint: str | None = None) -> Run:
    """Load a finished RNN run directory; every missing or mismatched file is named."""
    run_dir, meta = runs.open_run(path, "rnn", hint)
    config_path = run_dir / runs.CONFIG
    config = read_config(config_path)
    labels = runs.read_labels(run_dir)
    tokenizer = load_tokenizer(run_dir / runs.TOKENIZER)
    model = SentimentRNN(tokenizer.get_vocab_size(), len(labels), config.model)
    _load_weights(model, run_dir / runs.WEIGHTS)
    runs.verify_checksums(run_dir, meta, runs.CHECKED)
    temperature = runs.read_temperature(run_dir, meta)
    model.to(device).eval()
    return Run(run_dir, config, labels, tokenizer, model, meta, temperature)


def _load_weights(model: SentimentRNN, path: Path) -> None:
    try:
        state = load_file(path)
    except (SafetensorError, OSError) as err:
        raise UserError(f"{path}: cannot read weights ({err}); the file is damaged") from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise UserError(
            f"{path}: weights do not fit the model in config.yaml "
            f"(missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    for key, tensor in state.items():
        if tensor.dtype != expected[key].dtype:
            raise UserError(
                f"{path}: tensor {key!r} is {tensor.dtype}, the model expects {expected[key].dtype}"
            )
        if tensor.shape != expected[key].shape:
            hint = ""
            if key == "embedding.weight":
                hint = f" (tokenizer.json has {expected[key].shape[0]} tokens)"
            elif key.startswith("classifier."):
                hint = f" (labels.json has {expected[key].shape[0]} labels)"
            elif key.startswith("encoder."):
                c = model.config
                hint = (
                    f" (config.yaml: cell {c.cell!r}, hidden_size {c.hidden_size}, "
                    f"embedding_dim {c.embedding_dim})"
                )
            raise UserError(
                f"{path}: tensor {key!r} has shape {tuple(tensor.shape)}, the model expects "
                f"{tuple(expected[key].shape)}{hint}"
            )
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise UserError(f"{path}: tensor {key!r} holds NaN or infinite values")
    model.load_state_dict(state)

