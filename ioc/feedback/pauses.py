"""Waiting for the citizen: the deadline clock stops while staff wait for information the
citizen has to send, and goes on from where it stopped when they answer.

The running clock is the receipt deadline while the IOC triages, the resolution deadline
while an agency handles the report.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict
from ioc.feedback.calendar import WorkingCalendar
from ioc.feedback.handling import required_text
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.sla_sweep import restart_deadline_notices
from ioc.feedback.states import ReportStatus, Role
from ioc.feedback.workflow import Action, check, perform

_HANDLING = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)


def ask_citizen(session: Session, *, report: Report, actor: User, question: str) -> None:
    """Ask the reporter for more information; the report's clock pauses (public question).

    Raises:
        Conflict: the clock is already paused, or the report has no reporter to ask.
    """
    check(actor, report, Action.ASK_CITIZEN)
    if Role(actor.role).needs_agency and report.status not in _HANDLING:
        # A report the agency returned is the IOC's again, and so is its clock.
        raise Conflict("the report is back with the IOC", details={"status": report.status})
    if report.paused_at is not None:
        raise Conflict("the report is already waiting for the citizen")
    if report.reporter_id is None:
        raise Conflict("the report has no reporter to ask")
    perform(session, report, actor, Action.ASK_CITIZEN, note=required_text(question, "question"))
    report.paused_at = utcnow()


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
