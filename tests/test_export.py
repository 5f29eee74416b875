"""`sentiment-rnn export` and the ONNX backend: parity with torch, checksums, no torch imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from serve_helpers import environment, exported_copy
from typer.testing import CliRunner

from sentiment_rnn.cli import app
from sentiment_rnn.config import ModelConfig
from sentiment_rnn.predictors import load_predictor
from sentiment_rnn.rnn.model import SentimentRNN
from sentiment_rnn.rnn.predictor import Predictor

pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")
pytest.importorskip("onnx", reason="the [onnx] extra is not installed")

from sentiment_rnn.rnn.export import TOLERANCE, onnx_bytes  # noqa: E402
from sentiment_rnn.rnn.onnx_predictor import OnnxPredictor, session_from_bytes  # noqa: E402
from sentiment_rnn.runs import ONNX  # noqa: E402

CELLS, POOLINGS = ["rnn", "lstm", "gru"], ["last", "mean", "max", "mean_max"]
TEXTS = ["the plot was not great", "superb", "the cast was dull , the ending was not clever at all"]
runner = CliRunner()


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", POOLINGS)
def test_onnx_logits_match_torch_on_a_padded_batch_of_mixed_lengths(
    cell: str, bidirectional: bool, pooling: str
) -> None:
    torch.manual_seed(0)
    config = ModelConfig(cell=cell, embedding_dim=12, hidden_size=10, num_layers=2,
                         bidirectional=bidirectional, pooling=pooling)
    model = SentimentRNN(40, 3, config).eval()
    session = session_from_bytes(onnx_bytes(model))  # traced on a batch of 2 texts of length 3
    lengths = torch.tensor([11, 1, 6, 3, 9])  # other batch size and lengths than the trace
    ids = torch.randint(1, 40, (5, 11))
    ids[torch.arange(11).unsqueeze(0) >= lengths.unsqueeze(1)] = 7  # junk in the padding
    found = session.run(None, {"input_ids": ids.numpy(), "lengths": lengths.numpy()})[0]
    with torch.no_grad():
        batched = model(ids, lengths).numpy()
        alone = np.concatenate([model(ids[i : i + 1, :n], lengths[i : i + 1]).numpy()
                                for i, n in enumerate(lengths.tolist())])
    assert found.shape == (5, 3)
    assert np.abs(found - batched).max() < TOLERANCE
    assert np.abs(found - alone).max() < TOLERANCE  # padding changes nothing under onnxruntime


@pytest.fixture(scope="module")
def exported(trained_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return exported_copy(trained_run, tmp_path_factory.mktemp("export"))


def test_export_writes_the_graph_and_records_its_checksum(exported: Path) -> None:
    meta = json.loads((exported / "meta.json").read_text())
    assert (exported / ONNX).stat().st_size > 1000
    import hashlib

    assert meta["sha256"][ONNX] == hashlib.sha256((exported / ONNX).read_bytes()).hexdigest()
    assert meta["onnx"]["max_difference"] < TOLERANCE
    assert meta["sha256"]["model.safetensors"]  # the other files are still recorded


def test_both_backends_give_the_same_answers(exported: Path) -> None:
    onnx, torch_ = load_predictor(exported), load_predictor(exported, "torch")
    assert isinstance(onnx, OnnxPredictor) and isinstance(torch_, Predictor)
    assert np.abs(onnx.predict_proba(TEXTS) - torch_.predict_proba(TEXTS).numpy()).max() < 1e-5
    assert [p.label for p in onnx.predict(TEXTS)] == [p.label for p in torch_.predict(TEXTS)]


def test_the_onnx_backend_applies_the_runs_temperature_and_gives_unknown_shares(
    exported: Path, tmp_path: Path
) -> None:
    import hashlib
    import shutil

    from sentiment_rnn.calibration import scale

    run = shutil.copytree(exported, tmp_path / "run")
    (run / "temperature.json").write_text(json.dumps({"temperature": 3.0}), encoding="utf-8")
    meta = json.loads((run / "meta.json").read_text())
    meta["sha256"]["temperature.json"] = hashlib.sha256(
        (run / "temperature.json").read_bytes()).hexdigest()
    (run / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    onnx, torch_ = load_predictor(run, "onnx"), load_predictor(run, "torch")
    assert isinstance(onnx, OnnxPredictor) and onnx.temperature == torch_.temperature == 3.0
    raw, calibrated = np.asarray(onnx.raw_proba(TEXTS)), np.asarray(onnx.predict_proba(TEXTS))
    assert np.abs(calibrated - scale(raw, 3.0)).max() < 1e-6
    assert np.abs(calibrated - raw).max() > 1e-3  # the temperature changed the answers
    assert np.abs(calibrated - torch_.predict_proba(TEXTS).numpy()).max() < 1e-5
    texts = [*TEXTS, "zxqv wvxq the"]
    onnx_rows = [p.as_dict() for p in onnx.predict(texts)]
    torch_rows = [p.as_dict() for p in torch_.predict(texts)]
    assert [r["unknown_share"] for r in onnx_rows] == [r["unknown_share"] for r in torch_rows]
    assert onnx_rows[-1]["unknown_share"] > 0.5
    for a, b in zip(onnx_rows, torch_rows, strict=True):
        assert a["label"] == b["label"]
        for label in a["probabilities"]:
            assert abs(a["probabilities"][label] - b["probabilities"][label]) < 1e-5


def test_predict_and_evaluate_say_which_backend_ran(exported: Path, trained_run: Path) -> None:
    for args, backend in (([], "onnx"), (["--backend", "torch"], "torch"),
                          (["--backend", "onnx"], "onnx")):
        result = runner.invoke(app, ["predict", *TEXTS, "--model", str(exported),
                                     "--format", "json", *args])
        assert result.exit_code == 0, result.output
        assert {row["backend"] for row in json.loads(result.output)} == {backend}
    reports = {}
    for backend in ("torch", "onnx"):
        result = runner.invoke(app, ["evaluate", "--model", str(exported), "--format", "json",
                                     "--backend", backend])
        assert result.exit_code == 0, result.output
        reports[backend] = json.loads(result.output)
        assert reports[backend]["backend"] == backend
    assert reports["torch"]["confusion_matrix"] == reports["onnx"]["confusion_matrix"]
    result = runner.invoke(app, ["predict", "fine", "--model", str(trained_run), "--format", "json"])
    assert json.loads(result.output)[0]["backend"] == "torch"  # no graph: torch


def test_onnx_backend_without_a_graph_says_to_export(trained_run: Path) -> None:
    result = runner.invoke(app, ["predict", "fine", "--model", str(trained_run), "--backend", "onnx"])
    assert result.exit_code == 1
    assert "no model.onnx" in result.output and "sentiment-rnn export" in result.output


def test_a_changed_graph_is_refused(exported: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "changed"
    shutil.copytree(exported, copy)
    data = bytearray((copy / ONNX).read_bytes())
    data[-10] ^= 1
    (copy / ONNX).write_bytes(bytes(data))
    result = runner.invoke(app, ["predict", "fine", "--model", str(copy)])
    assert result.exit_code == 1
    assert "model.onnx: SHA-256 differs" in result.output


def test_a_graph_not_recorded_in_meta_is_refused(trained_run: Path, exported: Path,
                                                 tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "unrecorded"
    shutil.copytree(trained_run, copy)
    shutil.copy(exported / ONNX, copy / ONNX)  # dropped in by hand: meta.json knows nothing of it
    result = runner.invoke(app, ["predict", "fine", "--model", str(copy)])
    assert result.exit_code == 1 and "no SHA-256 recorded for model.onnx" in result.output


def test_export_refuses_a_baseline_run(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "meta.json").write_text(json.dumps({"format_version": 1, "kind": "baseline"}))
    result = runner.invoke(app, ["export", "--model", str(tmp_path / "base")])
    assert result.exit_code == 1 and "a baseline run" in result.output


NO_TORCH = """
import io, json, sys
from contextlib import redirect_stdout
from sentiment_rnn.cli import app
run, data = sys.argv[1], sys.argv[2]
for argv in (["predict", "this movie is not good", "--model", run, "--format", "json"],
             ["evaluate", "--model", run, "--data", data, "--format", "json"]):
    out = io.StringIO()
    with redirect_stdout(out):
        try:
            app(argv)
        except SystemExit as stop:
            assert stop.code == 0, (argv, stop.code)
    assert "onnx" in out.getvalue()
