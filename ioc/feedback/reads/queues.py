"""Work lists for staff: the IOC triage queue and an agency's inbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.feedback.models import Category
from ioc.feedback.reads.filters import ReportFilter, filtered, with_list_columns
from ioc.feedback.reads.paging import PAGE_SIZE, Keyset, Page, after, take_page
from ioc.feedback.report_models import Report, report_supporting_agency
from ioc.feedback.states import (
    HANDLING_STATES,
    OPEN_STATES,
    PUBLISHED_STATES,
    TRIAGE_STATES,
    ReportStatus,
)

TRIAGE_KEY = Keyset("triage_queue", ("datetime", "int"))
INBOX_KEY = Keyset("agency_inbox", ("optional_datetime", "int"))

InboxRole = Literal["lead", "support"]


def list_triage_queue(
    session: Session,
    *,
    criteria: ReportFilter | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Report]:
    """Reports waiting for the IOC (new and returned), oldest first (first in, first out).

    ``criteria.statuses`` narrows the triage states; other states are not in the queue.

    Raises:
        InvalidCursor: ``cursor`` is not one this list gave out.
        InvalidInput: a status outside the queue, or ``limit`` out of range.
    """
    criteria = criteria or ReportFilter()
    statuses = set(criteria.statuses) or set(TRIAGE_STATES)
    if not statuses <= TRIAGE_STATES:
        raise InvalidInput(
            "not a status of the queue", details={"fields": {"status": sorted(TRIAGE_STATES)}}
        )
    query = filtered(
        select(Report),
        replace(criteria, statuses=[ReportStatus(s).value for s in statuses]),
    )
    if cursor is not None:
        query = query.where(
            after([Report.received_at, Report.id], TRIAGE_KEY.decode(cursor), descending=False)
        )
    query = with_list_columns(query.order_by(Report.received_at, Report.id))
    return take_page(
        session, query, limit=limit, keyset=TRIAGE_KEY, key_of=lambda r: (r.received_at, r.id)
    )


def list_agency_inbox(
    session: Session,
    *,
    agency_id: int,
    status: str | None = None,
    category: str | None = None,
    role: InboxRole | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Report]:
    """What an agency leads (``role="lead"``) or supports (``"support"``) and still has to
    handle, by deadline: the overdue come first since their deadlines are the earliest, reports
    without a deadline last. The order uses stored keys only, so pages stay stable while the
    clock runs.

    Raises:
        InvalidCursor: ``cursor`` is not one this list gave out.
        InvalidInput: ``limit`` out of range.
    """
    statuses = [status] if status else sorted(HANDLING_STATES)
    supported = select(report_supporting_agency.c.report_id).where(
        report_supporting_agency.c.agency_id == agency_id
    )
    whose = {
        "lead": Report.lead_agency_id == agency_id,
        "support": Report.id.in_(supported),
        None: or_(Report.lead_agency_id == agency_id, Report.id.in_(supported)),
    }[role]
    query = filtered(
        select(Report).where(whose), ReportFilter(statuses=statuses, category=category)
    )
    if cursor is not None:
        due_at, report_id = INBOX_KEY.decode(cursor)
        query = query.where(
            or_(
                and_(
                    Report.due_at.is_not(None),
                    after([Report.due_at, Report.id], (due_at, report_id), descending=False),
                ),
                Report.due_at.is_(None),
            )
            if due_at is not None
            else and_(Report.due_at.is_(None), Report.id > report_id)
        )
    query = with_list_columns(query.order_by(Report.due_at.asc().nulls_last(), Report.id))
    return take_page(
        session, query, limit=limit, keyset=INBOX_KEY, key_of=lambda r: (r.due_at, r.id)
    )


def list_open_reports(session: Session, *, limit: int = 5000) -> list[Report]:
    """Every report still being handled, for a map's starting state (newest first)."""

    return list(
        session.scalars(
            select(Report)
            .where(Report.status.in_([s.value for s in OPEN_STATES]))
            .order_by(Report.id.desc())
            .limit(limit)
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
