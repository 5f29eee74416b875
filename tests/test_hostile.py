"""Hostile and odd input: damaged or tampered run directories, odd texts, odd --file lines and
unsafe configs. Each is refused with a message naming the file (or text, or line) and the
problem, or answered; never a crash, never a pickle.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from safetensors.torch import load_file, save_file
from typer.testing import CliRunner

from conftest import TINY_CONFIG, write_dataset
from sentiment_rnn.baseline.model import BaselineModel
from sentiment_rnn.baseline.train import train_baseline
from sentiment_rnn.cli import app
from sentiment_rnn.config import TokenizerConfig, load_config, validate_config
from sentiment_rnn.config_file import apply_override
from sentiment_rnn.data.tokenizer import build_tokenizer
from sentiment_rnn.errors import UserError
from sentiment_rnn.predictors import load_predictor
from sentiment_rnn.rnn.model import SentimentRNN
from sentiment_rnn.rnn.predictor import Predictor
from sentiment_rnn.rnn.run import load_run
from sentiment_rnn.runs import CHECKED, sha256_file
from sentiment_rnn.texts import text_problem

SRC = Path(__file__).resolve().parents[1] / "src" / "sentiment_rnn"
MEGABYTE = 1_000_000


def invoke(args: list, **kwargs):
    return CliRunner().invoke(app, [str(arg) for arg in args], **kwargs)


def one_line_error(result, *needles: str) -> str:
    """Exit 1, nothing on stdout, one `error:` line on stderr holding every needle."""
    assert result.exit_code == 1, (result.exit_code, result.output, repr(result.exception))
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def run_copy(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "copy"))


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-baseline")
    config = validate_config({**TINY_CONFIG, "data": write_dataset(root / "data")}, "tiny")
    run_dir, _ = train_baseline(config, root / "run")
    return run_dir


@pytest.fixture(scope="module")
def predictor(trained_run: Path) -> Predictor:
    return Predictor.from_dir(trained_run)


def rehash(run: Path, name: str) -> None:
    """Record `name`'s current SHA-256 in meta.json, as if the run had been saved that way, so
    that the check of what the file holds is reached."""
    meta = json.loads((run / "meta.json").read_text())
    meta["sha256"][name] = sha256_file(run / name)
    (run / "meta.json").write_text(json.dumps(meta))


def edit_meta(run: Path, **changes) -> None:
    meta = json.loads((run / "meta.json").read_text())
    meta.update(changes)
    (run / "meta.json").write_text(json.dumps({k: v for k, v in meta.items() if v is not None}))


def edit_header(path: Path, old: bytes, new: bytes) -> None:
    """Replace bytes inside a safetensors file's JSON header (same length: the file still has
    a well-formed envelope)."""
    data = path.read_bytes()
    size = struct.unpack("<Q", data[:8])[0]
    header = data[8 : 8 + size]
    assert old in header and len(old) == len(new)
    path.write_bytes(data[:8] + header.replace(old, new, 1) + data[8 + size :])


def save_state(run: Path, state: dict) -> None:
    save_file({k: v.contiguous() for k, v in state.items()}, run / "model.safetensors")


# --- run directories ------------------------------------------------------------------------


def test_a_saved_run_records_the_sha256_of_each_file(trained_run: Path, baseline_run: Path) -> None:
    meta = json.loads((trained_run / "meta.json").read_text())
    assert set(CHECKED) <= set(meta["sha256"])
    for name, digest in meta["sha256"].items():
        assert digest == sha256_file(trained_run / name)
    baseline_meta = json.loads((baseline_run / "meta.json").read_text())
    for name in ("baseline.safetensors", "vocabulary.json", "baseline.json", "labels.json"):
        assert baseline_meta["sha256"][name] == sha256_file(baseline_run / name)


def _same_shapes_other_values(run: Path) -> None:
    state = load_file(run / "model.safetensors")
    state["classifier.bias"] = state["classifier.bias"] + 1.0
    save_state(run, state)


def _swap_labels(run: Path) -> None:
    labels = json.loads((run / "labels.json").read_text())
    (run / "labels.json").write_text(json.dumps(labels[::-1]))


def _shorter_max_length(run: Path) -> None:
    config = yaml.safe_load((run / "config.yaml").read_text())
    config["tokenizer"]["max_length"] = 5
    (run / "config.yaml").write_text(yaml.safe_dump(config))


def _tokenizer_words_swapped(run: Path) -> None:
    data = json.loads((run / "tokenizer.json").read_text())
    vocab = data["model"]["vocab"]
    a, b = sorted(word for word in vocab if word not in ("<pad>", "<unk>"))[:2]
    vocab[a], vocab[b] = vocab[b], vocab[a]
    (run / "tokenizer.json").write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("damage", "name"),
    [
        (_same_shapes_other_values, "model.safetensors"),
        (lambda run: edit_header(run / "model.safetensors", b'"format_version":"1"',
                                 b'"format_version":"9"'), "model.safetensors"),
        (_swap_labels, "labels.json"),
        (_shorter_max_length, "config.yaml"),
        (_tokenizer_words_swapped, "tokenizer.json"),
    ],
    ids=["weights-values", "weights-header-metadata", "labels-swapped", "config-max-length",
         "tokenizer-words-swapped"],
)
def test_a_file_changed_after_saving_is_refused_even_if_it_parses(run_copy, damage, name) -> None:
    damage(run_copy)
    with pytest.raises(UserError) as err:
        load_predictor(run_copy)
    message = str(err.value)
    assert message.startswith(f"{run_copy / name}: SHA-256 differs from the one recorded in meta.json")
    assert "\n" not in message


def test_a_run_saved_without_checksums_still_loads(run_copy: Path, trained_run: Path) -> None:
    edit_meta(run_copy, sha256=None)  # as written before checksums were recorded
    texts = ["the plot was superb", "the cast was dull"]
    expected = Predictor.from_dir(trained_run).predict_proba(texts)
    assert torch.equal(load_predictor(run_copy).predict_proba(texts), expected)


@pytest.mark.parametrize(
    ("sha256", "needle"),
    [("abc", "'sha256' should map file names"), ({"labels.json": "0" * 64}, "no SHA-256 recorded")],
)
def test_a_malformed_checksum_record_is_refused(run_copy: Path, sha256, needle: str) -> None:
    edit_meta(run_copy, sha256=sha256)
    with pytest.raises(UserError, match=needle) as err:
        load_run(run_copy)
    assert str(run_copy / "meta.json") in str(err.value)


def _other_hidden_size(run: Path) -> None:
    config = validate_config(yaml.safe_load((run / "config.yaml").read_text()), "run")
    other = config.model.model_copy(update={"hidden_size": config.model.hidden_size * 2})
    vocab = json.loads((run / "tokenizer.json").read_text())["model"]["vocab"]
    save_state(run, SentimentRNN(len(vocab), 2, other).state_dict())


def _other_cell(run: Path) -> None:
    config = validate_config(yaml.safe_load((run / "config.yaml").read_text()), "run")
    other = config.model.model_copy(update={"cell": "rnn"})
    vocab = json.loads((run / "tokenizer.json").read_text())["model"]["vocab"]
    save_state(run, SentimentRNN(len(vocab), 2, other).state_dict())


def _float64_weights(run: Path) -> None:
    save_state(run, {k: v.double() for k, v in load_file(run / "model.safetensors").items()})


def _nan_weights(run: Path) -> None:
    state = load_file(run / "model.safetensors")
    state["classifier.weight"][0, 0] = float("nan")
    save_state(run, state)


def _other_vocabulary(run: Path) -> None:
    build_tokenizer(["only a few words here"], TokenizerConfig()).save(str(run / "tokenizer.json"))


def _truncate(name: str):
    def damage(run: Path) -> None:
        data = (run / name).read_bytes()
        (run / name).write_bytes(data[: len(data) // 2])

    return damage


def _write(name: str, content: str):
    return lambda run: (run / name).write_text(content, encoding="utf-8")


RUN_DAMAGE = {
    # file, damage, what the message must say (besides the file's path)
    "weights truncated": ("model.safetensors", _truncate("model.safetensors"), "cannot read weights"),
    "weights empty": ("model.safetensors", _write("model.safetensors", ""), "cannot read weights"),
    "weights header not JSON": (
        "model.safetensors",
        lambda run: edit_header(run / "model.safetensors", b'{"__metadata__"', b'["__metadata__"'),
        "cannot read weights",
    ),
    "weights header dtype F32->F16": (
        "model.safetensors",
        lambda run: edit_header(run / "model.safetensors", b'"F32"', b'"F16"'),
        "cannot read weights",
    ),
    "weights header dtype F32->I32": (
        "model.safetensors",
        lambda run: edit_header(run / "model.safetensors", b'"F32"', b'"I32"'),
        "the model expects torch.float32",
    ),
    "weights header length huge": (
        "model.safetensors",
        lambda run: (run / "model.safetensors").write_bytes(
            struct.pack("<Q", 2**62) + (run / "model.safetensors").read_bytes()[8:]
        ),
        "cannot read weights",
    ),
    "weights float64": ("model.safetensors", _float64_weights, "is torch.float64, the model expects torch.float32"),
    "weights with NaN": ("model.safetensors", _nan_weights, "holds NaN or infinite values"),
    "weights of another hidden_size": ("model.safetensors", _other_hidden_size, "has shape"),
    "weights of another cell": ("model.safetensors", _other_cell, "config.yaml: cell 'lstm'"),
    "tokenizer of another vocabulary size": (
        "model.safetensors", _other_vocabulary, "tokenizer.json has",
    ),
    "tokenizer truncated": ("tokenizer.json", _truncate("tokenizer.json"), "not a valid tokenizer file"),
    "tokenizer not JSON": ("tokenizer.json", _write("tokenizer.json", "\x00\x01 not json"), "not a valid tokenizer file"),
    "tokenizer without <pad>": (
        "tokenizer.json",
        lambda run: _write("tokenizer.json", (run / "tokenizer.json").read_text().replace('"<pad>"', '"<PAD>"'))(run),
        "expected <pad> at id 0",
    ),
    "labels truncated": ("labels.json", _truncate("labels.json"), "not readable JSON"),
    "labels nested 100,000 deep": ("labels.json", _write("labels.json", "[" * 100_000 + "]" * 100_000), "not readable JSON"),
    "labels not strings": ("labels.json", _write("labels.json", "[0, 1]"), "list of at least 2 label strings"),
    "labels of another count": ("model.safetensors", _write("labels.json", '["a", "b", "c"]'), "labels.json has 3 labels"),
    "config invalid YAML": ("config.yaml", _write("config.yaml", "model: [unclosed\n"), "invalid YAML"),
    "config invalid value": (
        "config.yaml",
        lambda run: _write("config.yaml", (run / "config.yaml").read_text().replace("cell: lstm", "cell: transformer"))(run),
        "model.cell",
    ),
    "config with a python tag": (
        "config.yaml", _write("config.yaml", "model: !!python/object/apply:os.system ['true']\n"), "invalid YAML",
    ),
    "config of another hidden_size": (
        "model.safetensors",
        lambda run: _write("config.yaml", (run / "config.yaml").read_text().replace("hidden_size: 16", "hidden_size: 32"))(run),
        "has shape",
    ),
}


@pytest.mark.parametrize("case", list(RUN_DAMAGE))
def test_a_damaged_run_file_is_named_with_its_problem(run_copy: Path, case: str) -> None:
    name, damage, needle = RUN_DAMAGE[case]
    damage(run_copy)
    for changed in CHECKED:  # as if saved that way: the file's own check must catch it
        rehash(run_copy, changed)
    with pytest.raises(UserError) as err:
        load_predictor(run_copy)
    message = str(err.value)
    assert message.startswith(str(run_copy / name)), message
    assert needle in message, message
    assert "\n" not in message and len(message) < 500, message


@pytest.mark.parametrize("case", ["weights truncated", "labels not strings", "config invalid YAML"])
def test_a_damaged_run_is_a_one_line_cli_error(run_copy: Path, case: str) -> None:
    name, damage, needle = RUN_DAMAGE[case]
    damage(run_copy)
    one_line_error(invoke(["predict", "--model", run_copy, "good film"]), str(run_copy / name), needle)


@pytest.mark.parametrize(
    ("version", "needles"),
    [
        (2, ["format version 2, written by a newer sentiment-rnn", "reads version 1 only"]),
        (0, ["format version 0", "reads version 1 only"]),
        ("1", ["format version '1'"]),
        (None, ["format version None"]),
    ],
)
def test_a_run_of_another_format_version_is_refused(run_copy: Path, version, needles) -> None:
    meta = json.loads((run_copy / "meta.json").read_text())
    meta["format_version"] = version
    (run_copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(UserError) as err:
        load_predictor(run_copy)
    assert str(err.value).startswith(str(run_copy / "meta.json"))
    for needle in needles:
        assert needle in str(err.value)


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", "", "\xff"])
def test_a_damaged_meta_json_is_refused(run_copy: Path, content: str) -> None:
    (run_copy / "meta.json").write_text(content, encoding="latin-1")
    with pytest.raises(UserError, match="meta.json") as err:
        load_predictor(run_copy)
    assert str(run_copy) in str(err.value)


def _baseline_vocabulary_edited(run: Path) -> None:
    vocabulary = json.loads((run / "vocabulary.json").read_text())
    vocabulary[0], vocabulary[1] = vocabulary[1], vocabulary[0]
    (run / "vocabulary.json").write_text(json.dumps(vocabulary))


def _baseline_arrays_edited(run: Path) -> None:
    from safetensors.numpy import load_file as load_np
    from safetensors.numpy import save_file as save_np

    arrays = load_np(run / "baseline.safetensors")
    arrays["intercept"] = arrays["intercept"] + 1.0
    save_np(arrays, run / "baseline.safetensors")


@pytest.mark.parametrize(
    ("damage", "name"),
    [(_baseline_vocabulary_edited, "vocabulary.json"), (_baseline_arrays_edited, "baseline.safetensors"),
     (_swap_labels, "labels.json")],
)
def test_a_baseline_file_changed_after_saving_is_refused(baseline_run, tmp_path, damage, name) -> None:
    run = Path(shutil.copytree(baseline_run, tmp_path / "copy"))
    damage(run)
    with pytest.raises(UserError, match="SHA-256 differs") as err:
        load_predictor(run)
    assert str(err.value).startswith(str(run / name))
    edit_meta(run, sha256=None)  # a baseline saved before checksums loads unchecked
    assert isinstance(load_predictor(run), BaselineModel)


def test_baseline_arrays_with_nan_are_refused(baseline_run: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file as load_np
    from safetensors.numpy import save_file as save_np

    run = Path(shutil.copytree(baseline_run, tmp_path / "copy"))
    arrays = load_np(run / "baseline.safetensors")
    arrays["coef"][0, 0] = np.inf
    save_np(arrays, run / "baseline.safetensors")
    with pytest.raises(UserError, match="array 'coef' holds NaN or infinite values"):
        load_predictor(run)


# --- no pickle anywhere ---------------------------------------------------------------------

UNPICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}


def unpickling_calls(source: str) -> list[str]:
    """What in `source` can unpickle: imports of pickle-like modules, torch.load (under any
    name), numpy.load with allow_pickle=True, pandas.read_pickle."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in UNPICKLING_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            names = {a.name for a in node.names}
            if root in UNPICKLING_MODULES:
                found.append(node.module)
            if root == "torch" and names & {"load", "serialization"}:
                found.append(f"from {node.module} import {names}")
        elif isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name.endswith(("torch.load", "serialization.load", "read_pickle", ".loads")) and "json" not in name:
                found.append(name)
            if any(k.arg == "allow_pickle" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                   for k in node.keywords):
                found.append(f"{name}(allow_pickle=...)")
            if any(k.arg == "weights_only" for k in node.keywords):
                found.append(f"{name}(weights_only=...)")
    return found


