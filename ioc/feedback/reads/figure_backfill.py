"""The report columns the figures read, filled in from the areas and the history where they
are empty: reports written before those columns existed, or by a bulk load that wrote only
reports, areas, history and returns. The live system writes them as it goes (the clock
engine and the lifecycle); :func:`ioc.feedback.reads.figure_rollups.rebuild_figure_rollups`
calls this before it recounts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, bindparam, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from ioc.feedback.report_models import (
    ExtensionRequest,
    Report,
    ReportArea,
    ReportHistory,
    ReportReturn,
)
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import ReportStatus


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def backfill_figure_columns(
    session: Session, policy: SlaPolicy, *, absent_columns: Collection[str] = ()
) -> None:
    """Fill the report columns the figures read where they are empty, from the areas, the
    history and the extension requests (reports written before these columns existed, or by a
    bulk load); ``absent_columns`` are left alone (a schema older than them).

    The receipt verdict of an old report compares when it last left the IOC queue with the
    receipt deadline, its receipt time runs from when it last entered the queue (filing or a
    return) to then, and its handling time runs from its last assignment or reopening to its
    resolution: all ignore time the clock was paused, which only the live upkeep knows.
    """
    reports = _table(Report)

    def fill(where: Any, **values: Any) -> None:
        # The report's own update time stays: filling a derived column is not a change.
        session.execute(
            update(reports).where(where).values(updated_at=reports.c.updated_at, **values)
        )

    def has(*conditions: Any) -> Any:
        return exists().where(ReportHistory.report_id == reports.c.id, *conditions)

    _fill_received_on(session, policy.calendar.timezone)
    leaf = select(ReportArea.area_id).where(
        ReportArea.report_id == reports.c.id, ReportArea.depth == 0
    )
    fill(reports.c.area_id.is_(None), area_id=leaf.scalar_subquery())
    returns = _table(ReportReturn)
    for name in ("received_on", "category_id", "area_id", "channel"):
        value = select(reports.c[name]).where(reports.c.id == returns.c.report_id)
        session.execute(
            update(returns).where(returns.c[name].is_(None)).values({name: value.scalar_subquery()})
        )
    triage = [ReportStatus.PENDING_REVIEW.value, ReportStatus.RETURNED.value]
    dispatched = and_(
        ReportHistory.action == "submitted", ReportHistory.to_status == ReportStatus.ASSIGNED.value
    )
    left_queue = and_(ReportHistory.from_status.in_(triage), ReportHistory.to_status.not_in(triage))
    fill(
        reports.c.is_verified.is_not(True) & has(ReportHistory.action == "verify"),
        is_verified=True,
    )
    fill(
        reports.c.is_assigned.is_not(True)
        & (has(ReportHistory.action == "assign") | has(dispatched)),
        is_assigned=True,
    )
    reopens = select(func.count(ReportHistory.id)).where(
        ReportHistory.report_id == reports.c.id, ReportHistory.action == "reopen"
    )
    fill(
        (func.coalesce(reports.c.reopen_count, 0) == 0) & has(ReportHistory.action == "reopen"),
        reopen_count=reopens.scalar_subquery(),
    )
    if "extension_count" not in absent_columns:
        approved = (ExtensionRequest.report_id == reports.c.id) & (
            ExtensionRequest.decision == "approved"
        )
        fill(
            (func.coalesce(reports.c.extension_count, 0) == 0) & exists().where(approved),
            extension_count=select(func.count(ExtensionRequest.id))
            .where(approved)
            .scalar_subquery(),
        )
    fill(reports.c.receipt_on_time.is_(None) & has(dispatched), receipt_on_time=True)
    last_left = select(func.max(ReportHistory.occurred_at)).where(
        ReportHistory.report_id == reports.c.id, left_queue
    )
    fill(
        reports.c.receipt_on_time.is_(None)
        & reports.c.receipt_due_at.is_not(None)
        & has(left_queue),
        receipt_on_time=last_left.scalar_subquery() <= reports.c.receipt_due_at,
    )
    if "receipt_hours" not in absent_columns:
        fill_receipt_hours(session, policy)
    _fill_handling_hours(session, policy)


def _fill_received_on(session: Session, timezone: ZoneInfo) -> None:
    # Local dates are computed here rather than in SQL, where SQLite knows no time zones.
    rows = session.execute(
        select(Report.id, Report.received_at).where(Report.received_on.is_(None))
    ).all()
    _update_reports(
        session, ({"b_id": i, "received_on": at.astimezone(timezone).date()} for i, at in rows)
    )


def fill_receipt_hours(session: Session, policy: SlaPolicy) -> None:
    """The receipt time of reports with a receipt verdict and none yet: nothing for one routed
    straight to an agency at filing, else the working hours from when it last entered the IOC
    queue (filing, or an agency's return) to when it last left it."""
    triage = [ReportStatus.PENDING_REVIEW.value, ReportStatus.RETURNED.value]
    reports = _table(Report)
    dispatched = exists().where(
        ReportHistory.report_id == reports.c.id,
        ReportHistory.action == "submitted",
        ReportHistory.to_status == ReportStatus.ASSIGNED.value,
    )
    session.execute(
        update(reports)
        .where(
            reports.c.receipt_hours.is_(None),
            reports.c.receipt_on_time.is_not(None),
            dispatched,
        )
        .values(updated_at=reports.c.updated_at, receipt_hours=0.0)
    )
    left = (
        select(func.max(ReportHistory.occurred_at))
        .where(
            ReportHistory.report_id == Report.id,
            ReportHistory.from_status.in_(triage),
            ReportHistory.to_status.not_in(triage),
        )
        .scalar_subquery()
    )
    history = aliased(ReportHistory)
    entered = (
        select(func.max(history.occurred_at))
        .where(
            history.report_id == Report.id,
            history.to_status.in_(triage),
            history.from_status.is_(None) | history.from_status.not_in(triage),
            history.occurred_at <= left,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Report.id, Report.received_at, entered, left).where(
            Report.receipt_hours.is_(None), Report.receipt_on_time.is_not(None)
        )
    ).all()
    hours = policy.calendar.working_hours_between
    _update_reports(
        session,
        (
            {
                "b_id": i,
                "receipt_hours": max(hours(_utc(start) or received, _utc(stop) or received), 0.0),
            }
            for i, received, start, stop in rows
        ),
    )


def _fill_handling_hours(session: Session, policy: SlaPolicy) -> None:
    started = (
        select(func.max(ReportHistory.occurred_at))
        .where(
            ReportHistory.report_id == Report.id,
            ReportHistory.action.in_(["assign", "reopen", "submitted"]),
            ReportHistory.occurred_at <= Report.resolved_at,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Report.id, Report.received_at, Report.resolved_at, started).where(
            Report.handling_hours.is_(None),
            Report.resolved_on_time.is_not(None),
            Report.resolved_at.is_not(None),
        )
    ).all()
    hours = policy.calendar.working_hours_between
    _update_reports(
        session,
        (
            {
                "b_id": i,
                "handling_hours": max(hours(_utc(start) or received, resolved or received), 0.0),
            }
            for i, received, resolved, start in rows
        ),
    )


def _utc(moment: datetime | str | None) -> datetime | None:
    # MAX() over a UTC column comes back as the driver gives it (naive text on SQLite).
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _update_reports(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    reports = _table(Report)
    statement = (
        update(reports)
        .where(reports.c.id == bindparam("b_id"))
        .values(updated_at=reports.c.updated_at)
    )
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 5_000:
            session.execute(statement, batch)
            batch = []
    if batch:
        session.execute(statement, batch)
