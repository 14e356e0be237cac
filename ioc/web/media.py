"""Serving stored photos: only those attached to a report and not hidden by moderation."""

from __future__ import annotations

from flask import Blueprint, Response
from werkzeug.exceptions import NotFound

from ioc.extensions import services
from ioc.feedback.reads.tracking import find_visible_attachment

bp = Blueprint("media", __name__)


@bp.get("/media/<path:key>")
def file(key: str) -> Response:
    with services().unit_of_work() as session:
        visible = find_visible_attachment(session, key=key) is not None
    store = services().media
    if not visible or not store.exists(key):
        raise NotFound("not found")
    response = Response(store.read(key), mimetype="image/jpeg")
    # Keys are unguessable and never reused, so the bytes can be cached for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
