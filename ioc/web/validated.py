"""The request parts spectree checked, read back with their types.

``@api.validate(json=NoteIn)`` validates the body and leaves a ``NoteIn`` on
``request.context``; ``validated_body(NoteIn)`` hands it to the handler typed as such, so a
route names its model once in the decorator and once where it reads it.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from flask import request
from pydantic import BaseModel

from ioc.errors import MalformedRequest

M = TypeVar("M", bound=BaseModel)

_Part = Literal["json", "query", "form", "headers"]


def validated_body(model: type[M]) -> M:
    """The JSON body checked by ``@api.validate(json=model)``."""
    return _required("json", model)


def validated_query(model: type[M]) -> M:
    """The query string checked by ``@api.validate(query=model)``."""
    return _required("query", model)


def validated_headers(model: type[M]) -> M:
    """The headers checked by ``@api.validate(headers=model)``."""
    return _required("headers", model)


def validated_form(model: type[M]) -> M | None:
    """The multipart form checked by ``@api.validate(form=model)``, or ``None`` when a route
    that also takes JSON was sent JSON."""
    return _optional("form", model)


def _required(part: _Part, model: type[M]) -> M:
    value = _optional(part, model)
    if value is None and part == "json":
        # spectree leaves no body when the request was not JSON (a form post, say).
        raise MalformedRequest(
            "the body must be a JSON object (Content-Type: application/json)",
            details={"content_type": request.content_type},
        )
    if value is None:
        raise TypeError(f"no validated {part} on this request: does the route declare it?")
    return value


def _optional(part: _Part, model: type[M]) -> M | None:
    value = getattr(getattr(request, "context", None), part, None)
    if value is None:
        return None
    if not isinstance(value, model):
        raise TypeError(f"the validated {part} is a {type(value).__name__}, not a {model.__name__}")
    return value
