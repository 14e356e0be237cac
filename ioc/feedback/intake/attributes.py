"""Checking a report's attributes against its category's Open311-style definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ioc.errors import InvalidInput

MAX_STRING_CHARS = 200
MAX_TEXT_CHARS = 2000


def clean_attributes(
    definitions: list[dict[str, Any]], values: dict[str, Any] | None
) -> dict[str, Any]:
    """Return the attribute values normalised, or raise naming every bad one.

    Raises:
        InvalidInput: a required attribute is missing, an unknown one is given, or a value
            does not fit its datatype; ``details["fields"]`` has ``attributes.<code>`` keys.
    """
    values = values or {}
    by_code = {definition["code"]: definition for definition in definitions}
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for code in values:
        if code not in by_code:
            problems[f"attributes.{code}"] = "is not an attribute of this category"
    for code, definition in by_code.items():
        value = values.get(code)
        if value is None or value == "" or value == []:
            if definition.get("required"):
                problems[f"attributes.{code}"] = "is required"
            continue
        try:
            cleaned[code] = _clean(definition, value)
        except ValueError as exc:
            problems[f"attributes.{code}"] = str(exc)
    if problems:
        raise InvalidInput("invalid attributes", details={"fields": problems})
    return cleaned


def _clean(definition: dict[str, Any], value: Any) -> Any:
    datatype = definition.get("datatype", "string")
    keys = [item["key"] for item in definition.get("values", [])]
    if datatype in ("string", "text"):
        limit = MAX_STRING_CHARS if datatype == "string" else MAX_TEXT_CHARS
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value.strip()
    if datatype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        return value
    if datatype == "datetime":
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date and time with offset")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 date and time with offset") from None
        if moment.tzinfo is None:
            raise ValueError("must include a UTC offset, e.g. +07:00")
        return moment.isoformat()
    if datatype == "singlevaluelist":
        if value not in keys:
            raise ValueError(f"must be one of: {', '.join(keys)}")
        return value
    if datatype == "multivaluelist":
        if not isinstance(value, list) or any(item not in keys for item in value):
            raise ValueError(f"must be a list of: {', '.join(keys)}")
        return list(dict.fromkeys(value))
    raise ValueError(f"has an unknown datatype {datatype!r}")
