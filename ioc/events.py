"""Domain events written to the outbox in the caller's transaction.

An event row exists only if the change that caused it committed; delivery (Socket.IO, push,
webhooks) reads committed rows afterwards, so nothing is announced that did not happen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
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
    __table_args__ = (Index("ix_event_unpublished", "published_at", "seq"),)

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    report_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    audiences: Mapped[list[str]] = mapped_column(Json)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def record_event(
    session: Session,
    type: str,
    *,
    payload: dict[str, Any],
    audiences: list[str],
    report_id: int | None = None,
) -> Event:
    """Add an event to the outbox of the session's transaction (never commits)."""
    event = Event(type=type, payload=payload, audiences=audiences, report_id=report_id)
    session.add(event)
    return event
