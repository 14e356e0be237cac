"""Refuse bodies no route can use, before anything parses them.

Two checks (the first app-wide and before sign-in: it costs nothing and protects the parser):

- JSON nested deeper than :data:`MAX_DEPTH` levels: Python's parser recurses once per level,
  so a few kilobytes of ``[`` exhaust the stack. The raw text is measured without parsing it,
  for JSON bodies and for JSON sent as text in a form field (the mobile API's report).
- a body in a format the route does not read (a form or plain text posted to a route that
  declares a JSON body): 415, instead of being read as an empty object or failing later;
  checked with the route's validation (:func:`refuse_other_formats`).
"""

from __future__ import annotations

import re
from itertools import accumulate

from flask import Flask, request

from ioc.errors import MalformedRequest, UnsupportedMediaType

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


def refuse_other_formats(*, reads_json: bool, reads_form: bool) -> None:
    """Refuse a body a route that reads JSON (and no form) cannot read: called as part of
    the route's validation (``ioc.web.openapi``), so after a console's door check
    (``admit_only``) and with the other field checks.

    Raises:
        UnsupportedMediaType: a body in another format (a form, plain text, XML).
    """
    mimetype = request.mimetype
    if not reads_json or reads_form or not _has_body():
        return
    if mimetype in JSON_MIMETYPES or mimetype.endswith("+json"):
        return
    raise UnsupportedMediaType(
        "the body must be JSON (Content-Type: application/json)",
        details={"content_type": request.content_type, "accepted": sorted(JSON_MIMETYPES)},
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
