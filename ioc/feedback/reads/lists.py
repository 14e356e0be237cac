"""Browsing lists, newest first: every report for the operations centre, and the published
results for the public."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.feedback.models import Category
from ioc.feedback.reads.filters import ReportFilter, filtered, with_list_columns
from ioc.feedback.reads.paging import PAGE_SIZE, Keyset, Page, after, take_page
from ioc.feedback.report_models import Report
from ioc.feedback.states import PUBLISHED_STATES, ReportStatus

REPORTS_KEY = Keyset("reports", ("datetime", "int"))
RESULTS_KEY = Keyset("public_results", ("datetime", "int"))


def list_reports(
    session: Session,
    *,
    criteria: ReportFilter | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Report]:
    """Every report matching ``criteria``, newest first (IOC staff).

    Raises:
        InvalidCursor: ``cursor`` is not one this list gave out.
        InvalidInput: an unknown status, or ``limit`` out of range.
    """
    criteria = criteria or ReportFilter()
    unknown = set(criteria.statuses) - {s.value for s in ReportStatus}
    if unknown:
        raise InvalidInput(
            "unknown status", details={"fields": {"status": sorted(s.value for s in ReportStatus)}}
        )
    return _newest_first(
        session, filtered(session, select(Report), criteria), REPORTS_KEY, cursor, limit
    )


def list_public_results(
    session: Session,
    *,
    criteria: ReportFilter | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Report]:
    """Results the public may read (resolved, closed, rejected; never a private category),
    newest first. ``criteria.statuses`` is ignored: the public sees published states only.

    Raises:
        InvalidCursor: ``cursor`` is not one this list gave out.
        InvalidInput: ``limit`` out of range.
    """
    criteria = replace(criteria or ReportFilter(), statuses=[s.value for s in PUBLISHED_STATES])
    public = select(Category.id).where(Category.is_private.is_(False))
    query = filtered(session, select(Report).where(Report.category_id.in_(public)), criteria)
    return _newest_first(session, query, RESULTS_KEY, cursor, limit)


def _newest_first(
    session: Session,
    query: Select[Report],
    keyset: Keyset,
    cursor: str | None,
    limit: int,
) -> Page[Report]:
    if cursor is not None:
        query = query.where(
            after([Report.received_at, Report.id], keyset.decode(cursor), descending=True)
        )
    query = with_list_columns(query.order_by(Report.received_at.desc(), Report.id.desc()))
    return take_page(
        session, query, limit=limit, keyset=keyset, key_of=lambda r: (r.received_at, r.id)
    )