@pytest.mark.parametrize(
    "snippet",
    ["import pickle", "from joblib import load", "import torch\ntorch.load(p)",
     "from torch import load", "import numpy as np\nnp.load(p, allow_pickle=True)",
     "import pandas as pd\npd.read_pickle(p)", "x = torch.load(p, weights_only=True)"],
)
def test_the_pickle_scanner_sees_each_way_in(snippet: str) -> None:
    assert unpickling_calls(snippet)


def test_no_source_file_can_unpickle() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20
    found = {str(p.relative_to(SRC)): unpickling_calls(p.read_text(encoding="utf-8")) for p in files}
    assert {path: calls for path, calls in found.items() if calls} == {}


# --- odd texts through the library ----------------------------------------------------------

ODD_TEXTS = {
    "1 MB of words": ("the plot was superb and the cast was dull " * 25_000)[:MEGABYTE],
    "one token 100,000 times": "superb " * 100_000,
    "1 MB without a space": "a" * MEGABYTE,
    "1 MB of punctuation": "!?" * (MEGABYTE // 2),
    "emoji": "😀👍🏽 the plot was superb 🎬🍿 👨‍👩‍👧",
    "CJK": "这部电影很好看 映画はとても良かった 영화가 좋았다",
    "Arabic and Hebrew": "الفيلم رائع جدا \u200f הסרט היה נהדר",
    "combining marks": "the plot was su\u0301pe\u0308rb Z\u0351\u0360a\u0362l\u0335go\u0337",
    "control characters inside": "the plot\x00 was\x01 superb\x1b[31m\x7f",
    "NUL bytes around a word": "\x00" * 1000 + "superb" + "\x00" * 1000,
    "tabs and newlines": "the plot\twas\n\nsuperb\r\n",
    "one symbol": "!",
    "markup only": "<br /><br />",
    "private use and unassigned": "\ue000\U0010fffd\u0378",
}


@pytest.mark.parametrize("kind", ["rnn", "baseline"])
def test_odd_texts_get_an_answer(kind: str, trained_run: Path, baseline_run: Path) -> None:
    model = load_predictor(trained_run if kind == "rnn" else baseline_run)
    texts = list(ODD_TEXTS.values())
    predictions = model.predict(texts)
    assert [p.text for p in predictions] == texts
    probabilities = np.asarray(model.predict_proba(texts), dtype=np.float64)
    assert probabilities.shape == (len(texts), 2)
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    for text, prediction, row in zip(texts, predictions, probabilities):  # batch-independent
        alone = np.asarray(model.predict_proba([text]), dtype=np.float64)[0]
        np.testing.assert_allclose(alone, row, atol=1e-5)
        assert prediction.label in ("negative", "positive")


def test_a_huge_text_is_tokenized_then_truncated_to_max_length(predictor: Predictor) -> None:
    config = predictor.config.tokenizer
    assert config.max_length == 50 and config.truncation == "head_tail"  # conftest's TINY_CONFIG
    ending = "the plot was awful and the cast was dull"
    huge = "superb " * 100_000 + ending  # 700 KB: 16 head tokens, then the last 34
    short = "superb " * (50 - len(ending.split())) + ending
    assert torch.allclose(predictor.predict_proba([huge]), predictor.predict_proba([short]), atol=1e-6)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "is empty"),
        (" \t\r\n\u3000\u00a0", "is empty"),
        ("\x00" * 1000, "without words"),
        ("\x00 \x01\x1b\x7f", "without words"),
        ("\u200b\ufeff\u2060", "without words"),
        ("good\udcff film", "lone surrogate U+DCFF at character 5"),
    ],
    ids=["empty", "whitespace", "NUL", "controls", "zero-width", "surrogate"],
)
@pytest.mark.parametrize("kind", ["rnn", "baseline"])
def test_texts_without_words_are_errors_naming_the_text(
    kind, text, needle, trained_run: Path, baseline_run: Path
) -> None:
    model = load_predictor(trained_run if kind == "rnn" else baseline_run)
    with pytest.raises(UserError) as err:
        model.predict(["the plot was superb", text, "the cast was dull"])
    assert str(err.value).startswith("text 2 ") and needle in str(err.value)
    assert text_problem(text) is not None


