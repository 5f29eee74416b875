"""`evaluate`: a run's metrics on its own test split or on any labelled file."""

from __future__ import annotations

import time
from pathlib import Path

from sentiment_rnn.errors import UserError
from sentiment_rnn.metrics import score
from sentiment_rnn.predictors import load_predictor


def evaluate(model_dir: Path | None, data: Path | None = None) -> dict:
    """Accuracy, macro-F1, per-class figures and the confusion matrix, with their source."""
    from sentiment_rnn.data.dataset import (  # pandas: evaluate only
        check_labels,
        load_dataset,
        read_split,
    )

    predictor = load_predictor(model_dir)  # an RNN run or a baseline run
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
    figures = score([index[label] for label in split.labels], probabilities, predictor.labels)
    figures.pop("loss")  # not (yet) part of evaluate's output (docs/output-formats.md)
    return {
        "model": str(predictor.path),
        "data": split.source,
        **figures,
        "predict_seconds": seconds,  # tokenizing and predicting, not reading or loading
        "texts_per_second": len(split) / seconds,
    }
