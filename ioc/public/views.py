"""Public figures: agency scorecards (on-time %, satisfaction %) without personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import Response as FlaskResponse
from pydantic import BaseModel, ConfigDict
from spectree import Response

from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.announce import map_point
from ioc.feedback.reads.queues import list_published_results
from ioc.feedback.reads.statistics import GroupBy, compute_figures
from ioc.web.caching import cached_json, figures_etag, not_modified
from ioc.web.openapi import api
from ioc.web.periods import period
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
@api.validate(query=PeriodQuery, resp=Response(HTTP_200=Scorecard, HTTP_304=None), tags=["public"])
def scorecard() -> FlaskResponse:
    """Per agency: received, resolved, on-time %, overdue now, median handling time in
    working hours, satisfaction and reopen rate, for reports received in the period. Carries
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


class PublicSnapshot(BaseModel):
    seq: int
    reports: list[dict[str, Any]]


@bp.get("/snapshot")
@api.validate(resp=Response(HTTP_200=PublicSnapshot), tags=["public"])
def snapshot() -> dict[str, Any]:
    """Published results (no personal data) and the event `seq` they correspond to."""
    with services().unit_of_work() as session:
        seq = latest_seq(session)
        reports = list_published_results(session)
        return {"seq": seq, "reports": [map_point(r) for r in reports]}
