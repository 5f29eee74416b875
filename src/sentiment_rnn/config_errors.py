"""The config's error messages: one line per problem, with a "did you mean" hint for unknown keys."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel


def describe(error: dict[str, Any], root: type[BaseModel]) -> str:
    """One pydantic error as a line naming the key, the value and what is accepted."""
    loc = [str(part) for part in error["loc"]]
    key = ".".join(loc)
    if error["type"] == "extra_forbidden":
        known = field_names(root, loc[:-1])
        hint = difflib.get_close_matches(loc[-1], known, n=1)
        suggestion = f"did you mean {hint[0]!r}?" if hint else "known keys: " + ", ".join(known)
        return f"unknown key {key!r} ({suggestion})"
    message = error["msg"].removeprefix("Value error, ")
    if isinstance(error["input"], dict):  # a whole section: its rule names the keys involved
        return message
    shown = repr(error["input"])
    if len(shown) > 80:  # a whole document pasted into one value
        shown = shown[:77] + "..."
    return f"{key}: {message} (got {shown})"


def field_names(root: type[BaseModel], loc: list[str]) -> list[str]:
    """The keys of the section at `loc` (for the "did you mean" hint)."""
    model = root
    for part in loc:
        field = model.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
