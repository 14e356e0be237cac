"""Checking that a webhook comes from Zalo, and is not an old one played again.

Zalo signs each event with ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw body +
timestamp + OA secret key)>`` (a plain SHA-256 of the concatenation, not an HMAC), where
``timestamp`` is the event's own ``timestamp`` field (milliseconds). The signature covers the
timestamp, so an event older than :data:`REPLAY_WINDOW` is refused: a captured request cannot
be played again later. Within the window, redeliveries are recognised by their message id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from ioc.errors import Unauthenticated

#: How old (or how far ahead of our clock) a signed event may be.
REPLAY_WINDOW = timedelta(minutes=5)
_PREFIX = "mac="


def mac(*, app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The hex digest Zalo puts after ``mac=`` for ``body``."""
    signed = app_id.encode() + body + timestamp.encode() + secret_key.encode()
    return hashlib.sha256(signed).hexdigest()


def verified_event(
    *, header: str | None, body: bytes, app_id: str, secret_key: str, now: datetime
) -> dict[str, Any]:
    """The event document, once its signature and its age are checked.

    Raises:
        Unauthenticated: no or malformed signature header, a body that cannot carry a
            signature (not a JSON object with a ``timestamp``), a wrong signature, an event
            of another Zalo app, or a timestamp outside :data:`REPLAY_WINDOW`.
    """
    given = (header or "").strip()
    if not given.startswith(_PREFIX):
        raise Unauthenticated("the X-ZEvent-Signature header is missing or malformed")
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("timestamp"), str | int):
        raise Unauthenticated("the event carries no timestamp to check the signature with")
    timestamp = str(document["timestamp"])
    expected = mac(app_id=app_id, body=body, timestamp=timestamp, secret_key=secret_key)
    if not hmac.compare_digest(given[len(_PREFIX) :].lower().encode(), expected.encode()):
        raise Unauthenticated("the X-ZEvent-Signature does not match the event")
    if str(document.get("app_id", "")) != app_id:
        raise Unauthenticated("the event is for another Zalo app")
    try:
        sent = datetime.fromtimestamp(int(timestamp) / 1000, tz=now.tzinfo)
    except (ValueError, OverflowError, OSError):
        raise Unauthenticated("the event's timestamp is not a time") from None
    if abs(now - sent) > REPLAY_WINDOW:
        raise Unauthenticated(
            "the event is too old (or ahead of our clock): replays are refused",
            details={"window_seconds": int(REPLAY_WINDOW.total_seconds())},
        )
    return document
