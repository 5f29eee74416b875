"""A finished run of any kind, ready to classify: the dispatch on the run's kind and backend.

Every predictor offers `.labels`, `.backend`, `.path`, `.config`, `.meta`,
`.predict_proba(texts)` (N, C) and `.predict(texts)` (a list of `texts.Prediction`).
"""

from __future__ import annotations

from pathlib import Path

from sentiment_rnn.errors import UserError
from sentiment_rnn.texts import Classifier

BACKENDS = ("torch", "onnx")


def load_predictor(path: Path | None = None, backend: str | None = None,
                   threads: int | None = None) -> Classifier:
    """A finished run: `Predictor` or `OnnxPredictor` (RNN) or `BaselineModel` (bag of words).

    An RNN run with `model.onnx` (from `sentiment-rnn export`) is read with onnxruntime when it
    is installed, without importing torch; `backend` ("torch" or "onnx") forces one. `threads`
    sets onnxruntime's compute threads (torch's are the caller's to set: a process-wide
    setting). scikit-learn and SciPy are imported only for a baseline run.
    """
    from sentiment_rnn.runs import ONNX, resolve_run_dir, run_kind

    if backend not in (None, *BACKENDS):
        raise UserError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
    run_dir = resolve_run_dir(path)
    if run_kind(run_dir) == "baseline":
        if backend is not None:
            raise UserError(
                f"{run_dir}: a baseline run predicts with NumPy; --backend applies to RNN runs only"
            )
        from sentiment_rnn.baseline.model import BaselineModel

        return BaselineModel.from_dir(run_dir)
    has_graph = (run_dir / ONNX).is_file()
    if backend == "onnx" and not has_graph:
        raise UserError(
            f"{run_dir}: no {ONNX}; run `sentiment-rnn export --model {run_dir}` first, "
            "or pass --backend torch"
        )
    if backend == "onnx" or (backend is None and has_graph and _onnxruntime_installed()):
        from sentiment_rnn.rnn.onnx_predictor import OnnxPredictor

        return OnnxPredictor.from_dir(run_dir, threads)
    from sentiment_rnn.rnn.predictor import Predictor  # torch: only for this backend

    return Predictor.from_dir(run_dir)


def _onnxruntime_installed() -> bool:
    try:
        import onnxruntime  # noqa: F401  (the ONNX backend imports it next anyway)
    except ImportError:
        return False
    return True
