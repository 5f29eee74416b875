"""Reading a YAML config safely, and `--set section.key=value` overrides.

Safe means: at most `MAX_CONFIG_BYTES`, brackets nested at most `MAX_FLOW_DEPTH` deep, no
aliases (no "billion laughs"), PyYAML's safe loader, a mapping at the top; every failure a
UserError naming the file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sentiment_rnn.errors import UserError

MAX_CONFIG_BYTES = 1_000_000
MAX_FLOW_DEPTH = 100  # PyYAML's scanner slows down with each open [ or {: 10,000 take seconds


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Safely load a YAML file whose top level is a mapping (no aliases, no python tags)."""
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise UserError(f"{path}: config is {size:,} bytes; at most {MAX_CONFIG_BYTES:,} accepted")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, expected a YAML config file") from None
    except UnicodeDecodeError as err:
        raise UserError(f"{path}: not UTF-8 (byte {err.start}); save the config as UTF-8") from None
    except OSError as err:
        raise UserError(f"{path}: cannot read config: {err.strerror}") from None
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise UserError(
            f"{path}: invalid YAML: brackets nested more than {MAX_FLOW_DEPTH} deep; "
            "a config needs a few levels"
        )
    try:
        alias = _first_alias(text)
        if alias is not None:
            raise UserError(
                f"{path}, line {alias.line + 1}, column {alias.column + 1}: YAML aliases (*name) "
                "are not accepted in configs; write the value out"
            )
        raw = yaml.safe_load(text)
    except RecursionError:
        raise UserError(f"{path}: invalid YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UserError(f"{path}{where}: invalid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise UserError(f"{path}: invalid YAML: {err}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: the top level must be a mapping of sections, got {type(raw).__name__}")
    return raw


_KEY = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _flow_depth(text: str) -> int:
    """How deep [ and { nest, counting those inside quotes too (an upper bound, cheap)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(text):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


_BRACKETS = re.compile(r"[\[\]{}]")


def _first_alias(text: str) -> yaml.Mark | None:
    """Where the first alias (*name) is: refused, so that no "billion laughs" can expand."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark
    return None


def apply_override(raw: dict[str, Any], item: str) -> None:
    """Apply one `section.key=value` override in place; the value is parsed as YAML."""
    key, sep, text = item.partition("=")
    key = key.strip()
    if not sep or not _KEY.fullmatch(key):
        raise UserError(
            f"--set {item!r}: expected KEY=VALUE with a dotted key, e.g. --set training.epochs=5"
        )
    if _flow_depth(text) > MAX_FLOW_DEPTH:
        raise UserError(f"--set {item!r}: value nested more than {MAX_FLOW_DEPTH} deep")
    try:
        if _first_alias(text) is not None:
            raise UserError(f"--set {item!r}: YAML aliases (*name) are not accepted; write the value out")
        value = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        value = text  # not YAML: keep the literal string and let the schema judge it
    except RecursionError:
        raise UserError(f"--set {item!r}: value nested too deeply") from None
    *parents, leaf = key.split(".")
    node = raw
    for depth, part in enumerate(parents):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parents[: depth + 1])
            raise UserError(f"--set {item!r}: {where} is a value, not a section")
        node = child
    node[leaf] = value
