"""The report columns the figures read, filled in from the areas and the history where they
are empty: reports written before those columns existed, or by a bulk load that wrote only
reports, areas, history and returns. The live system writes them as it goes (the clock
engine and the lifecycle); :func:`ioc.feedback.reads.figure_rollups.rebuild_figure_rollups`
calls this before it recounts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Float,
    Table,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    null,
    or_,
    select,
    text,
    update,
)
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
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    return table


def backfill_figure_columns(
    session: Session, policy: SlaPolicy, *, absent_columns: Collection[str] = ()
) -> None:
    """Fill the report columns the figures read where they are empty, from the areas, the
    history and the extension requests (reports written before these columns existed, or by a
    bulk load); ``absent_columns`` are left alone (a schema older than them).

    The receipt verdict of an old report compares when it last left the IOC queue with the
    receipt deadline, its receipt time runs from when it last entered the queue (filing or a
    return) to then, and its handling time runs from its last assignment or reopening to its
    resolution: all ignore time the clock was paused, which only the live upkeep knows. A
    return without its figure keys takes its report's keys of now: a report reclassified or
    moved to another area after it was returned has the return counted under its new keys
    (the live count uses those it had when returned, which nothing else records).

    Two passes over the reports, whatever their number: one ``UPDATE`` for every column SQL
    can derive, then the working hours, which need the province's calendar, computed here and
    written back a few thousand rows per statement.
    """
    _fill_received_on(session, policy.calendar.timezone)
    _fill_from_history(session, absent_columns)
    _fill_hours(session, policy, receipt="receipt_hours" not in absent_columns, handling=True)


def _fill_from_history(session: Session, absent_columns: Collection[str]) -> None:
    reports = _table(Report)
    c = reports.c
    filled: dict[str, Any] = {}
    conditions: list[Any] = []

    def fill(name: str, *cases: tuple[Any, Any]) -> None:
        filled[name] = case(*cases, else_=c[name])
        conditions.extend(when for when, _value in cases)

    def has(*conditions: Any) -> Any:
        return exists().where(ReportHistory.report_id == c.id, *conditions)

    leaf = select(ReportArea.area_id).where(ReportArea.report_id == c.id, ReportArea.depth == 0)
    fill("area_id", (c.area_id.is_(None) & exists(leaf), leaf.scalar_subquery()))
    triage = [ReportStatus.PENDING_REVIEW.value, ReportStatus.RETURNED.value]
    dispatched = and_(
        ReportHistory.action == "submitted", ReportHistory.to_status == ReportStatus.ASSIGNED.value
    )
    left_queue = and_(ReportHistory.from_status.in_(triage), ReportHistory.to_status.not_in(triage))
    fill("is_verified", (c.is_verified.is_not(True) & has(ReportHistory.action == "verify"), True))
    fill(
        "is_assigned",
        (
            c.is_assigned.is_not(True) & (has(ReportHistory.action == "assign") | has(dispatched)),
            True,
        ),
    )
    reopens = select(func.count(ReportHistory.id)).where(
        ReportHistory.report_id == c.id, ReportHistory.action == "reopen"
    )
    fill(
        "reopen_count",
        (
            (func.coalesce(c.reopen_count, 0) == 0) & has(ReportHistory.action == "reopen"),
            reopens.scalar_subquery(),
        ),
    )
    if "extension_count" not in absent_columns:
        approved = (ExtensionRequest.report_id == c.id) & (ExtensionRequest.decision == "approved")
        fill(
            "extension_count",
            (
                (func.coalesce(c.extension_count, 0) == 0) & exists().where(approved),
                select(func.count(ExtensionRequest.id)).where(approved).scalar_subquery(),
            ),
        )
    last_left = select(func.max(ReportHistory.occurred_at)).where(
        ReportHistory.report_id == c.id, left_queue
    )
    fill(
        "receipt_on_time",
        (c.receipt_on_time.is_(None) & has(dispatched), True),
        (
            c.receipt_on_time.is_(None) & c.receipt_due_at.is_not(None) & has(left_queue),
            last_left.scalar_subquery() <= c.receipt_due_at,
        ),
    )
    # The report's own update time stays: filling a derived column is not a change.
    session.execute(
        update(reports).where(or_(*conditions)).values(updated_at=c.updated_at, **filled)
    )
    returns = _table(ReportReturn)
    for name in ("received_on", "category_id", "area_id", "channel"):
        value = select(c[name]).where(c.id == returns.c.report_id)
        session.execute(
            update(returns).where(returns.c[name].is_(None)).values({name: value.scalar_subquery()})
        )


def _fill_received_on(session: Session, timezone: ZoneInfo) -> None:
    reports = _table(Report)
    if session.get_bind().dialect.name == "postgresql":
        local_day = cast(func.timezone(timezone.key, reports.c.received_at), Date)
        session.execute(
            update(reports)
            .where(reports.c.received_on.is_(None))
            .values(updated_at=reports.c.updated_at, received_on=local_day)
        )
        return
    # SQLite knows no time zones: the local dates are computed here.
    rows = session.execute(
        select(Report.id, Report.received_at).where(Report.received_on.is_(None))
    ).all()
    _update_reports(
        session,
        ({"id": i, "received_on": at.astimezone(timezone).date()} for i, at in rows),
        {"received_on": Date()},
    )


def fill_receipt_hours(session: Session, policy: SlaPolicy) -> None:
    """The receipt time of reports with a receipt verdict and none yet: nothing for one routed
    straight to an agency at filing, else the working hours from when it last entered the IOC
    queue (filing, or an agency's return) to when it last left it."""
    _fill_hours(session, policy, receipt=True, handling=False)


def _fill_hours(session: Session, policy: SlaPolicy, *, receipt: bool, handling: bool) -> None:
    """The receipt time (see :func:`fill_receipt_hours`) and the handling time (from the last
    assignment or reopening to the resolution) where a verdict has none yet."""
    triage = [ReportStatus.PENDING_REVIEW.value, ReportStatus.RETURNED.value]
    dispatched = exists().where(
        ReportHistory.report_id == Report.id,
        ReportHistory.action == "submitted",
        ReportHistory.to_status == ReportStatus.ASSIGNED.value,
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
    started = (
        select(func.max(ReportHistory.occurred_at))
        .where(
            ReportHistory.report_id == Report.id,
            ReportHistory.action.in_(["assign", "reopen", "submitted"]),
            ReportHistory.occurred_at <= Report.resolved_at,
        )
        .scalar_subquery()
    )
    needs_receipt = Report.receipt_hours.is_(None) & Report.receipt_on_time.is_not(None)
    needs_handling = (
        Report.handling_hours.is_(None)
        & Report.resolved_on_time.is_not(None)
        & Report.resolved_at.is_not(None)
    )
    wanted = [w for w, on in ((needs_receipt, receipt), (needs_handling, handling)) if on]
    if not wanted:
        return
    rows = session.execute(
        select(
            Report.id,
            Report.received_at,
            Report.resolved_at,
            case((needs_receipt, dispatched), else_=None) if receipt else null(),
            case((needs_receipt, entered), else_=None) if receipt else null(),
            case((needs_receipt, left), else_=None) if receipt else null(),
            case((needs_handling, started), else_=None) if handling else null(),
            needs_receipt if receipt else false(),
            needs_handling if handling else false(),
        ).where(or_(*wanted))
    )
    hours = policy.calendar.working_hours_between

    def filled() -> Iterator[dict[str, Any]]:
        for i, received, resolved, straight, start, stop, begun, on_receipt, on_handling in rows:
            receipt_hours = handling_hours = None
            if on_receipt:
                receipt_hours = (
                    0.0
                    if straight
                    else max(hours(_utc(start) or received, _utc(stop) or received), 0.0)
                )
            if on_handling:
                resolved = _utc(resolved)
                handling_hours = max(hours(_utc(begun) or received, resolved or received), 0.0)
            yield {"id": i, "receipt_hours": receipt_hours, "handling_hours": handling_hours}

    _update_reports(
        session, filled(), {"receipt_hours": Float(), "handling_hours": Float()}, keep=True
    )


def _utc(moment: datetime | str | None) -> datetime | None:
    # MAX() over a UTC column comes back as the driver gives it (naive text on SQLite).
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


#: Rows per UPDATE statement.
_ROWS_PER_UPDATE = 5_000
#: PostgreSQL's names of the column types filled from arrays.
_ARRAY_TYPES: dict[type[Any], str] = {Float: "double precision", Date: "date"}


def _update_reports(
    session: Session,
    rows: Iterable[dict[str, Any]],
    types: dict[str, Any],
    *,
    keep: bool = False,
) -> None:
    """Set the columns ``types`` names on the reports ``rows`` give by ``id``, a few thousand
    rows per statement on PostgreSQL (``UPDATE … FROM unnest(arrays)``); with ``keep``, a
    None in ``rows`` leaves the report's value as it is. The report's update time stays."""
    reports = _table(Report)
    names = list(types)

    def write(batch: list[dict[str, Any]]) -> None:
        if session.get_bind().dialect.name != "postgresql":
            # SQLite names no columns of a VALUES list: one statement per row, run in-process.
            given = {n: bindparam(f"b_{n}", type_=types[n]) for n in names}
            session.execute(
                update(reports)
                .where(reports.c.id == bindparam("b_id"))
                .values(updated_at=reports.c.updated_at, **_kept(reports, given, keep)),
                [{f"b_{n}": v for n, v in row.items()} for row in batch],
            )
            return
        # One array per column: a statement PostgreSQL plans once, whatever the batch.
        assignments = ", ".join(
            f"{n} = COALESCE(report.{n}, filled.{n})" if keep else f"{n} = filled.{n}"
            for n in names
        )
        arrays = ", ".join(
            ["CAST(:id AS bigint[])"]
            + [f"CAST(:{n} AS {_ARRAY_TYPES[type(types[n])]}[])" for n in names]
        )
        session.execute(
            text(
                f"UPDATE report SET {assignments} FROM unnest({arrays}) "
                f"AS filled (id, {', '.join(names)}) WHERE report.id = filled.id"
            ),
            {n: [row[n] for row in batch] for n in ["id", *names]},
        )

    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _ROWS_PER_UPDATE:
            write(batch)
            batch = []
    if batch:
        write(batch)


def _kept(reports: Table, given: dict[str, Any], keep: bool) -> dict[str, Any]:
    if not keep:
        return given
    return {n: func.coalesce(reports.c[n], value) for n, value in given.items()}
