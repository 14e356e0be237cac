"""Work lists for staff: the IOC triage queue and an agency's inbox."""

from __future__ import annotations

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report, report_supporting_agency
from ioc.feedback.states import (
    HANDLING_STATES,
    PUBLISHED_STATES,
    TRIAGE_STATES,
)

MAX_ITEMS = 200


def list_triage_queue(session: Session, *, limit: int = 50) -> list[Report]:
    """Reports waiting for the IOC (new and returned), oldest first (first in, first out)."""
    return list(
        session.scalars(
            select(Report)
            .where(Report.status.in_(TRIAGE_STATES))
            .order_by(Report.received_at, Report.id)
            .limit(min(limit, MAX_ITEMS))
        )
    )


def list_agency_inbox(
    session: Session, *, agency_id: int, status: str | None = None, limit: int = 50
) -> list[Report]:
    """What an agency leads or supports and still has to handle: overdue first, then by
    deadline."""
    statuses = [status] if status else list(HANDLING_STATES)
    supported = select(report_supporting_agency.c.report_id).where(
        report_supporting_agency.c.agency_id == agency_id
    )
    now = utcnow()
    # A paused report is never overdue (ioc.feedback.sla.clock).
    overdue_first = case((and_(Report.paused_at.is_(None), Report.due_at < now), 0), else_=1)
    return list(
        session.scalars(
            select(Report)
            .where(
                Report.status.in_(statuses),
                or_(Report.lead_agency_id == agency_id, Report.id.in_(supported)),
            )
            .order_by(overdue_first, Report.due_at.is_(None), Report.due_at, Report.id)
            .limit(min(limit, MAX_ITEMS))
        )
    )


def list_published_results(session: Session, *, limit: int = 5000) -> list[Report]:
    """Results the public may see (resolved, closed, rejected; never private categories)."""

    return list(
        session.scalars(
            select(Report)
            .join(Category)
            .where(Report.status.in_(PUBLISHED_STATES), Category.is_private.is_(False))
            .order_by(Report.id.desc())
            .limit(limit)
        )
    )
