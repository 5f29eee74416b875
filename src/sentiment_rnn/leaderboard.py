"""`sentiment-rnn runs`: every run directory under a folder, best dev metric first.

A run directory is any folder with a `config.yaml` (the first file `train` and `baseline` write).
Finished runs (with `meta.json`) show their final dev and test metrics; unfinished ones
(interrupted, or pruned trials of a study) show the best dev figures in their `history.jsonl`.
Nothing is loaded but JSON and YAML: listing a hundred runs reads no weights.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sentiment_rnn import runs
from sentiment_rnn.config import Config, read_config
from sentiment_rnn.errors import UserError

METRICS = ("accuracy", "macro_f1")


def find_run_dirs(root: Path) -> list[Path]:
    """Folders under `root` (itself included) holding a config.yaml; links are not followed."""
    if not root.is_dir():
        raise UserError(f"{root}: no such folder of runs (pass --dir FOLDER)")
    found = []
    for folder, subfolders, files in os.walk(root):
        if runs.CONFIG in files:
            found.append(Path(folder))
            subfolders.clear()  # a run's own subfolders (tensorboard/) hold no runs
    return sorted(found)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _or_empty(read: Callable[[Path], Any], run_dir: Path, empty: Any) -> Any:
    """`runs.read_metrics` / `runs.read_history`, or `empty` for a damaged file: a listing
    shows what it can and never stops at one bad run."""
    try:
        return read(run_dir)
    except (UserError, OSError, UnicodeDecodeError):
        return empty


def _size(run_dir: Path) -> int:
    return sum(path.stat().st_size for path in run_dir.rglob("*") if path.is_file())


def settings(config: Config, kind: str) -> str:
    """The few settings that tell runs apart."""
    if kind.startswith("baseline"):
        b = config.baseline
        return f"C {b.C:g}, n-grams {b.ngram_range[0]}-{b.ngram_range[1]}, min_df {b.min_df}"
    m, t = config.model, config.training
    shape = f"{'bi' if m.bidirectional else ''}{m.cell} {m.num_layers}x{m.hidden_size}"
    return (f"{shape}, emb {m.embedding_dim}, {m.pooling}, dropout {m.dropout:g}, "
            f"lr {t.lr:.3g}, bs {t.batch_size}, len {config.tokenizer.max_length}")


def data_name(config: Config) -> str:
    d = config.data
    if d.source == "files":
        return str(Path(d.train).parent.name + "/" + Path(d.train).name)
    if d.source == "huggingface":
        return f"huggingface {d.hf_name}"
    return d.source


def describe_run(run_dir: Path, root: Path) -> dict[str, Any]:
    """One leaderboard row (unreadable parts are None, never an error)."""
    row: dict[str, Any] = {"run": str(run_dir.relative_to(root)) if run_dir != root else str(root),
                           "path": str(run_dir.resolve())}
    meta = _read_json(run_dir / runs.META)
    metrics = _or_empty(runs.read_metrics, run_dir, {}) if meta else None
    history = [] if meta else _or_empty(runs.read_history, run_dir, [])
    try:
        config = read_config(run_dir / runs.CONFIG)
    except UserError:
        config = None
    kind = "rnn"
    if isinstance(meta, dict) and meta.get("kind") == "baseline":
        kind = f"baseline {meta.get('baseline_kind', '')}".strip()
    row.update(kind=kind, state="finished" if meta else "unfinished",
               data=data_name(config) if config else None,
               settings=settings(config, kind) if config else None)
    for split in ("dev", "test"):
        scores = (metrics or {}).get(split) if isinstance(metrics, dict) else None
        for name in METRICS:
            row[f"{split}_{name}"] = scores.get(name) if isinstance(scores, dict) else None
    if history:  # unfinished: the best epoch so far on the run's own metric
        metric = config.training.metric if config else "accuracy"
        best = max(history, key=lambda r: r.get(f"dev_{metric}", -1.0))
        row.update(dev_accuracy=best.get("dev_accuracy"), dev_macro_f1=best.get("dev_macro_f1"))
        row["state"] = f"unfinished ({len(history)} epoch{'s' if len(history) > 1 else ''})"
    seconds = metrics.get("train_seconds") if isinstance(metrics, dict) else None
    if seconds is None and history:
        seconds = sum(r.get("seconds", 0.0) for r in history)
    row.update(seconds=seconds, bytes=_size(run_dir),
               created=meta.get("created") if isinstance(meta, dict) else None)
    return row


def list_runs(root: Path, metric: str = "accuracy") -> list[dict[str, Any]]:
    """Every run under `root`, best dev `metric` first (runs without one last)."""
    if metric not in METRICS:
        raise UserError(f"--metric {metric!r}: accepted: {', '.join(METRICS)}")
    rows = [describe_run(run_dir, root) for run_dir in find_run_dirs(root)]
    key = f"dev_{metric}"
    return sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0.0), r["run"]))
