"""Messages from channels that are not forms (e-mail): filed once per message id, and held in
the IOC queue as "needs location" when they carry no usable place.

An e-mail has no map pin: its place comes from a photo's GPS tags when there is one. Without
it (or when it lies outside the served area) the message is kept, photos already stripped and
stored, until an operator places it (:mod:`ioc.feedback.lifecycle.placement`); it then files
like any other report, routed and with its deadlines counted from when the message arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.events.audiences import AUDIENCE_OPS
from ioc.events.log import record_event_at_commit
from ioc.feedback.citizen_models import InboundMessage, InboundStatus
from ioc.feedback.intake.filing import (
    MAX_DESCRIPTION_CHARS,
    MAX_PHOTOS,
    Intake,
    StoredPhoto,
    submit_report,
)
from ioc.feedback.people.callers import find_or_add_caller_id
from ioc.feedback.report_models import Report

MAX_EXTERNAL_ID_CHARS = 300
MAX_SUBJECT_CHARS = 300


@dataclass(frozen=True)
class Received:
    """One message as the channel delivered it, its photos already stripped and stored."""

    channel: str
    external_id: str
    sender_email: str | None
    sender_name: str | None
    subject: str | None
    body: str | None
    received_at: datetime
    photos: Sequence[StoredPhoto] = ()
    #: ``(lon, lat)`` read from the photos before stripping, if any.
    location: tuple[float, float] | None = None


def find_inbound(session: Session, *, channel: str, external_id: str) -> InboundMessage | None:
    """The record of a message already received on ``channel``, or ``None``."""
    return session.scalar(
        select(InboundMessage).where(
            InboundMessage.channel == channel,
            InboundMessage.external_id == external_id[:MAX_EXTERNAL_ID_CHARS],
        )
    )


def receive_message(
    session: Session, intake: Intake, *, message: Received, category_code: str
) -> InboundMessage:
    """File ``message`` as a report, or hold it in the IOC queue when no place is known; a
    message received before is left as it is (its record is returned).

    Raises:
        InvalidInput: ``category_code`` is not an active category (a deployment error: the
            message is not recorded, so it is tried again once the setting is fixed).
    """
    earlier = find_inbound(session, channel=message.channel, external_id=message.external_id)
    if earlier is not None:
        return earlier
    sender_id = find_or_add_caller_id(
        session, name=message.sender_name, phone=None, email=message.sender_email
    )
    photos = list(message.photos)[:MAX_PHOTOS]
    record = InboundMessage(
        channel=message.channel,
        external_id=message.external_id[:MAX_EXTERNAL_ID_CHARS],
        status=InboundStatus.NEEDS_LOCATION,
        sender_id=sender_id,
        subject=(message.subject or "")[:MAX_SUBJECT_CHARS] or None,
        description=describe(message.subject, message.body),
        photos=[asdict(photo) for photo in photos],
        received_at=message.received_at,
    )
    session.add(record)
    session.flush()
    if message.location is not None:
        lon, lat = message.location
        report = _file(session, intake, record, lon=lon, lat=lat, category_code=category_code)
        if report is not None:
            record.status, record.report_id = InboundStatus.FILED, report.id
            return record
    record_event_at_commit(
        session,
        "inbound.needs_location",
        payload={"id": record.id, "channel": record.channel, "subject": record.subject},
        audiences=[AUDIENCE_OPS],
    )
    return record


def file_held(
    session: Session,
    intake: Intake,
    record: InboundMessage,
    *,
    lon: float,
    lat: float,
    category_code: str,
    attributes: dict[str, Any] | None = None,
) -> Report:
    """File a held message at the place an operator chose, with the category's attributes.

    Raises:
        InvalidInput: unknown category, bad or missing attributes, or a place outside the
            served area.
    """
    report = _file(
        session,
        intake,
        record,
        lon=lon,
        lat=lat,
        category_code=category_code,
        attributes=attributes,
        strict=True,
    )
    assert report is not None  # strict: refusals raise
    return report


def _file(
    session: Session,
    intake: Intake,
    record: InboundMessage,
    *,
    lon: float,
    lat: float,
    category_code: str,
    attributes: dict[str, Any] | None = None,
    strict: bool = False,
) -> Report | None:
    try:
        # A savepoint: a place outside the served area leaves the message held, nothing else.
        with session.begin_nested():
            return submit_report(
                session,
                intake,
                category_code=category_code,
                lon=lon,
                lat=lat,
                description=record.description,
                channel=record.channel,
                reporter_id=record.sender_id,
                received_at=record.received_at,
                attributes=attributes,
                photos=[StoredPhoto(**photo) for photo in record.photos],
            )
    except InvalidInput as refusal:
        fields = (refusal.details or {}).get("fields", {})
        if strict or "category" in fields:
            raise
        return None


def describe(subject: str | None, body: str | None) -> str | None:
    """The report's description: the subject, then the body, within the length allowed."""
    parts = [" ".join((subject or "").split()), (body or "").strip()]
    text = "\n\n".join(part for part in parts if part)
    if len(text) > MAX_DESCRIPTION_CHARS:
        text = text[: MAX_DESCRIPTION_CHARS - 1] + "…"
    return text or None
