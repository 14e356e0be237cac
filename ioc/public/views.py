"""Public figures: agency scorecards (on-time %, satisfaction %) without personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import Response as FlaskResponse
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.announce import map_point
from ioc.feedback.reads.filters import ReportFilter
from ioc.feedback.reads.kpis import count_published
from ioc.feedback.reads.lists import list_public_results
from ioc.feedback.reads.statistics import GroupBy, compute_figures
from ioc.web.caching import cached_json, figures_etag, not_modified
from ioc.web.errors import REQUEST_ERRORS
from ioc.web.openapi import api
from ioc.web.paging import PagingQuery
from ioc.web.periods import day_bounds, period
from ioc.web.validated import validated_query

bp = Blueprint("public_api", __name__, url_prefix="/api/public/v1")


class PeriodQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: date | None = None
    until: date | None = None


class Scorecard(BaseModel):
    since: Any
    until: Any
    agencies: list[dict[str, Any]]


@bp.get("/scorecard")
@api.validate(
    query=PeriodQuery,
    resp=Response(HTTP_200=Scorecard, HTTP_304=None, **REQUEST_ERRORS),
    tags=["public"],
)
def scorecard() -> FlaskResponse:
    """Per agency: received, resolved, on-time %, overdue now, median handling time in
    working hours, satisfaction, reopen rate and reports extended, for reports received in
    the period. Carries
    an ETag (`Cache-Control: public, max-age=60`): send it back in `If-None-Match` and an
    unchanged answer is a 304 without a body."""
    query = validated_query(PeriodQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    with services().unit_of_work() as session:
        etag = figures_etag(session, scope="public", query=query)
        if unchanged := not_modified(etag, public=True):
            return unchanged
        figures = compute_figures(
            session,
            services().policy,
            group_by=GroupBy.AGENCY,
            since=since,
            until=until,
        )
        document = {"since": since, "until": until, "agencies": [f.to_dict() for f in figures]}
    return cached_json(document, etag, public=True)


class ResultsQuery(PagingQuery):
    """Published results, newest first, optionally narrowed."""

    category: str | None = Field(default=None, max_length=64, description="Category code")
    area: str | None = Field(
        default=None, max_length=64, description="Area code: reports filed under it, any depth"
    )
    agency: str | None = Field(default=None, max_length=64, description="Lead agency code")
    since: date | None = Field(default=None, description="First local day of receipt")
    until: date | None = Field(default=None, description="Local day after the last")
    ref: str | None = Field(
        default=None, min_length=1, max_length=32, description="Start of the reference"
    )


class PublicResultList(BaseModel):
    """One page of results (map points, no personal data) and the public answer of each."""

    items: list[dict[str, Any]]
    next_cursor: str | None = Field(
        description="Pass back as `cursor` for the next page; null on the last page"
    )


@bp.get("/results")
@api.validate(
    query=ResultsQuery, resp=Response(HTTP_200=PublicResultList, **REQUEST_ERRORS), tags=["public"]
)
def results() -> dict[str, Any]:
    """Resolved, closed and rejected reports (never a private category, never who reported),
    newest first, with the agency's public answer; one page at a time (follow `next_cursor`)."""
    query = validated_query(ResultsQuery)
    since, until = day_bounds(query.since, query.until, services().settings.tz)
    criteria = ReportFilter(
        category=query.category,
        area=query.area,
        agency=query.agency,
        since=since,
        until=until,
        ref=query.ref,
    )
    with services().unit_of_work() as session:
        page = list_public_results(
            session, criteria=criteria, cursor=query.cursor, limit=query.limit
        )
        return {
            "items": [{**map_point(r), "result_text": r.result_text} for r in page.items],
            "next_cursor": page.next_cursor,
        }


class PublicSnapshot(BaseModel):
    """The event `seq` to resume after and the published results per status; the map loads
    the results themselves by viewport (`/map/reports`, `/map/cells`)."""

    seq: int
    published: int
    by_status: dict[str, int]


@bp.get("/snapshot")
@api.validate(resp=Response(HTTP_200=PublicSnapshot, **REQUEST_ERRORS), tags=["public"])
def snapshot() -> dict[str, Any]:
    """Counts of published results (no personal data) and the event `seq` they correspond to."""
    with services().unit_of_work() as session:
        seq = latest_seq(session)
        by_status = count_published(session)
        return {"seq": seq, "published": sum(by_status.values()), "by_status": by_status}
