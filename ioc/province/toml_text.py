"""Writing a TOML table back as text (``tomllib`` only reads).

The province keeps its SLA policy as the TOML text it wrote; a policy given inline in
``province.toml`` is turned back into text here. Only what the policy and holidays files use
is supported: tables, strings, numbers, booleans, dates and arrays of those.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any


def toml_text(table: Mapping[str, Any]) -> str:
    """The TOML text of ``table``: its plain keys first, then one ``[section]`` per sub-table."""
    return "\n".join(_section(table, ())).strip() + "\n"


def _section(table: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    lines = [f"[{'.'.join(_key(part) for part in path)}]"] if path else []
    for key, value in table.items():
        if not isinstance(value, Mapping):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        if isinstance(value, Mapping):
            lines.append("")
            lines.extend(_section(value, (*path, key)))
    return lines


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "")
    return key if bare.isascii() and bare.isalnum() else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
