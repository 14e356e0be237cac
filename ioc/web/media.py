"""Serving stored photos: who may fetch which is decided in ``ioc.feedback.reads.media_access``.

Every answer names its type from our own record (never guessed from the key), forbids
sniffing and any active content, so a stored file can only ever be shown as a picture.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from ioc.errors import Unauthenticated
from ioc.extensions import services
from ioc.feedback.models import User
from ioc.feedback.people.citizens import find_citizen
from ioc.feedback.reads.media_access import find_media_file, may_fetch
from ioc.identity import bearer_token
from ioc.web.auth import SESSION_COOKIE, current_staff_session

bp = Blueprint("media", __name__)


@bp.get("/media/<path:key>")
def file(key: str) -> Response:
    with services().unit_of_work() as session:
        media = find_media_file(session, key=key)
        allowed = media is not None and (media.is_public or may_fetch(_viewer(session), media))
    # The same answer for a photo one may not see as for no photo, so keys do not leak.
    if media is None or not allowed:
        raise NotFound("not found")
    return stored_photo(key, media.content_type, is_public=media.is_public)


def stored_photo(key: str, content_type: str, *, is_public: bool) -> Response:
    """The stored file ``key`` as a picture and nothing else (404 when the store lacks it);
    a photo that is not public is kept out of shared caches.

    Raises:
        NotFound: the media store has no such file.
    """
    store = services().media
    if not store.exists(key):
        raise NotFound("not found")
    response = Response(store.read(key), content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = "inline"
    if is_public:
        # Keys are unguessable and never reused, so the bytes can be cached for good.
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # Only for this signed-in person; a shared cache must never keep it.
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.update(("Authorization", "Cookie"))
    return response


def _viewer(session: Session) -> User | None:
    """Who is asking: a signed-in staff member (token or cookie), a citizen (Firebase token),
    or nobody."""
    header = request.headers.get("Authorization")
    if header or request.cookies.get(SESSION_COOKIE):
        try:
            return current_staff_session(session).user
        except Unauthenticated:
            pass
    if not header:
        return None
    try:
        identity = services().token_verifier.verify(bearer_token(header))
    except Unauthenticated:
        return None
    return find_citizen(session, uid=identity.uid)
