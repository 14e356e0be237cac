"""The event log's tables: one row per committed domain change, one per audience."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ioc.db import Base, Json, UtcDateTime, utcnow

# SQLite only auto-numbers an INTEGER PRIMARY KEY, so the 64-bit type is PostgreSQL's alone.
SeqType = Integer().with_variant(BigInteger(), "postgresql")


class Event(Base):
    """One committed domain change, numbered by a global increasing ``seq``.

    An event row is written once and never updated: how far the publishers and the fan-out
    have come is an :class:`EventMark` each, since both pass events on in ``seq`` order.
    """

    __tablename__ = "event"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    report_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    audiences: Mapped[list[str]] = mapped_column(Json)
    #: The request (``X-Request-Id``) or job that wrote the event, for following it in logs.
    request_id: Mapped[str | None] = mapped_column(String(64))

    #: Its rows in ``event_audience``: written with the event in one flush (the database
    #: removes them with it).
    audience_rows: Mapped[list[EventAudience]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class EventAudience(Base):
    """Who may receive an event: one row per audience, so a screen's missed events are one
    indexed range read on every backend."""

    __tablename__ = "event_audience"

    audience: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(
        SeqType, ForeignKey("event.seq", ondelete="CASCADE"), primary_key=True
    )


class EventMark(Base):
    """How far a consumer of the event log has come: every event up to ``seq`` is passed on.

    One row per consumer (:data:`ioc.events.marks.PUBLISHED`, the screens;
    :data:`ioc.events.marks.DISPATCHED`, the deliveries to the outside). A missing row means
    nothing was passed on yet.
    """

    __tablename__ = "event_mark"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(SeqType)
    moved_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
