"""Loading a run directory: every missing, mismatched or damaged file is named, never unpickled."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from sentiment_rnn.config import TokenizerConfig
from sentiment_rnn.data.tokenizer import build_tokenizer
from sentiment_rnn.errors import UserError
from sentiment_rnn.rnn.run import load_run

SRC = Path(__file__).resolve().parents[1] / "src" / "sentiment_rnn"


@pytest.fixture
def run_copy(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "copy"))


def test_a_finished_run_loads(run_copy: Path) -> None:
    run = load_run(run_copy)
    assert run.labels == ["negative", "positive"]
    assert not run.model.training


@pytest.mark.parametrize("name", ["model.safetensors", "tokenizer.json", "labels.json", "config.yaml"])
def test_missing_file_is_named(run_copy: Path, name: str) -> None:
    (run_copy / name).unlink()
    with pytest.raises(UserError, match=f"missing file\\(s\\) {re.escape(name)}"):
        load_run(run_copy)


def test_without_meta_it_is_not_a_finished_run(run_copy: Path) -> None:
    (run_copy / "meta.json").unlink()
    with pytest.raises(UserError, match="not a finished run"):
        load_run(run_copy)


def test_other_format_version_is_refused(run_copy: Path) -> None:
    meta = json.loads((run_copy / "meta.json").read_text())
    (run_copy / "meta.json").write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(UserError, match="format version 99"):
        load_run(run_copy)


def test_truncated_weights_are_refused(run_copy: Path) -> None:
    weights = run_copy / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    with pytest.raises(UserError, match="model.safetensors: cannot read weights"):
        load_run(run_copy)


def test_weights_of_another_shape_name_the_tensor(run_copy: Path) -> None:
    weights = run_copy / "model.safetensors"
    state = load_file(weights)
    state["classifier.weight"] = state["classifier.weight"][:, :-1].contiguous()
    save_file(state, weights)
    with pytest.raises(UserError, match="tensor 'classifier.weight' has shape"):
        load_run(run_copy)


def test_tokenizer_that_does_not_match_the_embedding(run_copy: Path) -> None:
    other = build_tokenizer(["just a few words"], TokenizerConfig())
    other.save(str(run_copy / "tokenizer.json"))
    with pytest.raises(UserError, match=r"'embedding.weight'.*tokenizer.json has \d+ tokens"):
        load_run(run_copy)


def test_labels_that_do_not_match_the_classifier(run_copy: Path) -> None:
    (run_copy / "labels.json").write_text(json.dumps(["a", "b", "c"]))
    with pytest.raises(UserError, match="labels.json has 3 labels"):
        load_run(run_copy)


@pytest.mark.parametrize("content", ["[1, 2]", '["only"]', "{broken"])
def test_bad_label_files(run_copy: Path, content: str) -> None:
    (run_copy / "labels.json").write_text(content)
    with pytest.raises(UserError, match="labels.json"):
        load_run(run_copy)


def test_config_with_an_unknown_key_is_named(run_copy: Path) -> None:
    config = run_copy / "config.yaml"
    config.write_text(config.read_text() + "extra: 1\n")
    with pytest.raises(UserError, match="config.yaml: unknown key 'extra'"):
        load_run(run_copy)


def test_no_code_loads_pickles() -> None:
    source = "\n".join(path.read_text() for path in SRC.rglob("*.py"))
    assert "import pickle" not in source
    assert "torch.load(" not in source
    assert "joblib" not in source