@pytest.mark.parametrize("kind", ["rnn", "baseline"])
def test_library_misuse_is_a_type_error_and_no_texts_no_answers(kind, trained_run, baseline_run) -> None:
    model = load_predictor(trained_run if kind == "rnn" else baseline_run)
    with pytest.raises(TypeError, match="one str"):
        model.predict_proba("good film")  # would otherwise classify each character
    with pytest.raises(TypeError, match="text 2 is a bytes"):
        model.predict_proba(["good film", b"bad film"])
    assert tuple(np.asarray(model.predict_proba([])).shape) == (0, 2)
    assert model.predict([]) == []


# --- odd --file lines through the CLI -------------------------------------------------------

BAD_LINES = {  # a line, and what the report says about it
    "empty": (b"", "empty"),
    "whitespace": (b" \t ", "empty"),
    "NUL bytes": (b"\x00" * 200, "without words"),
    "control characters": (b"\x01\x02\x1b\x7f", "without words"),
    "not UTF-8": (b"caf\xe9 au lait", "not valid UTF-8 at byte"),
}
GOOD_LINES = [b"the plot was superb", b"the cast\x00 was dull", "😀 映画 الفيلم".encode(), b"x" * 100_000]


def bad_file(tmp_path: Path) -> tuple[Path, list[int], dict[int, str]]:
    """A file alternating good and bad lines: (path, good line numbers, bad line -> needle)."""
    lines, good, bad = [], [], {}
    for i, (content, needle) in enumerate(BAD_LINES.values()):
        lines.append(GOOD_LINES[i % len(GOOD_LINES)])
        good.append(len(lines))
        lines.append(content)
        bad[len(lines)] = needle
    lines.append(b"the ending was clever\r")  # CRLF
    good.append(len(lines))
    path = tmp_path / "reviews.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, good, bad


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_skip_bad_lines_reports_each_and_predicts_the_rest(trained_run, tmp_path, fmt) -> None:
    path, good, bad = bad_file(tmp_path)
    result = invoke(["predict", "--model", trained_run, "--file", path, "--skip-bad-lines", "--format", fmt])
    assert result.exit_code == 0, (result.output, repr(result.exception))
    reports = result.stderr.splitlines()
    assert len(reports) == len(bad)
    for report, (number, needle) in zip(reports, bad.items()):
        assert report.startswith(f"{path}, line {number}: ") and report.endswith("; skipped"), report
        assert needle in report, report
    raw = path.read_bytes().split(b"\n")
    expected = {number: raw[number - 1].decode("utf-8").removesuffix("\r") for number in good}
    if fmt == "table":
        body = [row for row in result.stdout.splitlines() if row.startswith("│")]
        assert [int(row.split("│")[1]) for row in body] == good
        assert "\\x00" in result.stdout and "\x00" not in result.stdout  # controls shown escaped
        return
    if fmt == "json":
        rows = json.loads(result.stdout)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert list(rows[0])[:3] == ["line", "text", "label"]
    assert [int(row["line"]) for row in rows] == good
    assert {int(row["line"]): row["text"] for row in rows} == expected
    plain = invoke(["predict", "--model", trained_run, "--format", "json", *expected.values()])
    assert [row["label"] for row in rows] == [row["label"] for row in json.loads(plain.stdout)]


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_without_the_flag_the_first_bad_line_stops_with_nothing_written(trained_run, tmp_path, case) -> None:
    content, needle = BAD_LINES[case]
    path = tmp_path / "reviews.txt"
    path.write_bytes(b"the plot was superb\n" + content + b"\nthe cast was dull\n")
    one_line_error(invoke(["predict", "--model", trained_run, "--file", path, "--format", "jsonl"]),
                   f"{path}, line 2: ", needle)


