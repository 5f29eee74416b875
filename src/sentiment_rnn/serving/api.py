"""Request bodies read within the limits, and errors that name the field and the limit.

Every error is a JSON object `{"error": message, "field": name or null, "limit": number or
null}`: 400 for a body that is not JSON, 413 for a body, a text or a list of texts over its
limit, 422 for JSON of the wrong shape or a text that cannot be classified. User input never
reaches the model unchecked, so it cannot produce a 500.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from sentiment_rnn.serving.settings import Settings
from sentiment_rnn.texts import text_problem


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None,
                 limit: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.limit = status, message, field, limit

    def body(self) -> dict:
        return {"error": self.message, "field": self.field, "limit": self.limit}


class PredictRequest(BaseModel):
    """`{"texts": [...]}` or `{"text": "..."}` (then the answer is one object, not a list)."""

    texts: list[str] | None = Field(None, description="Texts to classify.")
    text: str | None = Field(None, description="One text to classify.")


class ExplainRequest(BaseModel):
    text: str = Field(description="The text to explain, token by token.")


async def read_body(request, settings: Settings) -> Any:
    """The request body as JSON, read chunk by chunk, never past `max_body_bytes`."""
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise ApiError(413, f"the body is {declared} bytes; the limit is {limit:,}", "body", limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the body is over {limit:,} bytes", "body", limit)
        chunks.append(chunk)
    data = b"".join(chunks)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ApiError(400, f"the body is not UTF-8 (byte {err.start})", "body") from None
    except json.JSONDecodeError as err:
        raise ApiError(400, f"the body is not JSON: {err.msg} at line {err.lineno} column "
                            f"{err.colno}", "body") from None
    except RecursionError:
        raise ApiError(400, "the body is not JSON this server reads: nested too deeply",
                       "body") from None


def _object(data: Any, fields: tuple[str, ...]) -> dict:
    if not isinstance(data, dict):
        raise ApiError(422, f"expected a JSON object with {' or '.join(map(repr, fields))}, "
                            f"got {type(data).__name__}", "body")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ApiError(422, f"unknown field {unknown[0]!r}; accepted: {', '.join(fields)}",
                       unknown[0])
    return data


def check_text(text: Any, field: str, settings: Settings) -> str:
    """A text within `max_text_chars` that can be classified; else an ApiError naming `field`."""
    if not isinstance(text, str):
        raise ApiError(422, f"{field} is a {_json_type(text)}, expected a string", field)
    limit = settings.max_text_chars
    if len(text) > limit:
        raise ApiError(413, f"{field} has {len(text):,} characters; the limit is {limit:,}",
                       field, limit)
    if problem := text_problem(text):
        raise ApiError(422, f"{field} is {problem}", field)
    return text


def predict_texts(data: Any, settings: Settings) -> tuple[list[str], bool]:
    """The texts of a /v1/predict body, and whether it gave one `text` (not a list)."""
    data = _object(data, ("texts", "text"))
    if ("texts" in data) == ("text" in data):
        raise ApiError(422, "give either 'texts' (a list of strings) or 'text' (a string)",
                       "texts")
    if "text" in data:
        return [check_text(data["text"], "text", settings)], True
    texts = data["texts"]
    if not isinstance(texts, list):
        raise ApiError(422, f"texts is a {_json_type(texts)}, expected a list of strings", "texts")
    if not texts:
        raise ApiError(422, "texts is empty; give at least one text", "texts")
    if len(texts) > settings.max_texts:
        raise ApiError(413, f"texts has {len(texts):,} items; the limit is {settings.max_texts:,}",
                       "texts", settings.max_texts)
    return [check_text(text, f"texts[{i}]", settings) for i, text in enumerate(texts)], False


def explain_text(data: Any, settings: Settings) -> str:
    data = _object(data, ("text",))
    if "text" not in data:
        raise ApiError(422, "give 'text', the text to explain", "text")
    return check_text(data["text"], "text", settings)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", int: "number",
             float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
