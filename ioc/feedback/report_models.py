"""Reports, the areas they were filed under, their history and their attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
    text,
)
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ioc.db import Base, Json, UtcDateTime, utcnow
from ioc.feedback.models import Agency, Category, User
from ioc.feedback.states import HANDLING_STATES, TRIAGE_STATES, ReportStatus
from ioc.geo.models import Area


def _sql_list(states: frozenset[ReportStatus]) -> str:
    return "(" + ", ".join(f"'{s.value}'" for s in sorted(states)) + ")"


#: What "overdue now" filters and groups by besides the deadline (see the clock indexes).
_OVERDUE_COUNT_COLUMNS = (
    "paused_at",
    "received_on",
    "lead_agency_id",
    "category_id",
    "area_id",
    "channel",
)


class SupportPart(Base):
    """A supporting agency's part of a report (phần phối hợp): its own deadline, a share of the
    lead's (:mod:`ioc.feedback.sla.support`), and its contribution once it records it.

    ``report.supporting_agencies`` reads and writes the agencies through these rows.
    """

    __tablename__ = "report_supporting_agency"
    __table_args__ = (
        Index("ix_report_supporting_agency_agency", "agency_id", "report_id"),
        # The sweep finds parts still open past their deadline from this small index alone.
        Index(
            "ix_report_supporting_agency_due",
            "due_at",
            postgresql_where=text("done_at IS NULL AND overdue_announced_at IS NULL"),
            sqlite_where=text("done_at IS NULL AND overdue_announced_at IS NULL"),
        ),
    )

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    text: Mapped[str | None] = mapped_column(Text)
    overdue_announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    agency: Mapped[Agency] = relationship(lazy="joined")


class Report(Base):
    """A citizen's report of a problem at a place.

    ``cell_x``/``cell_y`` are the slippy-map tile at :data:`ioc.geo.cells.CELL_ZOOM`; coarser
    cells are found by integer division, so map rollups work the same on every backend.
    """

    __tablename__ = "report"
    __table_args__ = (
        # paused_at last: "overdue now" (never while paused) is counted from the index alone.
        Index("ix_report_status_due", "status", "due_at"),
        Index("ix_report_status_receipt_due", "status", "receipt_due_at"),
        # "Overdue now" (ioc.feedback.sla.clock.overdue_where) counted and grouped for the KPI
        # tiles and statistics from these small indexes alone: open reports only, with every
        # column those counts read carried in the index on PostgreSQL.
        Index(
            "ix_report_receipt_clock",
            "receipt_due_at",
            postgresql_where=text(f"status IN {_sql_list(TRIAGE_STATES)}"),
            sqlite_where=text(f"status IN {_sql_list(TRIAGE_STATES)}"),
            postgresql_include=list(_OVERDUE_COUNT_COLUMNS),
        ),
        Index(
            "ix_report_resolution_clock",
            "due_at",
            postgresql_where=text(f"status IN {_sql_list(HANDLING_STATES)}"),
            sqlite_where=text(f"status IN {_sql_list(HANDLING_STATES)}"),
            postgresql_include=list(_OVERDUE_COUNT_COLUMNS),
        ),
        Index("ix_report_status_resolved", "status", "resolved_at"),
        Index("ix_report_cell", "cell_x", "cell_y"),
        Index("ix_report_lon_lat", "lon", "lat"),
        # Keyset paging (ioc.feedback.reads): each list's first page is an index range.
        Index("ix_report_received", "received_at", "id"),
        # The agency's figures per officer read one agency's period, grouped by officer.
        Index("ix_report_lead_assignee_received", "lead_agency_id", "assignee_id", "received_at"),
        Index("ix_report_status_received", "status", "received_at", "id"),
        Index("ix_report_category_received", "category_id", "received_at", "id"),
        Index("ix_report_agency_received", "lead_agency_id", "received_at", "id"),
        # The work lists are a small part of a year of reports: partial indexes hold just
        # them, in the lists' own order.
        Index(
            "ix_report_triage_queue",
            "received_at",
            "id",
            postgresql_where=text(f"status IN {_sql_list(TRIAGE_STATES)}"),
            sqlite_where=text(f"status IN {_sql_list(TRIAGE_STATES)}"),
        ),
        Index(
            "ix_report_agency_inbox",
            "lead_agency_id",
            "due_at",
            "id",
            postgresql_where=text(f"status IN {_sql_list(HANDLING_STATES)}"),
            sqlite_where=text(f"status IN {_sql_list(HANDLING_STATES)}"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    #: Indexed by ``ix_report_category_received``, which leads with it.
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    status: Mapped[str] = mapped_column(String(20))
    sla_tier: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    cell_x: Mapped[int] = mapped_column(Integer)
    cell_y: Mapped[int] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    channel: Mapped[str] = mapped_column(String(16))
    #: The integrating system that filed it through Open311 (channel "open311").
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_client.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: Indexed by ``ix_report_agency_received``, which leads with it.
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    #: The officer (or manager) of the lead agency who handles it (ioc.feedback.lifecycle.
    #: assignment); cleared when the report leaves the agency.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(16))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The public result of the case (kết quả xử lý), written by the lead agency on resolving.
    result_text: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    # When the SLA sweep announced the current deadline as near or passed: each is raised
    # once per deadline, and cleared when the deadline moves.
    due_soon_announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    overdue_announced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Set while the clock waits for the citizen to send more information.
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # The running clock (see ioc.feedback.sla.clock): the receipt deadline while the IOC has
    # the report, the resolution deadline while an agency has it. Both already include the
    # time the clock was paused and any approved extension.
    receipt_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When the running clock started (receipt, return, assignment or reopening), and how long
    # it has been paused since, in the clock's own hours: together they give the time used.
    clock_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    paused_hours: Mapped[float] = mapped_column(Float, default=0.0)
    # The clock's verdict when the report was last resolved (statistics read it).
    resolved_on_time: Mapped[bool | None] = mapped_column(Boolean)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the figure rollups count (ioc.feedback.reads.figure_rollups), each written where the
    # lifecycle decides it: the local day of receipt and the leaf area (at filing), whether an
    # operator verified it and whether it was ever assigned, the receipt clock's verdict and
    # working hours when it last stopped, how often it was reopened, how many extensions were
    # approved, and the working hours of the last handling round.
    received_on: Mapped[date | None] = mapped_column(Date)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    is_assigned: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_on_time: Mapped[bool | None] = mapped_column(Boolean)
    receipt_hours: Mapped[float | None] = mapped_column(Float)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    handling_hours: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    # Optimistic locking: two people acting on one report at once cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[Category] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    lead_agency: Mapped[Agency | None] = relationship()
    support_parts: Mapped[list[SupportPart]] = relationship(
        order_by=lambda: _by_agency_code(), cascade="all, delete-orphan"
    )
    supporting_agencies: AssociationProxy[list[Agency]] = association_proxy(
        "support_parts", "agency", creator=lambda agency: SupportPart(agency=agency)
    )
    areas: Mapped[list[ReportArea]] = relationship(
        order_by="ReportArea.depth", cascade="all, delete-orphan"
    )
    history: Mapped[list[ReportHistory]] = relationship(
        order_by="ReportHistory.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan"
    )
    returns: Mapped[list[ReportReturn]] = relationship(
        order_by="ReportReturn.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)


class ReportArea(Base):
    """An area version the report was filed under; depth 0 is the smallest (leaf) area."""

    __tablename__ = "report_area"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), primary_key=True
    )
    depth: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)

    area: Mapped[Area] = relationship()


class ReportHistory(Base):
    """One transition or action on a report: who, when, from, to, note and who may see it."""

    __tablename__ = "report_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)


class Attachment(Base):
    """A photo stored for display (metadata stripped) with its thumbnail."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "before" (citizen) or "after" (agency)
    storage_key: Mapped[str] = mapped_column(String(200))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The draft answer it was sent with (purpose "draft" until a manager approves it, then
    #: "after"); never shown outside the agency while it is a draft.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("report_draft.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ExtensionRequest(Base):
    """An agency asks for more time (gia hạn); the IOC approves or denies it."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))  # approved / denied
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)
    #: The time the request adds to the deadline in force when it was made, in the clock's
    #: own hours (working hours, or wall hours for urgent reports): the caps add these up.
    hours: Mapped[float | None] = mapped_column(Float)


class ReportDraft(Base):
    """An officer's resolution, extension request or return waiting for the manager's
    sign-off (phê duyệt) in an agency that requires it; nothing of it is public until approved.

    ``payload``: ``{"answer"}``, ``{"until", "reason"}`` or ``{"reason"}`` by ``kind``.
    """

    __tablename__ = "report_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # resolution / extension / return
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # approved / sent_back
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    photos: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", viewonly=True)


class ReportReturn(Base):
    """An agency sent a report back as not its own (chuyển trả): the time it held the report
    is recorded, since the citizen lost it, and counted per agency in statistics."""

    __tablename__ = "report_return"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    #: Working time from assignment to return (the measure the return window uses).
    hours_held: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    # The returned report's figure keys when it was returned (its local day of receipt, leaf
    # area, category and channel), so the rollups count the return without reading the report.
    received_on: Mapped[date | None] = mapped_column(Date)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    channel: Mapped[str | None] = mapped_column(String(16))

    agency: Mapped[Agency] = relationship()


class AuditEntry(Base):
    """One staff action, with the state before and after, for the admins' audit log."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_target", "target_type", "target_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_ref: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(Json)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json)


class Surge(Base):
    """Many reports of one category in one commune within a short window: probably one
    incident (a flooded street), suggested to the operators for grouping."""

    __tablename__ = "surge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    window_end: Mapped[datetime] = mapped_column(UtcDateTime())
    report_ids: Mapped[list[int]] = mapped_column(Json, default=list)
    # "open" until the operators group the reports into one incident or dismiss the alert.
    status: Mapped[str] = mapped_column(String(16), default="open")
    incident_report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def _by_agency_code() -> Any:
    # Parts listed in the order of their agencies' codes, as the agencies always were.
    return (
        select(Agency.code).where(Agency.id == SupportPart.agency_id).scalar_subquery(),
        SupportPart.agency_id,
    )
