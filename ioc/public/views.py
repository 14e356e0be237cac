"""Public figures: agency scorecards (on-time %, satisfaction %) without personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, ConfigDict
from spectree import Response

from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.reads.kpis import count_published
from ioc.feedback.reads.statistics import GroupBy, compute_figures
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
@api.validate(query=PeriodQuery, resp=Response(HTTP_200=Scorecard), tags=["public"])
def scorecard() -> dict[str, Any]:
    """Per agency: received, resolved, on-time %, overdue now, median handling time in
    working hours, satisfaction and reopen rate, for reports received in the period."""
    query = validated_query(PeriodQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    with services().unit_of_work() as session:
        figures = compute_figures(
            session,
            services().policy,
            group_by=GroupBy.AGENCY,
            since=since,
            until=until,
        )
        return {"since": since, "until": until, "agencies": [f.to_dict() for f in figures]}


class PublicSnapshot(BaseModel):
    """The event `seq` to resume after and the published results per status; the map loads
    the results themselves by viewport (`/map/reports`, `/map/cells`)."""

    seq: int
    published: int
    by_status: dict[str, int]


@bp.get("/snapshot")
@api.validate(resp=Response(HTTP_200=PublicSnapshot), tags=["public"])
def snapshot() -> dict[str, Any]:
    """Counts of published results (no personal data) and the event `seq` they correspond to."""
    with services().unit_of_work() as session:
        seq = latest_seq(session)
        by_status = count_published(session)
        return {"seq": seq, "published": sum(by_status.values()), "by_status": by_status}
