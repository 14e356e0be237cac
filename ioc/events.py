"""Domain events written to the outbox in the caller's transaction.

An event row exists only if the change that caused it committed; delivery (Socket.IO, push,
webhooks) reads committed rows afterwards, so nothing is announced that did not happen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ioc.db import Base, Json, UtcDateTime, utcnow

# SQLite only auto-numbers an INTEGER PRIMARY KEY, so the 64-bit type is PostgreSQL's alone.
SeqType = Integer().with_variant(BigInteger(), "postgresql")

AUDIENCE_OPS = "ops"
AUDIENCE_PUBLIC = "public"


def agency_audience(agency_code: str) -> str:
    return f"agency:{agency_code}"


def citizen_audience(user_id: int) -> str:
    return f"citizen:{user_id}"


class Event(Base):
    """One committed domain change, numbered by a global increasing ``seq``."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_unpublished", "published_at", "seq"),
        Index("ix_event_undispatched", "dispatched_at", "seq"),
    )

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    report_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    audiences: Mapped[list[str]] = mapped_column(Json)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: When the worker turned the event into deliveries for the outside (push, webhooks).
    dispatched_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class EventAudience(Base):
    """Who may receive an event: one row per audience, so a screen's missed events are one
    indexed range read on every backend."""

    __tablename__ = "event_audience"

    audience: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(
        SeqType, ForeignKey("event.seq", ondelete="CASCADE"), primary_key=True
    )


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
    event = Event(type=type, payload=payload, audiences=audiences, report_id=report_id)
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


def claim_unpublished(session: Session, *, limit: int = 500) -> list[Event]:
    """Take the oldest events not yet pushed to screens and mark them published.

    Concurrent publishers (one per app process) skip each other's rows on PostgreSQL, so
    each event is pushed once; screens order by ``seq`` and ignore a ``seq`` seen before.
    """
    query = select(Event).where(Event.published_at.is_(None)).order_by(Event.seq).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = list(session.scalars(query))
    now = utcnow()
    for event in events:
        event.published_at = now
    return events
