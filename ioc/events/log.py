"""Domain events written to the outbox in the caller's transaction.

An event row exists only if the change that caused it committed; delivery (Socket.IO, push,
webhooks) reads committed rows afterwards, so nothing is announced that did not happen.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ioc.events.models import Event, EventAudience
from ioc.telemetry.context import current_request_id

#: An arbitrary, fixed key for PostgreSQL's transaction-level advisory lock on the outbox.
_OUTBOX_LOCK = 7_301_001


def record_event(
    session: Session,
    type: str,
    *,
    payload: dict[str, Any],
    audiences: list[str],
    report_id: int | None = None,
) -> Event:
    """Add an event to the outbox of the session's transaction (never commits).

    Clients resume from the last ``seq`` they saw, so events must become visible in ``seq``
    order: on PostgreSQL the transactions that write events take one advisory lock until they
    commit, so a lower number can never commit after a higher one has been read. (SQLite runs
    one writer at a time already.)
    """
    transaction = session.get_transaction()
    if (
        session.get_bind().dialect.name == "postgresql"
        and session.info.get("outbox_locked_in") is not transaction
    ):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _OUTBOX_LOCK})
        session.info["outbox_locked_in"] = transaction
    event = Event(
        type=type,
        payload=payload,
        audiences=audiences,
        report_id=report_id,
        request_id=current_request_id(),
    )
    session.add(event)
    session.flush()
    session.add_all(EventAudience(audience=a, seq=event.seq) for a in dict.fromkeys(audiences))
    session.flush()
    return event


def events_for(session: Session, audience: str, *, after_seq: int, limit: int) -> list[Event]:
    """The audience's events after ``after_seq``, oldest first, at most ``limit``."""
    return list(
        session.scalars(
            select(Event)
            .join(EventAudience, EventAudience.seq == Event.seq)
            .where(EventAudience.audience == audience, Event.seq > after_seq)
            .order_by(Event.seq)
            .limit(limit)
        )
    )


def latest_seq(session: Session) -> int:
    return session.scalar(select(func.max(Event.seq))) or 0
