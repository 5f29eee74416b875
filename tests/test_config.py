"""The config schema: defaults, YAML loading, overrides, and one clear message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sentiment_rnn.config import Config, load_config, validate_config
from sentiment_rnn.config_file import apply_override
from sentiment_rnn.errors import UserError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["default", "rnn", "gru", "imdb", "imdb-quick"])
def test_shipped_configs_are_valid_and_open_with_their_command(name: str) -> None:
    path = REPO / "configs" / f"{name}.yaml"
    config = load_config(path)
    assert config.name == name
    first_lines = path.read_text().splitlines()[:4]
    assert first_lines[0].startswith("#")
    assert any("sentiment-rnn train" in line for line in first_lines)


def test_rnn_config_is_the_plain_tanh_unidirectional_recurrence() -> None:
    config = load_config(REPO / "configs" / "rnn.yaml")
    assert config.model.cell == "rnn" and config.model.bidirectional is False


def test_defaults_fill_missing_sections(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "model:\n  hidden_size: 12\n"))
    assert config.model.hidden_size == 12
    assert config.model.embedding_dim == Config().model.embedding_dim
    assert config.training == Config().training
    assert config.name == "c"  # from the file name


def test_overrides_are_applied_before_validation_and_parsed_as_yaml(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "training:\n  epochs: 3\n"),
        ["training.epochs=5", "model.bidirectional=false", "training.lr=1e-3",
         "data.labels=[neg, pos]", "training.patience=null"],
    )
    assert config.training.epochs == 5
    assert config.model.bidirectional is False
    assert config.training.lr == pytest.approx(1e-3)
    assert config.data.labels == ["neg", "pos"]
    assert config.training.patience is None


def test_resolved_config_round_trips_through_yaml(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "model:\n  cell: gru\n"), ["training.epochs=2"])
    again = validate_config(yaml.safe_load(config.to_yaml()), "again")
    assert again == config


@pytest.mark.parametrize(
    ("text", "overrides", "expected"),
    [
        ("model:\n  hiden_size: 3\n", [], ["model.hiden_size", "did you mean 'hidden_size'"]),
        ("modle:\n  cell: gru\n", [], ["modle", "did you mean 'model'"]),
        ("", ["training.epoch=3"], ["training.epoch", "did you mean 'epochs'"]),
        ("", ["training.epochs=abc"], ["training.epochs", "'abc'", "integer"]),
        ("", ["training.lr=-1"], ["training.lr", "-1", "greater than 0"]),
        ("", ["model.cell=transformer"], ["model.cell", "'transformer'", "'lstm'"]),
        ("", ["training.device=tpu"], ["training.device", "'tpu'", "cuda"]),
        ("", ["model.num_layers=0"], ["model.num_layers", "greater than or equal to 1"]),
        ("", ["seed=99999999999999999999"], ["seed", "less than 9223372036854775808"]),
        ("", ["seed=-1"], ["seed", "greater than or equal to 0"]),
    ],
)
def test_bad_values_name_key_value_and_what_is_accepted(
    tmp_path: Path, text: str, overrides: list[str], expected: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UserError) as err:
        load_config(path, overrides)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    for part in expected:
        assert part in message


def test_all_problems_are_collected_into_one_message(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        load_config(write(tmp_path, ""), ["training.epochs=0", "model.pooling=sum"])
    assert "training.epochs" in str(err.value) and "model.pooling" in str(err.value)


@pytest.mark.parametrize("item", ["epochs", "=3", "training..epochs=3", "1x=2"])
def test_bad_override_syntax(item: str) -> None:
    with pytest.raises(UserError, match="KEY=VALUE"):
        apply_override({}, item)


def test_override_into_a_value_is_refused() -> None:
    with pytest.raises(UserError, match="model.cell is a value"):
        apply_override({"model": {"cell": "gru"}}, "model.cell.size=3")


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "model:\n  cell: gru\n  hidden_size: [1, 2\n")
    with pytest.raises(UserError, match=r"line \d+, column \d+: invalid YAML"):
        load_config(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("a: &x [1, 2]\nb: *x\n", "aliases"),
        ("model: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
        ("- 1\n- 2\n", "top level must be a mapping"),
    ],
)
def test_unsafe_or_odd_yaml_is_refused(tmp_path: Path, content: str, match: str) -> None:
    with pytest.raises(UserError, match=match):
        load_config(write(tmp_path, content))


def test_missing_unreadable_and_huge_configs(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(UserError, match="is a directory"):
        load_config(tmp_path)
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        load_config(bad)
    huge = write(tmp_path, "# " + "x" * 2_000_000 + "\n")
    with pytest.raises(UserError, match="bytes; at most"):
        load_config(huge)


def test_no_config_and_no_default_in_cwd_says_where_to_run() -> None:
    with pytest.raises(UserError, match="configs/default.yaml not found"):
        load_config(None)


def test_absolute_paths_resolve_against_cwd(tmp_path: Path) -> None:
    config = Config().with_absolute_paths()
    assert config.data.train == tmp_path / "data" / "train.csv"
    assert config.data.train.is_absolute()


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_config_validates_and_opens_with_its_command(path: Path) -> None:
    config = load_config(path)
    assert config.name
    commands = [line for line in path.read_text(encoding="utf-8").splitlines()[:12] if "sentiment-rnn " in line]
    assert commands, f"{path} should show the command that uses it in its opening comment"
