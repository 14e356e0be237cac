"""``POST /api/channels/v1/zalo/webhook``: the Zalo OA's events, checked and handed to the
conversation (:mod:`ioc.integrations.zalo.conversation`).

Answers: 200 once an event is handled, seen before or of a kind the channel ignores (Zalo
redelivers what it does not see answered); 401 for a missing or wrong signature and for an
event older than the replay window; 422 for a handled kind of event that lacks its fields; 404
``channel_unavailable`` while the ``IOC_ZALO_*`` settings are not all set (the channel is off).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, request
from pydantic import BaseModel, Field
from spectree import Response

from ioc.db import utcnow
from ioc.errors import ChannelUnavailable
from ioc.extensions import services
from ioc.feedback.intake.photos import MAX_PHOTO_BYTES
from ioc.integrations.zalo.conversation import ZaloChannel, receive_event
from ioc.integrations.zalo.events import read_event
from ioc.integrations.zalo.oa import HttpPhotoFetcher
from ioc.integrations.zalo.signature import verified_event
from ioc.web.errors import REQUEST_ERRORS, ErrorOut
from ioc.web.openapi import api

bp = Blueprint("zalo_channel", __name__, url_prefix="/api/channels/v1/zalo")

SIGNATURE_HEADER = "X-ZEvent-Signature"


class WebhookOut(BaseModel):
    """What became of the event."""

    result: Literal["handled", "duplicate", "ignored", "filed"]
    ref: str | None = Field(default=None, description="the report filed by this event, if any")


@bp.post("/webhook")
@api.validate(
    resp=Response(HTTP_200=WebhookOut, HTTP_401=ErrorOut, HTTP_404=ErrorOut, **REQUEST_ERRORS),
    tags=["channels"],
)
def webhook() -> Any:
    """An event of the Zalo Official Account (`user_send_text`, `user_send_image`,
    `user_send_location`, `follow`, `unfollow`; others are acknowledged and ignored). The body
    is Zalo's JSON event, signed in the `X-ZEvent-Signature` header; events older than five
    minutes are refused as replays (401). See docs/channels.md."""
    app_services = services()
    settings = app_services.settings
    if not settings.zalo_enabled:
        raise ChannelUnavailable("the Zalo OA channel is not configured on this server")
    document = verified_event(
        header=request.headers.get(SIGNATURE_HEADER),
        body=request.get_data(cache=True),
        app_id=settings.zalo_app_id,
        secret_key=settings.zalo_oa_secret_key,
        now=utcnow(),
    )
    event = read_event(document)
    if event is None or (event.oa_id is not None and event.oa_id != settings.zalo_oa_id):
        return {"result": "ignored"}
    fetcher = HttpPhotoFetcher(max_bytes=MAX_PHOTO_BYTES)
    try:
        channel = ZaloChannel(
            session_factory=app_services.session_factory,
            media=app_services.media,
            intake=app_services.intake,
            fetcher=fetcher,
        )
        handled = receive_event(channel, event)
    finally:
        fetcher.close()
    return WebhookOut(result=handled.result, ref=handled.ref).model_dump()  # type: ignore[arg-type]
