"""Messages waiting in the IOC queue for a place (e-mails without a geotagged photo)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.citizen_models import InboundMessage, InboundStatus
from ioc.feedback.reads.paging import Keyset, Page, after, take_page

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
