"""What the Zalo channel keeps: who writes from Zalo, the messages already handled, and the
report each Zalo user is putting together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ioc.db import Base, Json, UtcDateTime, utcnow


class ZaloContact(Base):
    """A Zalo user of the OA, tied to the citizen account their reports are filed under."""

    __tablename__ = "zalo_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The user's id as the OA sees it (``sender.id``), the address replies go to.
    zalo_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    is_following: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ZaloInbound(Base):
    """A Zalo message already handled: Zalo redelivers webhooks, each is acted on once."""

    __tablename__ = "zalo_inbound"

    msg_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("zalo_contact.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class ZaloDraft(Base):
    """The report a Zalo user is putting together, until it is filed (then the row goes)."""

    __tablename__ = "zalo_draft"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("zalo_contact.id", ondelete="CASCADE"), primary_key=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    #: The image URLs Zalo gave, fetched when the report is filed.
    photo_urls: Mapped[list[str]] = mapped_column(Json, default=list)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    category_code: Mapped[str | None] = mapped_column(String(64))
    #: The ids of the messages that went into the draft: the report's idempotency key.
    message_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
