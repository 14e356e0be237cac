"""Refuse text containing the NUL character before any handler sees it.

PostgreSQL cannot store U+0000 in a text column, so such input would fail at commit time on
one backend and pass on the other. Every query parameter, form field and JSON string is
checked once here (photos are files and are not looked at); the answer names the field.
Open311 answers in its own error format and cleans its input itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from ioc.errors import MalformedRequest

REASON = "must not contain the NUL character"
_OWN_FORMAT_PREFIXES = ("/open311/",)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)


def _refuse_nul_characters() -> None:
    if request.path.startswith(_OWN_FORMAT_PREFIXES):
        return
    fields = dict.fromkeys(_fields_with_nul(), REASON)
    if fields:
        raise MalformedRequest(
            "text must not contain the NUL character", details={"fields": fields}
        )


def _fields_with_nul() -> Iterator[str]:
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            yield name.replace("\x00", "")
    if request.mimetype == "application/json":
        yield from _paths_with_nul(request.get_json(silent=True), "")
    elif request.form:
        for name, value in request.form.items(multi=True):
            yield from _form_field_with_nul(name, value)


def _form_field_with_nul(name: str, value: str) -> Iterator[str]:
    if value.lstrip().startswith(("{", "[")):
        # The mobile API sends the report as JSON text in a form field (NUL escaped inside).
        try:
            yield from _paths_with_nul(json.loads(value), "")
            return
        except ValueError:
            pass
    if "\x00" in value:
        yield name


def _paths_with_nul(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _paths_with_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_with_nul(item, f"{path}[{index}]")
