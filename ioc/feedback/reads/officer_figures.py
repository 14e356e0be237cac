"""An agency's figures per officer, for the manager who answers for them: what each officer
was given in a period, resolved, on time or late, and what is overdue in their hands now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.states import HANDLING_STATES


@dataclass(frozen=True)
class OfficerFigures:
    username: str
    full_name: str
    assigned: int
    resolved: int
    on_time: int
    late: int
    open_overdue: int


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def list_officer_figures(
    session: Session, *, agency_id: int, since: datetime, until: datetime, now: datetime
) -> list[OfficerFigures]:
    """Per officer, the agency's reports received in [since, until) that they handle, most
    given first. Reads one agency's period through ``ix_report_lead_assignee_received``; a
    report resolved after its deadline (as it stood) is late."""
    resolved = Report.resolved_at.is_not(None)
    late = and_(resolved, Report.due_at.is_not(None), Report.resolved_at > Report.due_at)
    overdue = and_(
        Report.status.in_(sorted(HANDLING_STATES)),
        Report.paused_at.is_(None),
        Report.due_at < now,
    )
    assigned = func.count(Report.id)
    rows = session.execute(
        select(
            User.username,
            User.display_name,
            assigned,
            _count(resolved),
            _count(late),
            _count(overdue),
        )
        .join(User, User.id == Report.assignee_id)
        .where(
            Report.lead_agency_id == agency_id,
            Report.assignee_id.is_not(None),
            Report.received_at >= since,
            Report.received_at < until,
        )
        .group_by(User.id, User.username, User.display_name)
        .order_by(assigned.desc(), User.username)
    ).all()
    return [
        OfficerFigures(
            username=username or "",
            full_name=name or username or "",
            assigned=given,
            resolved=done,
            on_time=done - overdue_done,
            late=overdue_done,
            open_overdue=open_late,
        )
        for username, name, given, done, overdue_done, open_late in rows
    ]
