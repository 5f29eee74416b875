"""`evaluate`: a run's metrics on its own test split or on any labelled file."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from sentiment_rnn.errors import UserError
from sentiment_rnn.metrics import classification_report
from sentiment_rnn.predict import load_predictor


def evaluate(model_dir: Path | None, data: Path | None = None, backend: str | None = None) -> dict:
    """Accuracy, macro-F1, per-class figures and the confusion matrix, with their source."""
    from sentiment_rnn.data import check_labels, load_dataset, read_split  # pandas: evaluate only

    predictor = load_predictor(model_dir, backend)  # an RNN run (torch or ONNX) or a baseline run
    config = predictor.config
    if data is not None:
        split = read_split(data, config.data.text_column, config.data.label_column)
    else:  # the run's own test split, rebuilt exactly as training carved it
        split = load_dataset(config.data, config.seed, show_progress=False).test
        if split is None:
            raise UserError(f"{predictor.path}: the run has no test split; pass --data FILE")
    check_labels(split, predictor.labels)
    start = time.perf_counter()
    probabilities = predictor.predict_proba(split.texts)
    seconds = time.perf_counter() - start
    index = {label: i for i, label in enumerate(predictor.labels)}
    report = classification_report(
        [index[label] for label in split.labels],
        np.asarray(probabilities).argmax(axis=1).tolist(),
        predictor.labels,
    )
    return {
        "model": str(predictor.path),
        "data": split.source,
        **report,
        "predict_seconds": seconds,  # tokenizing and predicting, not reading or loading
        "texts_per_second": len(split) / seconds,
        "backend": predictor.backend,
    }
