"""Conditional answers for figures that screens poll: an ETag and ``Cache-Control`` on every
answer, and a 304 without computing anything when the figures cannot have changed.

Figures change when a report changes (every change writes an event, so the newest event
``seq`` moves) and as time passes (a deadline goes by, the default period rolls over), which
the validator follows to the minute.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, current_app, request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.events.log import newest_seq

#: Raised when what the figures mean changes, so no client keeps an answer from before.
FIGURES_REVISION = "1"


def figures_etag(session: Session, *, scope: str, query: BaseModel) -> str:
    """A validator for the figures ``scope`` (e.g. one agency's) answer to ``query``, now."""
    minute = int(utcnow().timestamp() // 60)
    seq = newest_seq(session)
    parts = [FIGURES_REVISION, scope, query.model_dump_json(), str(seq), str(minute)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def not_modified(etag: str, *, public: bool) -> Response | None:
    """The 304 answer if the client already holds ``etag``, else ``None``."""
    if not request.if_none_match.contains_weak(etag):
        return None
    response = current_app.response_class(status=304)
    _validators(response, etag, public=public)
    return response


def cached_json(document: Any, etag: str, *, public: bool) -> Response:
    """``document`` as JSON with its validator and caching rules."""
    response = current_app.response_class(
        current_app.json.dumps(document), mimetype="application/json"
    )
    _validators(response, etag, public=public)
    return response


def _validators(response: Response, etag: str, *, public: bool) -> None:
    response.set_etag(etag)
    if public:
        # Anyone (a proxy too) may keep it for the minute the figures are computed for.
        response.cache_control.public = True
        response.cache_control.max_age = 60
    else:
        # Staff figures stay in the staff member's browser and are revalidated every time.
        response.cache_control.private = True
        response.cache_control.no_cache = True
        response.vary.add("Authorization")
        response.vary.add("Cookie")
