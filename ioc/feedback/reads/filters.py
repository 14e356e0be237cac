"""The filters every report list understands, applied the same way everywhere."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session, selectinload

from ioc.feedback.models import Agency, Category
from ioc.feedback.report_models import Report, ReportArea
from ioc.geo.models import Area


@dataclass(frozen=True)
class ReportFilter:
    """Unset fields do not filter. ``area`` matches reports filed under the area at any depth
    (the commune or the province above it); ``since``/``until`` bound the receipt time
    (``until`` exclusive); ``ref`` is a prefix of the reference."""

    statuses: Collection[str] = field(default_factory=tuple)
    category: str | None = None
    area: str | None = None
    agency: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ref: str | None = None


def filtered(session: Session, query: Select[Any], criteria: ReportFilter) -> Select[Any]:
    """``query`` (over :class:`Report`) narrowed to ``criteria``. Category and agency codes are
    looked up first, so the planner sees their ids and ranges over the report's own indexes
    (an unknown code matches nothing)."""
    if criteria.statuses:
        query = query.where(Report.status.in_(sorted(criteria.statuses)))
    if criteria.category:
        category_id = session.scalar(select(Category.id).where(Category.code == criteria.category))
        query = query.where(Report.category_id == category_id if category_id else false())
    if criteria.agency:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == criteria.agency))
        query = query.where(Report.lead_agency_id == agency_id if agency_id else false())
    if criteria.area:
        query = query.where(
            Report.id.in_(
                select(ReportArea.report_id)
                .join(Area, Area.id == ReportArea.area_id)
                .where(Area.code == criteria.area)
            )
        )
    if criteria.channel:
        query = query.where(Report.channel == criteria.channel)
    if criteria.since:
        query = query.where(Report.received_at >= criteria.since)
    if criteria.until:
        query = query.where(Report.received_at < criteria.until)
    if criteria.ref:
        query = query.where(Report.ref.startswith(criteria.ref.upper(), autoescape=True))
    return query


def with_list_columns(query: Select[Any]) -> Select[Any]:
    """What a list item shows (category, filing area, lead agency), loaded per page in a few
    queries instead of once per report."""
    return query.options(
        selectinload(Report.category),
        selectinload(Report.lead_agency),
        selectinload(Report.assignee),
        selectinload(Report.areas).selectinload(ReportArea.area),
    )
