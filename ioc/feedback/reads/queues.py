"""Work lists for staff: the IOC triage queue and an agency's inbox."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, or_, select, true, union
from sqlalchemy.orm import Session, selectinload

from ioc.errors import Forbidden, InvalidInput
from ioc.feedback.models import User
from ioc.feedback.reads.filters import ReportFilter, filtered, with_list_columns
from ioc.feedback.reads.paging import (
    PAGE_SIZE,
    Keyset,
    Page,
    after,
    check_page_size,
    take_page,
)
from ioc.feedback.report_models import Report, SupportPart
from ioc.feedback.states import (
    AGENCY_MANAGERS,
    HANDLING_STATES,
    TRIAGE_STATES,
    ReportStatus,
    Role,
)

TRIAGE_KEY = Keyset("triage_queue", ("datetime", "int"))
INBOX_KEY = Keyset("agency_inbox", ("optional_datetime", "int"))

InboxRole = Literal["lead", "support"]
#: Whose reports: everything of the agency, the viewer's own, the lead reports nobody has
#: yet, or (managers) the agency's lead reports by assignee.
InboxView = Literal["all", "mine", "unassigned", "team"]


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
        session,
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
    channel: str | None = None,
    role: InboxRole | None = None,
    view: InboxView = "all",
    viewer: User | None = None,
    assignee: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Report]:
    """What an agency leads (``role="lead"``) or supports (``"support"``) and still has to
    handle, by deadline: the overdue come first since their deadlines are the earliest, reports
    without a deadline last. The order uses stored keys only, so pages stay stable while the
    clock runs.

    ``view`` narrows it to the lead reports assigned to ``viewer`` ("mine": their own
    countdowns, the nearest first), to nobody ("unassigned"), or, for a manager ("team"), to
    the lead reports of ``assignee`` (a username; all of them without one).

    Raises:
        InvalidCursor: ``cursor`` is not one this list gave out.
        InvalidInput: ``limit`` out of range, or ``view="mine"`` without a viewer.
        Forbidden: ``view="team"`` or ``assignee`` for someone who is not a manager.
    """
    check_page_size(limit)
    mine = _view_condition(session, view=view, viewer=viewer, assignee=assignee)
    if mine is not None:
        role = "lead"
    criteria = ReportFilter(
        statuses=[status] if status else sorted(HANDLING_STATES),
        category=category,
        channel=channel,
    )
    after_cursor = _inbox_after(INBOX_KEY.decode(cursor)) if cursor is not None else true()
    supported = select(SupportPart.report_id).where(SupportPart.agency_id == agency_id)

    def part(whose: ColumnElement[bool]) -> Select[int]:
        # Each part is a range of its own index, cut at one more than a page.
        ids = filtered(session, select(Report.id).where(whose, after_cursor), criteria)
        if mine is not None:
            ids = ids.where(mine)
        return select(ids.order_by(*_INBOX_ORDER).limit(limit + 1).subquery().c.id)

    lead, support = Report.lead_agency_id == agency_id, Report.id.in_(supported)
    if role is None:
        ids: Select[Any] | CompoundSelect[Any] = union(part(lead), part(support))
    else:
        ids = part(lead if role == "lead" else support)
    # The supporting parts come along: the inbox shows each supporting agency its own deadline.
    query = select(Report).where(Report.id.in_(ids)).options(selectinload(Report.support_parts))
    query = with_list_columns(query.order_by(*_INBOX_ORDER))
    return take_page(
        session, query, limit=limit, keyset=INBOX_KEY, key_of=lambda r: (r.due_at, r.id)
    )


_INBOX_ORDER = (Report.due_at.asc().nulls_last(), Report.id)


def _inbox_after(key: tuple[Any, ...]) -> ColumnElement[bool]:
    due_at, report_id = key
    if due_at is None:
        return and_(Report.due_at.is_(None), Report.id > report_id)
    return or_(
        and_(
            Report.due_at.is_not(None),
            after([Report.due_at, Report.id], (due_at, report_id), descending=False),
        ),
        Report.due_at.is_(None),
    )


def _view_condition(
    session: Session, *, view: InboxView, viewer: User | None, assignee: str | None
) -> ColumnElement[bool] | None:
    is_manager = viewer is not None and Role(viewer.role) in AGENCY_MANAGERS
    if (view == "team" or assignee is not None) and not is_manager:
        raise Forbidden(
            "only a manager sees the team's view",
            details={"roles": sorted(r.value for r in AGENCY_MANAGERS)},
        )
    if view == "mine":
        if viewer is None:
            raise InvalidInput("whose reports?", details={"fields": {"view": "needs a viewer"}})
        return Report.assignee_id == viewer.id
    if view == "unassigned":
        return Report.assignee_id.is_(None)
    if assignee is not None:
        user_id = session.scalar(select(User.id).where(User.username == assignee))
        return Report.assignee_id == (user_id if user_id is not None else -1)
    return true() if view == "team" else None
