"""Refuse text no database can store before any handler sees it.

PostgreSQL cannot store U+0000 in a text column, and a lone UTF-16 surrogate (``"\\ud800"``
in JSON) is not a character at all: it cannot be encoded as UTF-8, so such input would fail
at commit time (or when the answer is written) instead of being refused. Every query
parameter, form field and JSON string is checked once here (photos are files and are not
looked at); the answer names the field. Open311 answers in its own error format (its
blueprint's error handler) and removes NUL characters itself, so only surrogates are refused
there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from ioc.errors import MalformedRequest

REASON = "must not contain the NUL character"
SURROGATE_REASON = "must be valid Unicode text"
_OWN_FORMAT_PREFIXES = ("/open311/",)
_SURROGATE = re.compile("[\ud800-\udfff]")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unstorable_text)


def _refuse_unstorable_text() -> None:
    own_format = request.path.startswith(_OWN_FORMAT_PREFIXES)
    fields: dict[str, str] = {}
    for name, value in _text_fields():
        if "\x00" in value and not own_format:
            fields.setdefault(_printable(name), REASON)
        elif _SURROGATE.search(value) or _SURROGATE.search(name):
            fields.setdefault(_printable(name), SURROGATE_REASON)
    if REASON in fields.values():
        raise MalformedRequest(
            "text must not contain the NUL character", details={"fields": fields}
        )
    if fields:
        raise MalformedRequest("text must be valid Unicode", details={"fields": fields})


def _printable(name: str) -> str:
    """A field name that can be written back in the answer."""
    return _SURROGATE.sub("\ufffd", name.replace("\x00", ""))


def _text_fields() -> Iterator[tuple[str, str]]:
    """Every piece of text in the request as (field name, text); a name is text too."""
    for name, value in request.args.items(multi=True):
        yield name, name + value
    if request.mimetype == "application/json":
        yield from _strings(request.get_json(silent=True), "")
    elif request.form:
        for name, value in request.form.items(multi=True):
            yield from _form_field(name, value)


def _form_field(name: str, value: str) -> Iterator[tuple[str, str]]:
    if value.lstrip().startswith(("{", "[")):
        # The mobile API sends the report as JSON text in a form field (escapes inside).
        try:
            yield from _strings(json.loads(value), "")
            return
        except ValueError:
            pass
    yield name, name + value


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, str(key)
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