def test_skip_bad_lines_also_skips_bad_arguments_and_stdin(trained_run: Path) -> None:
    result = invoke(
        ["predict", "--model", trained_run, "--skip-bad-lines", "--format", "jsonl", "good", "  ", "--file", "-"],
        input=b"\x00\x00\nthe cast was dull\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "text 2: empty; skipped",
        "stdin, line 1: without words: only control or invisible characters (such as NUL); skipped",
    ]
    assert [(row["line"], row["text"]) for row in map(json.loads, result.stdout.splitlines())] == [
        (None, "good"), (2, "the cast was dull"),
    ]


def test_skip_bad_lines_when_every_line_is_bad(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\n\x00\n \n")
    result = invoke(["predict", "--model", trained_run, "--file", path, "--skip-bad-lines"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == "error: nothing to classify: all 3 inputs were skipped"
    assert len(result.stderr.splitlines()) == 4


def test_skip_bad_lines_with_a_baseline_beside(trained_run, baseline_run, tmp_path) -> None:
    path, good, _ = bad_file(tmp_path)
    result = invoke(["predict", "--model", trained_run, "--baseline", baseline_run, "--file", path,
                     "--skip-bad-lines", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(row["line"]) for row in rows] == good
    assert {"rnn_label", "baseline_label"} <= set(rows[0])


def test_control_characters_never_reach_the_terminal_from_a_table(trained_run, tmp_path) -> None:
    path = tmp_path / "ansi.txt"
    path.write_bytes(b"\x1b[2J\x1b]0;title\x07 superb\n")
    result = invoke(["predict", "--model", trained_run, "--file", path])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\\x1b[2J" in result.stdout


def test_a_one_megabyte_line_is_predicted(trained_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(ODD_TEXTS["1 MB of words"] + "\n", encoding="utf-8")
    result = invoke(["predict", "--model", trained_run, "--file", path, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(row["text"]) == MEGABYTE and row["label"] in ("negative", "positive")


# --- configs --------------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_config_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    path = tmp_path / "lol.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(UserError, match=r"lol.yaml, line 2, column 8: YAML aliases \(\*name\) are not accepted"):
        load_config(path)


def test_billion_laughs_in_an_override_is_refused() -> None:
    value = "{" + billion_laughs().strip().replace("\n", ", ") + "}"
    with pytest.raises(UserError, match="aliases"):
        apply_override({}, f"seed={value}")


def test_a_ten_megabyte_config_is_refused_before_parsing(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("name: x\n" + "# " + "x" * 10 * MEGABYTE + "\n", encoding="utf-8")

    def no_parsing(*args, **kwargs):
        raise AssertionError("a config over the size limit was parsed")

    for name in ("parse", "safe_load", "load"):
        monkeypatch.setattr(yaml, name, no_parsing)
    with pytest.raises(UserError, match=r"huge.yaml: config is 10,000,011 bytes; at most 1,000,000 accepted"):
        load_config(path)


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system ['true']", "!!python/object:sentiment_rnn.config.Config {}",
     "!!python/object/new:builtins.list [[1]]", "!!python/name:os.system", "!!python/module:os"],
)
def test_python_tags_are_refused(tmp_path: Path, tag: str) -> None:
    path = tmp_path / "tag.yaml"
    path.write_text(f"model: {tag}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"tag.yaml, line 1, column 8: invalid YAML") as err:
        load_config(path)
    assert "python" in str(err.value)


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_yaml_is_refused(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("model: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="deep.yaml"):
        load_config(path)
    with pytest.raises(UserError, match="--set"):
        apply_override({}, "seed=" + "[" * depth + "]" * depth)


def test_deeply_indented_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "indented.yaml"
    path.write_text("".join(" " * (2 * i) + "a:\n" for i in range(900)), encoding="utf-8")  # 0.8 MB
    with pytest.raises(UserError, match="indented.yaml: invalid YAML: nested too deeply"):
        load_config(path)


def test_a_huge_bad_value_is_shown_shortened(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("seed: " + "x" * 500_000 + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_config(path)
    message = str(err.value)
    assert "seed" in message and "xxx..." in message and len(message) < 300
