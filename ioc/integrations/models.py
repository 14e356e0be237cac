"""Integrating systems, their webhook subscriptions, and the deliveries owed to the outside."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ioc.db import Base, Json, UtcDateTime, utcnow
from ioc.events.models import SeqType


class ApiClient(Base):
    """A system allowed to file reports through Open311 with its own API key.

    Only a SHA-256 of the key is kept; the key itself is shown once, when it is created.
    """

    __tablename__ = "api_client"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class WebhookSubscription(Base):
    """A receiver that hears about the events it filters for, signed with its own secret."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept in the clear because signing needs it; it only ever leaves the system once.
    secret: Mapped[str] = mapped_column(String(128))
    event_types: Mapped[list[str]] = mapped_column(Json, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DeliveryStatus:
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    # A push about an event older than IOC_PUSH_MAX_AGE_SECONDS (after a worker outage):
    # dropped unsent, since late news shown as new misleads more than it helps.
    STALE = "stale"


class DeliveryChannel:
    PUSH = "push"  # to a device, through FCM
    WEBHOOK = "webhook"  # to a subscribed system
    EMAIL = "email"  # to a staff member's address, through the SMTP server
    ZALO = "zalo"  # to a citizen's Zalo account, through the Zalo OA message API


class Delivery(Base):
    """One message owed to one destination (a device, a webhook or an e-mail address), written
    when the worker fans an event out and kept afterwards as the delivery log."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_seq: Mapped[int] = mapped_column(
        SeqType, ForeignKey("event.seq", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # a DeliveryChannel
    # A forgotten device (FCM said unregistered) leaves its rows in the log, without a target.
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("device.id", ondelete="SET NULL"), index=True
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
