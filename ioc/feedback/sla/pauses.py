"""Waiting for the citizen: the deadline clock stops while staff wait for information the
citizen has to send, and goes on from where it stopped when they answer.

The running clock is the receipt deadline while the IOC triages, the resolution deadline
while an agency handles the report.
"""

from __future__ import annotations

from datetime import datetime

from ioc.db import utcnow
from ioc.feedback.report_models import Report
from ioc.feedback.sla.calendar import WorkingCalendar
from ioc.feedback.sla.sweep import restart_deadline_notices
from ioc.feedback.states import ReportStatus


def resume_clock(report: Report, calendar: WorkingCalendar, *, now: datetime | None = None) -> None:
    """Restart a paused clock: the working time that was left when it paused is left again."""
    if report.paused_at is None:
        return
    now = now or utcnow()
    triage = report.status in (ReportStatus.PENDING_REVIEW, ReportStatus.RETURNED)
    deadline = report.receipt_due_at if triage else report.due_at
    if deadline is not None:
        left = max(calendar.working_hours_between(report.paused_at, deadline), 0.0)
        moved = calendar.add_working_hours(now, left)
        if triage:
            report.receipt_due_at = moved
        else:
            report.due_at = moved
        restart_deadline_notices(report)
    report.paused_at = None
