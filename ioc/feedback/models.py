"""Who handles what: agencies, categories, routing rules and user accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ioc.db import Base, Json, UtcDateTime, utcnow

#: The start of time for routing rules: a rule loaded without a date applies to every report.
RULES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class Agency(Base):
    """A department, company or commune People's Committee that resolves reports."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    # The area of competence, by area code (stable across boundary versions).
    area_code: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(300))
    #: What sort of body it is (:class:`ioc.feedback.states.AgencyKind`).
    kind: Mapped[str] = mapped_column(String(32), default="department")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Officers' resolutions, extension requests and returns wait for a manager's approval
    #: (phê duyệt) before they go out in the agency's name; the pack's ``sign_off`` column.
    requires_sign_off: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When it stopped taking reports; kept, never deleted, so old reports keep their meaning.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    parent: Mapped[Agency | None] = relationship(remote_side=[id])


class CategoryGroup(Base):
    __tablename__ = "category_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Category(Base):
    """A kind of problem citizens report, with its deadline target and handling flags.

    ``attributes`` holds Open311-style attribute definitions (code, datatype, required,
    descriptions, values). A sub-category falls back to its parent's routing rules.
    """

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("category_group.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_vi: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    sla_tier: Mapped[str] = mapped_column(String(16))
    sla_target_hours: Mapped[int] = mapped_column(Integer)
    duplicate_radius_m: Mapped[int] = mapped_column(Integer, default=50)
    is_auto_dispatch: Mapped[bool] = mapped_column(Boolean, default=False)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The citizen must send a photo (app and web channels).
    is_photo_required: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The agency must show the result with a photo when it resolves.
    is_after_photo_required: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    #: This many reports within one commune and window raise a surge; no threshold, no alerts.
    surge_threshold: Mapped[int | None] = mapped_column(Integer)
    surge_window_minutes: Mapped[int] = mapped_column(Integer, default=60)

    group: Mapped[CategoryGroup] = relationship()
    parent: Mapped[Category | None] = relationship(remote_side=[id])


routing_rule_support = Table(
    "routing_rule_support",
    Base.metadata,
    Column("rule_id", ForeignKey("routing_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)


class RoutingRule(Base):
    """One version of (category or category group, area subtree) ► lead (+ supporting) agencies.

    A rule names either a category or a whole group. Versions of one (category/group, area)
    key follow each other: ``valid_to`` is exclusive and ``None`` while the version is current,
    so a report is routed by the rules that were valid when it was filed.
    """

    __tablename__ = "routing_rule"
    __table_args__ = (
        Index("ix_routing_rule_key", "category_id", "group_id", "area_code", "valid_from"),
        CheckConstraint("(category_id IS NULL) <> (group_id IS NULL)", name="category_or_group"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("category_group.id"))
    area_code: Mapped[str] = mapped_column(String(64))
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime(), default=RULES_EPOCH)
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime())

    category: Mapped[Category | None] = relationship()
    group: Mapped[CategoryGroup | None] = relationship()
    lead_agency: Mapped[Agency] = relationship()
    supporting_agencies: Mapped[list[Agency]] = relationship(
        secondary=routing_rule_support, order_by="Agency.code"
    )


class User(Base):
    """A citizen (signed in through Firebase) or a staff member (username and password)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    firebase_uid: Mapped[str | None] = mapped_column(String(128), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(200))
    #: Indexed: a report filed for a caller finds the caller by phone number.
    phone: Mapped[str | None] = mapped_column(String(50), index=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    agency: Mapped[Agency | None] = relationship()


class PasswordSetup(Base):
    """A one-time link a staff member follows to choose their password (stored hashed)."""

    __tablename__ = "password_setup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()


class ProvinceProfile(Base):
    """The province itself (a single row): who it is, its deadline policy and its holidays.

    The policy and the holidays are kept as the TOML text a province writes; a process
    reloads them when ``revision`` moves. Without a row, the files named by the settings
    (or IOC's defaults) apply.
    """

    __tablename__ = "province_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    code: Mapped[str] = mapped_column(String(64))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str] = mapped_column(String(64))
    sla_policy_toml: Mapped[str | None] = mapped_column(Text)
    holidays_toml: Mapped[str | None] = mapped_column(Text)
    #: Public contact points (hotline, e-mail, Zalo OA name and link) from ``[channels]``.
    channels: Mapped[dict[str, Any] | None] = mapped_column(Json)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffSession(Base):
    """A signed-in staff member: the bearer token (stored hashed) and its CSRF companion."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()
