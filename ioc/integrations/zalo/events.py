"""The OA events the channel acts on, read from a verified webhook document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ioc.errors import InvalidInput

TEXT = "user_send_text"
IMAGE = "user_send_image"
LOCATION = "user_send_location"
FOLLOW = "follow"
UNFOLLOW = "unfollow"
HANDLED = frozenset({TEXT, IMAGE, LOCATION, FOLLOW, UNFOLLOW})
MAX_TEXT_CHARS = 2000


@dataclass(frozen=True)
class ZaloEvent:
    """One event from a Zalo user: what they sent, and the id Zalo gave the message."""

    name: str
    user_id: str
    #: The OA the event is for (``recipient.id``, or ``oa_id`` on follow events), if given.
    oa_id: str | None
    msg_id: str | None = None
    text: str | None = None
    image_urls: tuple[str, ...] = ()
    lon: float | None = None
    lat: float | None = None


def read_event(document: dict[str, Any]) -> ZaloEvent | None:
    """The event, or ``None`` for an event the channel does not act on.

    Raises:
        InvalidInput: an event the channel acts on that lacks what it must carry (the sender,
            the message id, the text, an image URL or the coordinates); the field is named.
    """
    name = document.get("event_name")
    if name not in HANDLED:
        return None
    sender = _object(document, "sender")
    user_id = _text(sender.get("id"), "sender.id") if name not in (FOLLOW, UNFOLLOW) else None
    if user_id is None:
        follower = _object(document, "follower")
        user_id = _text(follower.get("id") or sender.get("id"), "follower.id")
    recipient = document.get("recipient")
    oa_id = recipient.get("id") if isinstance(recipient, dict) else document.get("oa_id")
    oa_id = str(oa_id) if oa_id else None
    if name in (FOLLOW, UNFOLLOW):
        return ZaloEvent(name=name, user_id=user_id, oa_id=oa_id)
    message = _object(document, "message")
    msg_id = _text(message.get("msg_id"), "message.msg_id")
    if name == TEXT:
        text = _text(message.get("text"), "message.text")[:MAX_TEXT_CHARS]
        return ZaloEvent(name=name, user_id=user_id, oa_id=oa_id, msg_id=msg_id, text=text)
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, dict)]
    if name == IMAGE:
        urls = tuple(
            str(a["payload"]["url"])
            for a in attachments
            if isinstance(a.get("payload"), dict) and a["payload"].get("url")
        )
        if not urls:
            raise _missing("message.attachments[0].payload.url")
        caption = message.get("text") if isinstance(message.get("text"), str) else None
        return ZaloEvent(
            name=name, user_id=user_id, oa_id=oa_id, msg_id=msg_id, image_urls=urls, text=caption
        )
    coordinates = (attachments[0].get("payload") or {}) if attachments else {}
    coordinates = coordinates.get("coordinates") if isinstance(coordinates, dict) else None
    field = "message.attachments[0].payload.coordinates"
    if not isinstance(coordinates, dict):
        raise _missing(field)
    try:
        lat, lon = float(coordinates["latitude"]), float(coordinates["longitude"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(
            "the location has no usable coordinates",
            details={"fields": {field: "needs numeric latitude and longitude"}},
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidInput(
            "the location is not on Earth", details={"fields": {field: "is out of range"}}
        )
    return ZaloEvent(name=name, user_id=user_id, oa_id=oa_id, msg_id=msg_id, lon=lon, lat=lat)


def _object(document: dict[str, Any], key: str) -> dict[str, Any]:
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: object, field: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _missing(field)
    return value.strip()


def _missing(field: str) -> InvalidInput:
    return InvalidInput("the event lacks a field", details={"fields": {field: "is required"}})
