"""Serving stored photos: only those attached to a report and not hidden by moderation."""

from __future__ import annotations

from flask import Blueprint, Response
from sqlalchemy import or_, select
from werkzeug.exceptions import NotFound

from ioc.extensions import services
from ioc.feedback.report_models import Attachment

bp = Blueprint("media", __name__)


@bp.get("/media/<path:key>")
def file(key: str) -> Response:
    with services().unit_of_work() as session:
        attachment = session.scalar(
            select(Attachment).where(
                or_(Attachment.storage_key == key, Attachment.thumbnail_key == key)
            )
        )
        visible = attachment is not None and not attachment.is_hidden
    store = services().media
    if not visible or not store.exists(key):
        raise NotFound("not found")
    response = Response(store.read(key), mimetype="image/jpeg")
    # Keys are unguessable and never reused, so the bytes can be cached for good.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
