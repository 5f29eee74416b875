"""The run directory, of both kinds: the only code that knows its files.

Every run holds `labels.json` (the class order), `config.yaml` (the fully resolved config),
`metrics.json` (final dev and test figures) and `meta.json`: format version, kind, package
versions, the SHA-256 of every other file. meta.json is written last, so a run without it is
unfinished (interrupted, or still training). Besides those:

    kind "rnn"       model.safetensors (weights, never a pickle), tokenizer.json (the Hugging
                     Face tokenizer, vocabulary included), history.jsonl (figures per epoch);
                     checkpoint.safetensors while training (`rnn/checkpoint.py`); model.onnx
                     once exported (`rnn/export.py`, recorded with `record_file`)
    kind "baseline"  baseline.json (format version, kind, text settings, link), vocabulary.json
                     (the n-grams, in column order), baseline.safetensors (the arrays)

`open_run` checks the kind, that the required files are there, inside the run directory (no
link out of it) and within their size limits (`MAX_BYTES`), then `verify_checksums` that their
bytes are those recorded in meta.json when the run was saved: a file edited later, even one that
still parses, is refused before anything parses it or builds a model from it. The loaders
(`rnn/run.py`, `baseline/model.py`) then check each file for what it must be. Runs saved before checksums were recorded load unchecked. A new file of a
run (an exported model, say) is registered here, in `RunFiles`, and nowhere else.

Imports no torch and no scikit-learn.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sentiment_rnn import __version__
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write, read_json
from sentiment_rnn.limits import check_run_file

RUN_FORMAT_VERSION = 1  # of the run directory (meta.json's "format_version")
LABELS, CONFIG, HISTORY, METRICS, META = (
    "labels.json", "config.yaml", "history.jsonl", "metrics.json", "meta.json"
)
WEIGHTS, TOKENIZER = "model.safetensors", "tokenizer.json"  # RNN runs
ONNX = "model.onnx"  # RNN runs, added by `sentiment-rnn export` (`rnn/export.py`)
TEMPERATURE = "temperature.json"  # optional in both kinds: runs saved before it had none
PARAMS, VOCABULARY, ARRAYS = "baseline.json", "vocabulary.json", "baseline.safetensors"  # baseline
LM_TEXTS = "texts.safetensors"  # language-model runs; their weights: <direction>.safetensors


@dataclass(frozen=True)
class RunFiles:
    """The files of one kind of run: needed to load, SHA-256-checked on load, recorded at save."""

    required: tuple[str, ...]
    checked: tuple[str, ...]
    saved: tuple[str, ...]
    name: str  # for messages: "an RNN run"
    added: tuple[str, ...] = ()  # may be added to a finished run (`record_file`), checked when read


KINDS = {
    "rnn": RunFiles(
        required=(WEIGHTS, TOKENIZER, LABELS, CONFIG, META),
        checked=(WEIGHTS, TOKENIZER, LABELS, CONFIG),
        saved=(WEIGHTS, TOKENIZER, LABELS, CONFIG, METRICS, HISTORY, TEMPERATURE),
        name="an RNN run",
        added=(ONNX,),
    ),
    "baseline": RunFiles(
        required=(PARAMS, VOCABULARY, ARRAYS, LABELS, CONFIG, META),
        checked=(PARAMS, VOCABULARY, ARRAYS, LABELS, CONFIG),
        saved=(PARAMS, VOCABULARY, ARRAYS, LABELS, CONFIG, METRICS, TEMPERATURE),
        name="a baseline run",
    ),
    "lm": RunFiles(  # and one weights file and one history per direction (rnn/lm/rundir.py)
        required=(TOKENIZER, LM_TEXTS, CONFIG, META),
        checked=(TOKENIZER, LM_TEXTS, CONFIG),
        saved=(TOKENIZER, LM_TEXTS, CONFIG, METRICS),
        name="a language-model run (from `sentiment-rnn pretrain`)",
    ),
}
REQUIRED, CHECKED, SAVED = KINDS["rnn"].required, KINDS["rnn"].checked, KINDS["rnn"].saved
# The most a run's file can hold; larger is damage (or not a run), refused before it is read.
MAX_BYTES = {META: 1 << 20, LABELS: 1 << 20, CONFIG: 1 << 20, TOKENIZER: 64 << 20,
             PARAMS: 1 << 20}
RUNS_ROOT = Path("runs")
LATEST = RUNS_ROOT / "latest"
LATEST_LM = RUNS_ROOT / "latest-lm"  # the newest finished `pretrain` run


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


def append_history(run_dir: Path, record: dict) -> None:
    with open(run_dir / HISTORY, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


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


def check_latest_replaceable(link: Path = LATEST) -> None:
    """`runs/latest` (or `link`) must be absent or a symbolic link: we never replace a real
    directory."""
    if link.exists() and not link.is_symlink():
        raise UserError(
            f"{link} is a real file or directory, not a link; move it away so that "
            "it can point at the new run"
        )


def inside_runs_root(run_dir: Path) -> bool:
    """True when `run_dir` is in ./runs, the folder whose `latest` link `train` keeps."""
    return RUNS_ROOT.resolve() in run_dir.resolve().parents


def point_latest(run_dir: Path, link: Path = LATEST) -> None:
    """Make `runs/latest` (or `link`, such as `runs/latest-lm`) a symbolic link to `run_dir`."""
    check_latest_replaceable(link)
    link.parent.mkdir(exist_ok=True)
    target = run_dir.resolve()
    if target.parent == link.parent.resolve():
        target = Path(target.name)  # relative link: the runs folder can move
    tmp = link.parent / f".{link.name}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    try:
        tmp.symlink_to(target, target_is_directory=True)
        os.replace(tmp, link)
    finally:
        tmp.unlink(missing_ok=True)


def resolve_run_dir(path: Path | None) -> Path:
    """The given run directory, or `runs/latest`; a clear error when there is none."""
    if path is None:
        if not LATEST.exists():
            raise UserError(
                f"no trained model at {LATEST}: run `sentiment-rnn train` first, or pass --model DIR"
            )
        return LATEST
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: is a file, not a run directory (a folder made by train or baseline)")
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
    meta = read_json(check_run_file(run_dir, META, MAX_BYTES[META]))
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version > RUN_FORMAT_VERSION:
        raise UserError(
            f"{meta_path}: run format version {version}, written by a newer sentiment-rnn; "
            f"this sentiment-rnn {__version__} reads version {RUN_FORMAT_VERSION} only (upgrade it)"
        )
    if version != RUN_FORMAT_VERSION:
        raise UserError(
            f"{meta_path}: run format version {version!r}; this sentiment-rnn {__version__} "
            f"reads version {RUN_FORMAT_VERSION} only"
        )
    return meta


def read_labels(run_dir: Path) -> list[str]:
    """labels.json: the class order, at least two label strings."""
    labels = read_json(run_dir / LABELS)
    if not (isinstance(labels, list) and len(labels) >= 2 and all(isinstance(x, str) for x in labels)):
        raise UserError(f"{run_dir / LABELS}: expected a list of at least 2 label strings")
    return labels




def run_kind(run_dir: Path) -> str | None:
    """The kind meta.json records ("rnn", "baseline"); meta.json is checked as `read_meta` does."""
    return read_meta(run_dir).get("kind")


def open_run(path: Path | None, kind: str, hint: str | None = None) -> tuple[Path, dict]:
    """A finished run of `kind` (None: runs/latest): its directory and meta.json.

    Another kind, or a missing file, is a UserError naming it; `hint` replaces the generic
    "where ... is expected" when the run is of the other known kind.
    """
    run_dir = resolve_run_dir(path)
    meta = read_meta(run_dir)
    found = meta.get("kind")
    if found != kind:
        if hint is not None and found in KINDS:
            raise UserError(f"{run_dir}: {KINDS[found].name}; {hint}")
        raise UserError(
            f"{run_dir}: a {found!r} run, where {KINDS[kind].name} (kind {kind!r}) is expected"
        )
    missing = [name for name in KINDS[kind].required if not (run_dir / name).is_file()]
    if missing:
        raise UserError(f"{run_dir}: missing file(s) {', '.join(missing)}; the run is incomplete")
    for name in KINDS[kind].required:  # sizes and links, then checksums: before any parsing
        check_run_file(run_dir, name, MAX_BYTES.get(name, 1 << 40))
    verify_checksums(run_dir, meta, KINDS[kind].checked)
    return run_dir, meta


def write_meta(run_dir: Path, kind: str, versions: dict, num_parameters: int) -> None:
    """meta.json, last: format version, kind, `versions`, time, size, every saved file's SHA-256."""
    write_json(run_dir / META, {
        "format_version": RUN_FORMAT_VERSION,
        "kind": kind,
        **versions,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "num_parameters": num_parameters,
        "sha256": checksums(run_dir, KINDS[kind].saved),
    })


def record_file(run_dir: Path, name: str, key: str, facts: dict) -> None:
    """Record a file added to a finished run (an exported model) in meta.json: its SHA-256, and
    `facts` under `key`. A run saved without checksums gets them for all its files now."""
    meta = read_meta(run_dir)
    assert name in KINDS[meta["kind"]].added, f"{name} is not a file added to {meta['kind']} runs"
    sha256 = dict(meta.get("sha256") or checksums(run_dir, KINDS[meta["kind"]].saved))
    sha256[name] = sha256_file(run_dir / name)
    write_json(run_dir / META, {**meta, "sha256": sha256, key: facts})


def read_metrics(run_dir: Path) -> dict:
    """metrics.json ({} when the run has none); a damaged one is a UserError naming it."""
    path = run_dir / METRICS
    if not path.is_file():
        return {}
    metrics = read_json(path)
    if not isinstance(metrics, dict):
        raise UserError(f"{path}: expected a JSON object of figures")
    return metrics


def read_history(run_dir: Path) -> list[dict]:
    """history.jsonl, one record per epoch ([] when the run has none)."""
    path = run_dir / HISTORY
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise UserError(f"{path}, line {number}: not readable JSON ({err})") from None
    return records
