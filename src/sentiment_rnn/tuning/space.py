"""The search space: a YAML file of dotted config keys, each a range or a list of choices.

    training.lr: {low: 0.001, high: 0.01, log: true}    # a float range, sampled on a log scale
    model.hidden_size: [32, 64, 128]                    # choices
    baseline.ngram_range: [[1, 2], [1, 3]]              # choices may be lists

A range on an integer setting gives integers. Every key, bound and choice is checked against the
config schema before any trial starts, with the config's own one-line messages.
"""

from __future__ import annotations

import copy
import json
import math
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sentiment_rnn.config import Config, validate_config
from sentiment_rnn.config_file import apply_override, read_yaml_mapping
from sentiment_rnn.errors import UserError

RANGE_KEYS = {"low", "high", "log"}
_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+|seed")


@dataclass(frozen=True)
class Param:
    """One dimension: a range (`low`..`high`, integers when `integer`) or a list of `choices`."""

    key: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple[Any, ...] = ()

    def describe(self) -> str:
        if self.choices:
            return "one of " + ", ".join(json.dumps(choice) for choice in self.choices)
        return f"{self.low} to {self.high}" + (" (log scale)" if self.log else "")

    def optuna_choices(self) -> tuple[Any, ...]:
        """Optuna stores scalars only: list choices (n-gram ranges) travel as their JSON text."""
        return tuple(_to_optuna(choice) for choice in self.choices)


def _to_optuna(choice: Any) -> Any:
    return json.dumps(choice) if isinstance(choice, (list, dict)) else choice


def from_optuna(param: Param, value: Any) -> Any:
    """The config value for what Optuna suggested (undoes `optuna_choices`)."""
    for choice in param.choices:
        if _to_optuna(choice) == value:
            return choice
    return value


@dataclass(frozen=True)
class Space:
    params: tuple[Param, ...]
    kind: str  # "rnn" or "baseline": which model the trials train


def overrides(values: dict[str, Any]) -> list[str]:
    """`--set` items for `values` keyed by dotted key (JSON is YAML, so types survive)."""
    return [f"{key}={json.dumps(value)}" for key, value in values.items()]


def load_space(path: Path, raw_config: dict[str, Any]) -> Space:
    """Read and check a space file against the config it will vary (raw, before validation)."""
    raw = read_yaml_mapping(path)
    if not raw:
        raise UserError(f"{path}: the search space is empty; give at least one key, e.g. "
                        "training.lr: {low: 0.001, high: 0.01, log: true}")
    params = tuple(_param(path, key, spec, raw_config) for key, spec in raw.items())
    return Space(params, _kind(path, [param.key for param in params]))


def _param(path: Path, key: Any, spec: Any, raw_config: dict[str, Any]) -> Param:
    where = f"{path}: {key}"
    if not isinstance(key, str) or not _DOTTED.fullmatch(key):
        raise UserError(
            f"{path}: key {key!r}: expected a dotted config key such as training.lr or "
            "model.hidden_size, one per line"
        )
    if isinstance(spec, list):
        param = _choices(where, key, spec)
    elif isinstance(spec, dict):
        param = _range(where, key, spec)
    else:
        raise UserError(
            f"{where}: expected a range {{low: ..., high: ...[, log: true]}} or a list of "
            f"choices, got {spec!r}"
        )
    for value in param.choices or (param.low, param.high):
        _check_value(path, key, value, raw_config)
    return param


def _choices(where: str, key: str, spec: list) -> Param:
    if not spec:
        raise UserError(f"{where}: the list of choices is empty; give at least one value")
    shown = [json.dumps(choice) for choice in spec]
    if len(set(shown)) < len(shown):
        raise UserError(f"{where}: a choice is listed twice ({', '.join(shown)})")
    return Param(key, choices=tuple(spec))


def _range(where: str, key: str, spec: dict) -> Param:
    unknown = sorted(set(map(str, spec)) - RANGE_KEYS)
    if unknown:
        raise UserError(f"{where}: unknown range key {unknown[0]!r} (accepted: low, high, log)")
    if "low" not in spec or "high" not in spec:
        raise UserError(f"{where}: a range needs both low and high, got {spec!r}")
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    for name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
            raise UserError(f"{where}: {name} must be a finite number, got {bound!r}")
    if not isinstance(log, bool):
        raise UserError(f"{where}: log must be true or false, got {log!r}")
    if low >= high:
        raise UserError(f"{where}: empty range: low {low!r} is not below high {high!r}")
    if log and low <= 0:
        raise UserError(f"{where}: a log-scale range needs low > 0, got {low!r}")
    kind = _field_kind(key)
    if kind not in ("int", "float", None):
        raise UserError(
            f"{where}: a range needs a numeric setting, and {key} is {kind}; "
            "list the choices instead, e.g. [a, b]"
        )
    integer = kind == "int"
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise UserError(f"{where}: {key} is an integer setting; low and high must be integers, "
                        f"got {low!r} and {high!r}")
    if integer:
        low, high = int(low), int(high)
    return Param(key, low=low, high=high, log=log, integer=integer)


def _check_value(path: Path, key: str, value: Any, raw_config: dict[str, Any]) -> None:
    """Validate the config with `key` set to `value`: the schema's message, naming the space."""
    raw = copy.deepcopy(raw_config)
    apply_override(raw, overrides({key: value})[0])
    try:
        validate_config(raw, source=str(path))
    except UserError as err:
        problems = [p for p in str(err).removeprefix(f"{path}: ").split("; ") if _mentions(p, key)]
        raise UserError(f"{path}: " + "; ".join(problems or [str(err)])) from None


def _mentions(problem: str, key: str) -> bool:
    return problem.startswith(key) or f"'{key}'" in problem or key.split(".")[-1] in problem


def _field_kind(key: str) -> str | None:
    """"int", "float", or a word for any other setting's type; None for an unknown key."""
    model: type[BaseModel] = Config
    *sections, leaf = key.split(".")
    for part in sections:
        field = model.model_fields.get(part)
        if field is None or not (isinstance(field.annotation, type)
                                 and issubclass(field.annotation, BaseModel)):
            return None
        model = field.annotation
    field = model.model_fields.get(leaf)
    if field is None:
        return None
    kinds = {arg for arg in _union_members(field.annotation) if arg is not type(None)}
    if kinds == {int}:
        return "int"
    if kinds <= {int, float} and kinds:
        return "float"
    if typing.get_origin(field.annotation) is typing.Literal or any(
        typing.get_origin(kind) is typing.Literal for kind in kinds
    ):
        return "a choice of names"
    return "a " + " or ".join(sorted(getattr(kind, "__name__", str(kind)) for kind in kinds))


def _union_members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def _kind(path: Path, keys: list[str]) -> str:
    baseline = [key for key in keys if key.startswith("baseline.")]
    rnn_only = [key for key in keys if key.split(".")[0] in ("model", "training", "tokenizer")]
    if baseline and rnn_only:
        raise UserError(
            f"{path}: {baseline[0]} tunes the baseline and {rnn_only[0]} the RNN; a study tunes "
            "one model: split the space into two files"
        )
    return "baseline" if baseline else "rnn"
