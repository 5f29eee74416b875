"""The docs say what the code does: README commands, CI, configs, CLI help."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from sentiment_rnn.cli import app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S)
    assert block, "the Quickstart has a code block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quickstart_is_two_commands_with_torch_pinned() -> None:
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("torch==2.13.0" in command for command in commands)
    assert "sentiment-rnn train" in commands[0] and "sentiment-rnn predict" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci.splitlines()


def test_every_command_in_the_readme_exists() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for command in set(re.findall(r"sentiment-rnn ([a-z]\w*)", README)):
        assert command in result.output, f"README mentions `sentiment-rnn {command}`"


def test_every_config_key_is_documented() -> None:
    from sentiment_rnn.config import Config

    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for section, field in Config.model_fields.items():
        annotation = field.annotation
        if hasattr(annotation, "model_fields"):
            for key in annotation.model_fields:
                assert f"`{section}.{key}`" in doc, f"{section}.{key} missing from docs"
        else:
            assert f"`{section}`" in doc
