"""A finished run of any kind, ready to classify: the dispatch on the run's kind.

Every predictor offers `.labels`, `.path`, `.config`, `.meta`, `.predict_proba(texts)` (N, C)
and `.predict(texts)` (a list of `texts.Prediction`). Another backend for the same run (an
exported model, say) is one more branch here.
"""

from __future__ import annotations

from pathlib import Path

from sentiment_rnn.texts import Classifier


def load_predictor(path: Path | None = None) -> Classifier:
    """A finished run of either kind: `Predictor` (RNN) or `BaselineModel` (bag of words).

    Both offer `.labels`, `.predict_proba(texts)` and `.predict(texts)`. scikit-learn and SciPy
    are imported only for a baseline run.
    """
    from sentiment_rnn.runs import resolve_run_dir, run_kind

    run_dir = resolve_run_dir(path)
    if run_kind(run_dir) == "baseline":
        from sentiment_rnn.baseline.model import BaselineModel

        return BaselineModel.from_dir(run_dir)
    from sentiment_rnn.rnn.predictor import Predictor  # torch: only for an RNN run

    return Predictor.from_dir(run_dir)
