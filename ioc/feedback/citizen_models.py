"""What citizens leave behind besides reports: devices, follows, idempotent submissions and
the messages they send through other channels (e-mail)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ioc.db import Base, Json, UtcDateTime, utcnow


class Device(Base):
    """A phone that receives push notifications (an FCM registration token)."""

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(512), unique=True)
    platform: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ReportFollower(Base):
    """A citizen following a report: its reporter, or someone who said "me too"."""

    __tablename__ = "report_follower"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    is_supporter: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class IdempotencyRecord(Base):
    """The answer given to one ``Idempotency-Key`` of one caller, replayed on retries: a
    citizen or a staff member (``user_id``), or another system (``api_client_id``)."""

    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        UniqueConstraint("api_client_id", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    api_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_client.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(Json)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class InboundStatus:
    FILED = "filed"  # became a report at once
    NEEDS_LOCATION = "needs_location"  # waits in the IOC queue for an operator to place it
    PLACED = "placed"  # an operator placed it; it became a report


class InboundMessage(Base):
    """One message received on a channel (an e-mail), recorded once per message id.

    It is the channel's idempotency record, and, while no place is known for it, the report
    in waiting: its photos are already stripped and stored (``photos`` holds their
    descriptions) so placing it needs nothing more from the mailbox.
    """

    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_inbound_message_status_received", "status", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    subject: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="SET NULL"), index=True
    )
    placed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
