"""Query and answer models of figures and exports, shared by the consoles that offer them
(the operations centre sees every agency, an agency its own)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ioc.extensions import services
from ioc.feedback.reads.statistics import GroupBy, compute_figures
from ioc.feedback.states import Channel
from ioc.web.caching import cached_json, figures_etag, not_modified
from ioc.web.periods import period


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StatisticsQuery(_Strict):
    group_by: Literal["agency", "area", "category", "channel"] = "agency"
    since: date | None = Field(default=None, description="First local day (default: 30 days ago)")
    until: date | None = Field(default=None, description="Day after the last (default: tomorrow)")


class StatisticsOut(BaseModel):
    group_by: str
    since: Any
    until: Any
    items: list[dict[str, Any]]


class ExportQuery(_Strict):
    since: date | None = None
    until: date | None = None
    status: str | None = Field(default=None, max_length=20)
    category: str | None = Field(default=None, max_length=64)
    agency: str | None = Field(default=None, max_length=64)
    channel: Channel | None = None


def figures_answer(
    session: Session, query: StatisticsQuery, *, scope: str, agency_id: int | None = None
) -> Response:
    """The staff figures for ``query`` (one agency's with ``agency_id``), or a 304 when the
    caller holds them already; ``scope`` keeps consoles from sharing a cached answer."""
    since, until = period(query.since, query.until, services().settings.tz)
    etag = figures_etag(session, scope=scope, query=query)
    if unchanged := not_modified(etag, public=False):
        return unchanged
    rows = compute_figures(
        session,
        services().policy,
        group_by=GroupBy(query.group_by),
        since=since,
        until=until,
        agency_id=agency_id,
    )
    document = {
        "group_by": query.group_by,
        "since": since,
        "until": until,
        "items": [f.to_dict() for f in rows],
    }
    return cached_json(document, etag, public=False)
