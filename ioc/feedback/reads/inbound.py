"""Messages waiting in the IOC queue for a place (e-mails without a geotagged photo)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.citizen_models import InboundMessage, InboundStatus
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.people.reporters import may_see_reporter
from ioc.feedback.reads.paging import Keyset, Page, after, take_page
from ioc.feedback.states import OPS_READERS

WAITING_KEY = Keyset("inbound_waiting", ("datetime", "int"))


def list_waiting_messages(
    session: Session, *, cursor: str | None = None, limit: int = 50
) -> Page[InboundMessage]:
    """Messages that need a location, oldest first (the index on status and arrival serves
    every page).

    Raises:
        InvalidCursor: a cursor this list did not give out. InvalidInput: a bad ``limit``.
    """
    query = (
        select(InboundMessage)
        .where(InboundMessage.status == InboundStatus.NEEDS_LOCATION)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    )
    if cursor is not None:
        query = query.where(
            after(
                [InboundMessage.received_at, InboundMessage.id],
                WAITING_KEY.decode(cursor),
                descending=False,
            )
        )
    return take_page(
        session, query, limit=limit, keyset=WAITING_KEY, key_of=lambda m: (m.received_at, m.id)
    )


@dataclass(frozen=True)
class WaitingPhoto:
    """A stripped photo of a waiting message, as the media store holds it."""

    key: str
    content_type: str


def find_waiting_photo(
    session: Session, *, viewer: User, message_id: int, index: int, thumbnail: bool = False
) -> WaitingPhoto | None:
    """Photo ``index`` (from 0) of a message waiting for a place, or its thumbnail; ``None``
    when there is no such photo, the message was already filed (its photos are then the
    report's, served with the report's rules), or ``viewer`` may not read the IOC queue.

    A waiting message has no category yet, so it is shown to the operations centre's readers
    only (IOC staff and viewers), never to agencies or the public.
    """
    if viewer.role not in OPS_READERS:
        return None
    record = session.get(InboundMessage, message_id)
    if record is None or record.status != InboundStatus.NEEDS_LOCATION:
        return None
    if not 0 <= index < len(record.photos):
        return None
    photo = record.photos[index]
    key = photo["thumbnail_key"] if thumbnail else photo["storage_key"]
    return WaitingPhoto(key=str(key), content_type=str(photo["content_type"]))


def sender_shown_to(
    session: Session, *, message: InboundMessage, actor: User, viewers_see_reporters: bool
) -> User | None:
    """Who sent ``message`` if ``actor`` may see reporters (the rule of
    :mod:`ioc.feedback.people.reporters`: IOC staff, and viewers where the province grants
    it), else ``None``. Showing a sender is audited like showing a report's reporter; never
    commits."""
    if message.sender_id is None or not may_see_reporter(
        actor, viewers_see_reporters=viewers_see_reporters
    ):
        return None
    audit.record(
        session,
        actor_id=actor.id,
        action="read_reporter",
        target_type="inbound_message",
        target_ref=str(message.id),
    )
    return session.get(User, message.sender_id)
