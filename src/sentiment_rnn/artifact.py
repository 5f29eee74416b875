"""The run directory: the only code that knows its files.

    model.safetensors  weights (never a pickle)
    tokenizer.json     the Hugging Face tokenizer, vocabulary included
    labels.json        the class order
    config.yaml        the fully resolved config
    history.jsonl      one line of figures per epoch
    metrics.json       final dev and test metrics
    meta.json          format version, package and torch versions, the SHA-256 of every other
                       file; written last, so a run without it is unfinished (interrupted, or
                       still training)

Loading checks each file for what it must be (readable, the right shapes, a valid config), then
that its bytes are those recorded in meta.json when the run was saved: a file edited later, even
one that still parses, is refused. Runs saved before checksums were recorded load unchecked.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentiment_rnn import __version__
from sentiment_rnn.config import Config, read_yaml_mapping, validate_config
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write, read_json

if TYPE_CHECKING:  # torch is imported where weights are read or written, not to read the rest
    import torch
    from tokenizers import Tokenizer

    from sentiment_rnn.model import SentimentRNN

FORMAT_VERSION = 1
WEIGHTS, TOKENIZER, LABELS = "model.safetensors", "tokenizer.json", "labels.json"
CONFIG, HISTORY, METRICS, META = "config.yaml", "history.jsonl", "metrics.json", "meta.json"
REQUIRED = (WEIGHTS, TOKENIZER, LABELS, CONFIG, META)
CHECKED = (WEIGHTS, TOKENIZER, LABELS, CONFIG)  # what loading reads; SHA-256 checked
SAVED = (*CHECKED, METRICS, HISTORY)  # every file whose SHA-256 meta.json records
RUNS_ROOT = Path("runs")
LATEST = RUNS_ROOT / "latest"


def write_json(path: Path, value: Any) -> None:
    atomic_write(path, json.dumps(value, indent=2) + "\n")


def default_run_dir(name: str) -> Path:
    """`runs/<name>-<timestamp>`, with a `-2`, `-3`... suffix if that name is taken."""
    base = RUNS_ROOT / f"{name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    path, number = base, 1
    while path.exists():
        number += 1
        path = base.with_name(f"{base.name}-{number}")
    return path


def prepare_run_dir(path: Path, force: bool) -> Path:
    """Create the run directory; refuse a non-empty one unless `force` (then mark it unfinished)."""
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: exists and is not a directory; choose another --output")
    if path.is_dir() and any(path.iterdir()):
        if not force:
            raise UserError(f"{path}: directory is not empty; pass --force to overwrite it")
        (path / META).unlink(missing_ok=True)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise UserError(f"{path}: cannot write the run directory: {err.strerror}") from None
    return path


def append_history(run_dir: Path, record: dict) -> None:
    with open(run_dir / HISTORY, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


def save_run(
    run_dir: Path,
    model: SentimentRNN,
    tokenizer: Tokenizer,
    labels: list[str],
    config: Config,
    metrics: dict,
) -> None:
    """Write every file of a finished run; `meta.json` last."""
    import torch
    from safetensors.torch import save

    from sentiment_rnn.model import count_parameters

    state = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    atomic_write(run_dir / WEIGHTS, save(state, metadata={"format_version": str(FORMAT_VERSION)}))
    atomic_write(run_dir / TOKENIZER, tokenizer.to_str(pretty=True))
    write_json(run_dir / LABELS, labels)
    atomic_write(run_dir / CONFIG, config.to_yaml())
    write_json(run_dir / METRICS, metrics)
    write_json(
        run_dir / META,
        {
            "format_version": FORMAT_VERSION,
            "kind": "rnn",
            "sentiment_rnn_version": __version__,
            "torch_version": torch.__version__,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "num_parameters": count_parameters(model),
            "sha256": checksums(run_dir, SAVED),
        },
    )


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def checksums(run_dir: Path, names: tuple[str, ...]) -> dict[str, str]:
    """SHA-256 of each named file that exists, for meta.json."""
    return {name: sha256_file(run_dir / name) for name in names if (run_dir / name).is_file()}


def verify_checksums(run_dir: Path, meta: dict, names: tuple[str, ...]) -> None:
    """Each named file must have the SHA-256 meta.json recorded (runs without any: unchecked)."""
    recorded = meta.get("sha256")
    if recorded is None:
        return  # saved before checksums were recorded
    if not (isinstance(recorded, dict) and all(isinstance(v, str) for v in recorded.values())):
        raise UserError(f"{run_dir / META}: 'sha256' should map file names to hex digests")
    for name in names:
        if name not in recorded:
            raise UserError(f"{run_dir / META}: no SHA-256 recorded for {name}")
        found = sha256_file(run_dir / name)
        if found != recorded[name]:
            raise UserError(
                f"{run_dir / name}: SHA-256 differs from the one recorded in meta.json when the run "
                f"was saved (recorded {recorded[name][:12]}..., found {found[:12]}...); the file "
                "was changed or damaged after the run was saved"
            )


def check_latest_replaceable() -> None:
    """`runs/latest` must be absent or a symbolic link: we never replace a real directory."""
    if LATEST.exists() and not LATEST.is_symlink():
        raise UserError(
            f"{LATEST} is a real file or directory, not a link; move it away so that "
            "train can point it at the new run"
        )


def point_latest(run_dir: Path) -> None:
    """Make `runs/latest` a symbolic link to `run_dir`."""
    check_latest_replaceable()
    RUNS_ROOT.mkdir(exist_ok=True)
    target = run_dir.resolve()
    if target.parent == RUNS_ROOT.resolve():
        target = Path(target.name)  # relative link: the runs folder can move
    tmp = RUNS_ROOT / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        tmp.symlink_to(target, target_is_directory=True)
        os.replace(tmp, LATEST)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class Run:
    """A loaded, finished run."""

    path: Path
    config: Config
    labels: list[str]
    tokenizer: Tokenizer
    model: SentimentRNN
    meta: dict


def resolve_run_dir(path: Path | None) -> Path:
    """The given run directory, or `runs/latest`; a clear error when there is none."""
    if path is None:
        if not LATEST.exists():
            raise UserError(
                f"no trained model at {LATEST}: run `sentiment-rnn train` first, or pass --model DIR"
            )
        return LATEST
    if not path.is_dir():
        raise UserError(f"{path}: model directory not found")
    return path


def read_meta(run_dir: Path) -> dict:
    """meta.json, checked for a readable format version."""
    meta_path = run_dir / META
    if not meta_path.is_file():
        raise UserError(
            f"{run_dir}: no {META}, so not a finished run (was training interrupted?)"
        )
    meta = read_json(meta_path)
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise UserError(
            f"{meta_path}: run format version {version}, written by a newer sentiment-rnn; "
            f"this sentiment-rnn {__version__} reads version {FORMAT_VERSION} only (upgrade it)"
        )
    if version != FORMAT_VERSION:
        raise UserError(
            f"{meta_path}: run format version {version!r}; this sentiment-rnn {__version__} "
            f"reads version {FORMAT_VERSION} only"
        )
    return meta


def read_labels(run_dir: Path) -> list[str]:
    """labels.json: the class order, at least two label strings."""
    labels = read_json(run_dir / LABELS)
    if not (isinstance(labels, list) and len(labels) >= 2 and all(isinstance(x, str) for x in labels)):
        raise UserError(f"{run_dir / LABELS}: expected a list of at least 2 label strings")
    return labels


@dataclass
class RunFiles:
    """A finished RNN run's files other than its weights: all that prediction needs besides a
    model (the torch weights, or the ONNX graph). Reading them imports no torch."""

    path: Path
    config: Config
    labels: list[str]
    tokenizer: Tokenizer
    meta: dict


def read_rnn_run(path: Path | None, extra: tuple[str, ...] = ()) -> RunFiles:
    """A finished RNN run's config, labels, tokenizer and meta; every missing file is named.

    `extra` names model files the caller reads (`model.onnx`): they must exist, and their SHA-256
    is checked with those of the files read here. The weights are checked by `load_run`.
    """
    from sentiment_rnn.tokenizer import load_tokenizer

    run_dir = resolve_run_dir(path)
    meta = read_meta(run_dir)
    if meta.get("kind") != "rnn":
        raise UserError(
            f"{run_dir}: a {meta.get('kind')!r} run, where an RNN run (kind 'rnn') is expected"
        )
    missing = [name for name in (*REQUIRED, *extra) if not (run_dir / name).is_file()]
    if missing:
        raise UserError(f"{run_dir}: missing file(s) {', '.join(missing)}; the run is incomplete")
    config = validate_config(read_yaml_mapping(run_dir / CONFIG), source=str(run_dir / CONFIG))
    labels = read_labels(run_dir)
    tokenizer = load_tokenizer(run_dir / TOKENIZER)
    if extra:
        for name in extra:
            if name not in (meta.get("sha256") or {}):
                raise UserError(f"{run_dir / META}: no SHA-256 recorded for {name}; "
                                "it was not written by sentiment-rnn (export the run again)")
        verify_checksums(run_dir, meta, tuple(n for n in (*CHECKED, *extra) if n != WEIGHTS))
    return RunFiles(run_dir, config, labels, tokenizer, meta)


def load_run(path: Path | None, device: str | torch.device = "cpu") -> Run:
    """Load a finished RNN run directory; every missing or mismatched file is named."""
    from sentiment_rnn.model import SentimentRNN

    files = read_rnn_run(path)
    run_dir, config, labels, tokenizer = files.path, files.config, files.labels, files.tokenizer
    model = SentimentRNN(tokenizer.get_vocab_size(), len(labels), config.model)
    _load_weights(model, run_dir / WEIGHTS)
    verify_checksums(run_dir, files.meta, CHECKED)
    model.to(device).eval()
    return Run(run_dir, config, labels, tokenizer, model, files.meta)


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

