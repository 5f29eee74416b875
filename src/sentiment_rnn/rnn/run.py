"""An RNN run directory, saved and loaded: weights, tokenizer, labels, config (`runs.py` names
the files and checks meta.json; this module turns them into a model and back).

Importing it imports no torch: `read_rnn_files` reads everything but the weights (all that the
ONNX backend needs besides `model.onnx`), and torch comes in where weights are read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sentiment_rnn import __version__, runs
from sentiment_rnn.calibration import read_temperature
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.data.tokenizer import load_tokenizer
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

    from sentiment_rnn.rnn.model import SentimentRNN


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
    import torch
    from safetensors.torch import save

    from sentiment_rnn.rnn.model import count_parameters

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


@dataclass
class RunFiles:
    """A finished RNN run's files other than its weights: all that prediction needs besides a
    model (the torch weights, or the ONNX graph)."""

    path: Path
    config: Config
    labels: list[str]
    tokenizer: Tokenizer
    meta: dict
    temperature: float = 1.0  # from temperature.json (calibration.py); 1.0: none saved


def read_rnn_files(path: Path | None, extra: tuple[str, ...] = (), hint: str | None = None
                   ) -> RunFiles:
    """A finished RNN run's config, labels, tokenizer and meta; every missing file is named.

    `extra` names model files the caller reads instead of the weights (`model.onnx`): they must
    exist and be recorded in meta.json, and their SHA-256 is checked here; the run's own files
    were checked by `runs.open_run`, before anything was parsed.
    """
    run_dir, meta = runs.open_run(path, "rnn", hint)
    config = read_config(run_dir / runs.CONFIG)
    labels = runs.read_labels(run_dir)
    tokenizer = load_tokenizer(run_dir / runs.TOKENIZER)
    for name in extra:
        if not (run_dir / name).is_file():
            raise UserError(f"{run_dir}: missing file {name}; the run is incomplete")
        if name not in (meta.get("sha256") or {}):
            raise UserError(f"{run_dir / runs.META}: no SHA-256 recorded for {name}; "
                            "it was not written by sentiment-rnn (export the run again)")
    runs.verify_checksums(run_dir, meta, extra)  # the run's own files: checked by open_run
    temperature = read_temperature(run_dir, meta)  # checked against meta.json on its own
    return RunFiles(run_dir, config, labels, tokenizer, meta, temperature)


def load_run(path: Path | None, device: str | torch.device = "cpu", hint: str | None = None) -> Run:
    """Load a finished RNN run directory; every missing or mismatched file is named."""
    from sentiment_rnn.rnn.model import SentimentRNN

    files = read_rnn_files(path, hint=hint)
    run_dir, config, labels, tokenizer = files.path, files.config, files.labels, files.tokenizer
    model = SentimentRNN(tokenizer.get_vocab_size(), len(labels), config.model)
    _load_weights(model, run_dir / runs.WEIGHTS)
    model.to(device).eval()
    return Run(run_dir, config, labels, tokenizer, model, files.meta, files.temperature)


def _load_weights(model: SentimentRNN, path: Path) -> None:
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

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

