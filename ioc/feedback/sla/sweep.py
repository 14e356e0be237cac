"""The SLA sweep: announce deadlines that are near or passed, each exactly once.

Run by ``ioc sla sweep`` (and periodically by the demo server). A report's two notices are
stamped on the row in the same transaction as their events, so a second sweep — even a
concurrent one on another host — finds nothing left to announce; a new deadline (assignment,
approved extension, reopening) clears the stamps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.announce import announce
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.sla.calendar import WorkingCalendar
from ioc.feedback.states import ReportStatus

#: A deadline is "due soon" when this much working time is left.
DUE_SOON_WORKING_HOURS = 4.0

_RECEIPT = (ReportStatus.PENDING_REVIEW, ReportStatus.RETURNED)
_RESOLUTION = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)


@dataclass
class SweepResult:
    due_soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)


def restart_deadline_notices(report: Report) -> None:
    """Call whenever the report's running deadline changes: its notices start afresh."""
    report.due_soon_announced_at = None
    report.overdue_announced_at = None


def sweep_deadlines(
    session: Session, calendar: WorkingCalendar, *, now: datetime | None = None
) -> SweepResult:
    """Raise ``report.deadline_due`` and ``report.overdue`` events not raised yet.

    Overdue reports are also escalated to the IOC supervisors (an internal history row and
    the event's ``escalate_to``). Never commits.
    """
    now = now or utcnow()
    result = SweepResult()
    candidates = session.scalars(
        select(Report)
        .where(
            Report.status.in_([*_RECEIPT, *_RESOLUTION]),
            or_(Report.overdue_announced_at.is_(None), Report.due_soon_announced_at.is_(None)),
        )
        .order_by(Report.id)
        # Concurrent sweeps skip each other's rows instead of announcing them twice.
        .with_for_update(skip_locked=True)
    )
    for report in candidates:
        clock = "receipt" if report.status in _RECEIPT else "resolution"
        deadline = report.receipt_due_at if clock == "receipt" else report.due_at
        if deadline is None:
            continue
        if deadline <= now and report.overdue_announced_at is None:
            report.overdue_announced_at = now
            report.due_soon_announced_at = report.due_soon_announced_at or now
            report.history.append(
                ReportHistory(
                    occurred_at=now,
                    action="escalated",
                    from_status=report.status,
                    to_status=report.status,
                    note=f"overdue ({clock})",
                    is_public=False,
                )
            )
            announce(session, report, "report.overdue", clock=clock, escalate_to="ioc_supervisor")
            result.overdue.append(report.ref)
        elif (
            deadline > now
            and report.due_soon_announced_at is None
            and calendar.working_hours_between(now, deadline) <= DUE_SOON_WORKING_HOURS
        ):
            report.due_soon_announced_at = now
            announce(session, report, "report.deadline_due", clock=clock)
            result.due_soon.append(report.ref)
    session.flush()
    return result
