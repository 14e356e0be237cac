"""Refuse bodies no route can use, before anything parses them.

Two checks, app-wide and before sign-in (they cost nothing and protect what comes after):

- JSON nested deeper than :data:`MAX_DEPTH` levels: Python's parser recurses once per level,
  so a few kilobytes of ``[`` exhaust the stack. The raw text is measured without parsing it,
  for JSON bodies and for JSON sent as text in a form field (the mobile API's report).
- a body in a format the route does not read (a form or plain text posted to a route that
  declares a JSON body): 415, instead of being read as an empty object or failing later.
"""

from __future__ import annotations

import re
from itertools import accumulate

from flask import Flask, current_app, request

from ioc.errors import MalformedRequest, UnsupportedMediaType
from ioc.web.openapi import api

#: Deeper than any body of ours (a report's attributes are two levels); far below the stack.
MAX_DEPTH = 32

JSON_MIMETYPES = frozenset({"application/json"})
FORM_MIMETYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unusable_body)


def _refuse_unusable_body() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return
    mimetype = request.mimetype
    if mimetype in JSON_MIMETYPES or mimetype.endswith("+json"):
        if too_deep(request.get_data(cache=True)):
            raise _too_deep("body")
    elif mimetype in FORM_MIMETYPES:
        for name, value in request.form.items(multi=True):
            if value.lstrip().startswith(("{", "[")) and too_deep(value.encode()):
                raise _too_deep(name)
    _refuse_other_formats(mimetype)


def _refuse_other_formats(mimetype: str) -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    metadata = api.get_function_metadata(view) if view else None
    if metadata is None or not _has_body():
        return
    accepted: set[str] = set()
    if getattr(metadata, "json", None):
        accepted |= JSON_MIMETYPES
    if getattr(metadata, "form", None):
        accepted |= FORM_MIMETYPES
    if accepted and mimetype not in accepted and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)"
            if "application/json" in accepted and len(accepted) == 1
            else "the body must be JSON or a form",
            details={"content_type": request.content_type, "accepted": sorted(accepted)},
        )


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")


def too_deep(text: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays and objects deeper than ``limit`` (strings skipped;
    malformed text is left for the parser to refuse)."""
    if text.count(b"[") + text.count(b"{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", text))
    return max(accumulate(_STEP[b] for b in brackets)) > limit


def _too_deep(field: str) -> MalformedRequest:
    return MalformedRequest(
        "JSON is nested too deeply",
        details={"fields": {field: "is nested too deeply"}, "max_depth": MAX_DEPTH},
    )
