"""Labels that differ only by name: --label-map, data.label_map, recognised synonyms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import TINY_CONFIG, make_rows, write_csv, write_dataset
from sentiment_rnn.cli import app
from sentiment_rnn.data.label_map import parse_label_map, recognise
from sentiment_rnn.errors import UserError

NEGPOS = {"negative": "neg", "positive": "pos"}


def invoke(args):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def renamed_file(path: Path, names: dict[str, str]) -> Path:
    return write_csv(path, [(text, names[label]) for text, label in make_rows(40, 9)])


def test_parse_label_map() -> None:
    assert parse_label_map("neg=negative, pos=positive") == {"neg": "negative", "pos": "positive"}
    for bad in ("neg", "neg=", "=negative", "neg=negative,,pos=positive"):
        with pytest.raises(UserError, match="is not FILE_LABEL=MODEL_LABEL"):
            parse_label_map(bad)
    with pytest.raises(UserError, match="'neg' is mapped twice"):
        parse_label_map("neg=negative,neg=positive")


@pytest.mark.parametrize("found, known, expected", [
    (["0", "1"], ["negative", "positive"], {"0": "negative", "1": "positive"}),
    (["neg", "pos"], ["negative", "positive"], {"neg": "negative", "pos": "positive"}),
    (["NEG", "Pos"], ["negative", "positive"], {"NEG": "negative", "Pos": "positive"}),
    (["negative", "positive"], ["neg", "pos"], {"negative": "neg", "positive": "pos"}),
    (["negative", "positive"], ["negative", "positive"], None),
    (["bad", "good"], ["negative", "positive"], None),
])
def test_recognised_synonyms(found, known, expected) -> None:
    assert recognise(found, known) == expected


def test_evaluate_recognises_neg_pos_and_says_so(trained_run: Path, tmp_path: Path) -> None:
    data = renamed_file(tmp_path / "negpos.csv", NEGPOS)
    result = invoke(["evaluate", "--model", trained_run, "--data", data, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["label_map"] == {"neg": "negative", "pos": "positive"}
    assert "read as neg=negative,pos=positive (recognised synonyms" in report["notes"][0]
    assert report["num_examples"] == 40


def test_evaluate_with_an_explicit_map(trained_run: Path, tmp_path: Path) -> None:
    data = renamed_file(tmp_path / "badgood.csv", {"negative": "bad", "positive": "good"})
    unmapped = invoke(["evaluate", "--model", trained_run, "--data", data])
    assert unmapped.exit_code == 1 and "never seen in training" in unmapped.output
    mapped = invoke(["evaluate", "--model", trained_run, "--data", data, "--format", "json",
                     "--label-map", "bad=negative,good=positive"])
    assert mapped.exit_code == 0, mapped.output
    assert json.loads(mapped.stdout)["notes"] == []


@pytest.mark.parametrize("bad, message", [
    ("neg=negative,pos=great", "maps to label(s) ['great'] that the model does not know"),
    ("neg", "'neg' is not FILE_LABEL=MODEL_LABEL"),
])
def test_bad_maps_are_one_line_errors(trained_run: Path, tmp_path: Path, bad, message) -> None:
    data = renamed_file(tmp_path / "negpos.csv", NEGPOS)
    result = invoke(["evaluate", "--model", trained_run, "--data", data, "--label-map", bad])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output


def test_training_data_takes_the_map_from_the_config(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "data")
    for path in data.values():
        lines = Path(path).read_text(encoding="utf-8").splitlines()[1:]
        write_csv(Path(path), [(line.rsplit(",", 1)[0], NEGPOS[line.rsplit(",", 1)[1]])
                               for line in lines])
    config = {**TINY_CONFIG, "data": {**data, "label_map": {"neg": "negative", "pos": "positive"}},
              "training": {**TINY_CONFIG["training"], "epochs": 1}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = invoke(["train", "--config", path, "--output", tmp_path / "run"])
    assert result.exit_code == 0, result.output
    labels = json.loads((tmp_path / "run" / "labels.json").read_text(encoding="utf-8"))
    assert labels == ["negative", "positive"]