from sentiment_rnn.serving.runner import load
from sentiment_rnn.serving.settings import Settings
from sentiment_rnn.serving.app import create_app
create_app(Settings(model=run), load(Settings(model=run)))
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] == "torch")))
"""


def test_predict_evaluate_and_serve_import_no_torch_with_a_graph(exported: Path) -> None:
    pytest.importorskip("fastapi", reason="the [serve] extra is not installed")
    config = json.loads(json.dumps(__import__("yaml").safe_load((exported / "config.yaml").read_text())))
    result = subprocess.run([sys.executable, "-c", NO_TORCH, str(exported), config["data"]["test"]],
                            env=environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


BLOCK_ONNXRUNTIME = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "onnxruntime":
            raise ImportError(name)
sys.meta_path.insert(0, Block())
from sentiment_rnn.cli import app
app(sys.argv[1:])
"""


def test_without_onnxruntime_torch_answers_and_forcing_onnx_names_the_extra(exported: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", BLOCK_ONNXRUNTIME, "predict", "fine",
                               "--model", str(exported), "--format", "json", *args],
                              env=environment(), capture_output=True, text=True, timeout=300)

    fallback = run()
    assert fallback.returncode == 0, fallback.stderr
    assert json.loads(fallback.stdout)[0]["backend"] == "torch"
    forced = run("--backend", "onnx")
    assert forced.returncode == 1
    assert forced.stderr.strip() == ('error: the ONNX backend needs onnxruntime: pip install -e '
                                     '".[onnx]" (or pass --backend torch)')


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_explain_from_the_graph_matches_torch(tmp_path: Path, pooling: str,
                                              bidirectional: bool) -> None:
    """One direction: torch's one pass against the graph's prefix runs; both: prefix runs."""
    from test_explain import make_run

    from sentiment_rnn.evaluation.explain import explain_predictor, explain_run
    from sentiment_rnn.rnn.export import export_onnx

    (tmp_path / "run").mkdir()
    run = make_run(tmp_path / "run", {"cell": "gru", "pooling": pooling, "num_layers": 2,
                                      "bidirectional": bidirectional})
    export_onnx(tmp_path / "run")
    text = "the movie was not good , but the cast was great !"
    expected, found = explain_run(run, text), explain_predictor(load_predictor(tmp_path / "run"), text)
    assert found.trajectory_method == "prefix_runs"
    assert expected.trajectory_method == ("prefix_runs" if bidirectional else "prefix_pooling")
    assert found.tokens == expected.tokens and found.label == expected.label
    assert np.abs(np.array(found.trajectory) - np.array(expected.trajectory)).max() < 1e-5
    assert np.abs(np.array(found.importance) - np.array(expected.importance)).max() < 1e-5
    assert found.flips == expected.flips
