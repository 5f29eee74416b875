"""`evaluate`: a run's metrics on its own test split or on any labelled file."""

from __future__ import annotations

import time
from pathlib import Path

from sentiment_rnn.calibration import calibration_report, scale
from sentiment_rnn.errors import UserError
from sentiment_rnn.metrics import score
from sentiment_rnn.predictors import load_predictor
from sentiment_rnn.texts import unknown_warning


def evaluate(
    model_dir: Path | None,
    data: Path | None = None,
    label_map: dict[str, str] | None = None,
    backend: str | None = None,
) -> dict:
    """Accuracy, macro-F1, per-class figures and the confusion matrix, with their source.

    `label_map` renames the file's labels to the model's (`{"neg": "negative"}`); without it,
    common synonyms (0/1, neg/pos, negative/positive) are recognised and noted in `notes`.
    `backend` ("torch", "onnx") chooses what runs an RNN run (default: torch).
    """
    from sentiment_rnn.data.dataset import (  # pandas: evaluate only
        check_labels,
        load_dataset,
        read_split,
    )

    predictor = load_predictor(model_dir, backend)  # an RNN run (torch or ONNX) or a baseline run
    config = predictor.config
    cached = None if data is not None else _cached_test(predictor)
    if data is not None:
        split = read_split(data, config.data.text_column, config.data.label_column)
    elif cached is not None:  # the ids `train` left in the token cache, with this run's tokenizer
        split, ids = cached
    else:  # the run's own test split, rebuilt exactly as training carved it
        split = load_dataset(config.data, config.seed, show_progress=False).test
        if split is None:
            raise UserError(f"{predictor.path}: the run has no test split; pass --data FILE")
    from sentiment_rnn.data.label_map import relabel

    split, used_map, note = relabel(split, predictor.labels, label_map, "--label-map")
    check_labels(split, predictor.labels)
    notes = [note] if note else []
    if cached is not None:
        from sentiment_rnn.data.tokenizer import UNK_ID

        rate = float((ids.ids == UNK_ID).sum()) / max(1, len(ids.ids))
    else:
        rate = predictor.unknown_rate(split.texts) if hasattr(predictor, "unknown_rate") else None
    if rate is not None and (warning := unknown_warning(rate, split.source)):
        notes.append(warning)
    start = time.perf_counter()
    if cached is not None:
        raw = predictor.proba_of_ids(ids, calibrated=False)
    else:
        raw = getattr(predictor, "raw_proba", predictor.predict_proba)(split.texts)
    temperature = getattr(predictor, "temperature", 1.0)
    probabilities = scale(raw, temperature)
    seconds = time.perf_counter() - start
    index = {label: i for i, label in enumerate(predictor.labels)}
    y_true = [index[label] for label in split.labels]
    figures = score(y_true, probabilities, predictor.labels)
    figures["calibration"] = calibration_report(raw, y_true, temperature)
    figures.pop("loss")  # not (yet) part of evaluate's output (docs/output-formats.md)
    return {
        "model": str(predictor.path),
        "data": split.source,
        "label_map": used_map,
        "unknown_word_rate": rate,
        "notes": notes,
        **figures,
        "predict_seconds": seconds,  # tokenizing and predicting, not reading or loading
        "texts_per_second": len(split) / seconds,
        "backend": predictor.backend,
        "warnings": absent_classes(split, predictor.labels),
    }


def _cached_test(predictor):
    """(test split, its ids) from the token cache for an RNN run on data files, or None."""
    if not hasattr(predictor, "proba_of_ids"):
        return None  # a baseline run: its features come from the texts
    from sentiment_rnn.data.tokens import cached_split

    return cached_split(predictor.config, "test", predictor.run.tokenizer)


def absent_classes(split, labels: list[str]) -> list[str]:
    """A note when the data lacks some of the model's classes: macro-F1 averages over every
    class, and an absent one counts 0 (one class of two present gives at most 0.5)."""
    absent = [label for label in labels if label not in set(split.labels)]
    if not absent:
        return []
    return [f"{split.source} holds no example of {', '.join(map(repr, absent))} (only "
            f"{len(labels) - len(absent)} of the model's {len(labels)} classes): macro-F1 "
            "averages over all classes and counts each absent one as 0; read accuracy and the "
            "per-class figures instead"]
