"""`sentiment-rnn export`: the classifier as an ONNX graph, written into its run directory.

The graph is `SentimentRNN.forward` traced once: inputs `input_ids` (B, T) int64, right-padded
with `<pad>`, and `lengths` (B,) int64; output `logits` (B, C) float32; B and T are dynamic. The
reversal within each text's length and the masked pooling are part of the graph, so padding
changes no answer under onnxruntime either. Before anything is written, the graph is run on a
padded batch of texts of mixed lengths and its logits are compared with torch's; a difference
above `TOLERANCE` is refused. `model.onnx` is then recorded in `meta.json` with its SHA-256, like
every other file of the run.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import torch

from sentiment_rnn import runs
from sentiment_rnn.errors import UserError
from sentiment_rnn.files import atomic_write
from sentiment_rnn.rnn.onnx_predictor import OPSET, require_onnxruntime, session_from_bytes
from sentiment_rnn.rnn.run import load_run
from sentiment_rnn.runs import ONNX

TOLERANCE = 1e-5  # largest logit difference accepted between torch and onnxruntime
CHECK_LENGTHS = (1, 2, 3, 5, 8, 13, 21, 34)  # texts of mixed lengths in one padded batch


@dataclass
class Exported:
    path: Path
    size: int  # bytes
    max_difference: float  # largest |logit| difference, torch against onnxruntime


def export_onnx(model: Path | None = None) -> Exported:
    """Write `model.onnx` into an RNN run directory and record it in `meta.json`."""
    run_dir = runs.resolve_run_dir(model)
    if runs.run_kind(run_dir) == "baseline":
        raise UserError(
            f"{run_dir}: a baseline run; it already predicts with NumPy alone, without torch. "
            "export takes an RNN run"
        )
    _require_onnx()
    run = load_run(run_dir)
    data = onnx_bytes(run.model)
    difference = parity(run.model, data, run.tokenizer.get_vocab_size())
    if difference > TOLERANCE:
        raise UserError(
            f"{run_dir}: the exported graph's logits differ from torch's by {difference:.2e} "
            f"(more than {TOLERANCE:.0e}); nothing was written"
        )
    try:
        atomic_write(run_dir / ONNX, data)
        record_onnx(run_dir, difference)
    except OSError as err:
        raise UserError(f"{run_dir}: cannot write {ONNX} ({err.strerror or err}); "
                        "the run is unchanged or has a graph not yet recorded") from None
    return Exported(run_dir / ONNX, len(data), difference)


def _require_onnx() -> None:
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
    except ImportError:
        raise UserError(
            "export needs the onnx and onnxruntime packages: pip install -e \".[onnx]\""
        ) from None
    require_onnxruntime()


def onnx_bytes(model: torch.nn.Module) -> bytes:
    """The model as a serialised ONNX graph with dynamic batch size and length."""
    model.eval()
    ids = torch.tensor([[2, 3, 4], [2, 3, 0]])  # (2, 3): an example batch to trace with
    lengths = torch.tensor([3, 2])
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The TorchScript exporter warns that it is the legacy one, and that RNNs with a batch
        # size other than 1 may fail: our graph passes no initial states, so that cannot apply.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (ids, lengths), buffer, dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "lengths"], output_names=["logits"],
            dynamic_axes={"input_ids": {0: "batch", 1: "length"}, "lengths": {0: "batch"},
                          "logits": {0: "batch"}},
        )
    return buffer.getvalue()


@torch.no_grad()
def parity(model: torch.nn.Module, data: bytes, vocab_size: int, seed: int = 0) -> float:
    """Largest logit difference, torch against onnxruntime, on one padded batch of mixed lengths."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor(CHECK_LENGTHS)
    ids = torch.randint(1, vocab_size, (len(CHECK_LENGTHS), max(CHECK_LENGTHS)), generator=generator)
    ids[torch.arange(ids.shape[1]).unsqueeze(0) >= lengths.unsqueeze(1)] = 0  # right padding
    expected = model.eval()(ids, lengths).numpy()  # (B, C)
    session = session_from_bytes(data)
    found = session.run(None, {"input_ids": ids.numpy(), "lengths": lengths.numpy()})[0]
    return float(abs(expected - found).max())


def record_onnx(run_dir: Path, difference: float) -> None:
    """Add model.onnx's SHA-256 and the export's facts to meta.json (rewritten atomically)."""
    runs.record_file(run_dir, ONNX, "onnx", {
        "file": ONNX,
        "opset": OPSET,
        "exported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "torch_version": torch.__version__,
        "max_difference": difference,
    })
