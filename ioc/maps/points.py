"""Report points for the wall map's high zooms, capped so a dense view stays drawable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, Category
from ioc.feedback.report_models import Report, ReportArea
from ioc.feedback.sla.clock import deadline_for, kind_for
from ioc.geo.models import Area
from ioc.maps.clusters import BBox, MapFilter, filter_reports

#: More points than a browser draws smoothly on the wall; beyond it the map shows clusters.
POINT_CAP = 5000


@dataclass(frozen=True)
class PointPage:
    points: list[dict[str, Any]]
    truncated: bool  # more reports match than were returned


def list_map_points(
    session: Session, *, bbox: BBox, criteria: MapFilter, limit: int = POINT_CAP
) -> PointPage:
    """The newest reports inside ``bbox`` matching ``criteria`` (at most ``limit``), with the
    identity-free facts the map draws (the same keys as live events' payloads). A screen that
    gets a truncated page draws the box's clusters instead, so what it shows is complete."""
    query = (
        select(
            Report.ref,
            Report.lon,
            Report.lat,
            Category.code.label("category"),
            Report.status,
            Agency.code.label("agency"),
            Area.code.label("area"),
            Report.receipt_due_at,
            Report.due_at,
            Report.paused_at,
            Report.received_at,
            Report.support_count,
        )
        .join(Category, Category.id == Report.category_id)
        .outerjoin(Agency, Agency.id == Report.lead_agency_id)
        # The leaf area the report was filed under, as in live events.
        .outerjoin(ReportArea, and_(ReportArea.report_id == Report.id, ReportArea.depth == 0))
        .outerjoin(Area, Area.id == ReportArea.area_id)
        .order_by(Report.id.desc())
        .limit(min(limit, POINT_CAP) + 1)
    )
    rows = session.execute(filter_reports(query, bbox, criteria)).all()
    points = [_point(row) for row in rows]
    cap = min(limit, POINT_CAP)
    return PointPage(points[:cap], len(points) > cap)


def _point(row: Any) -> dict[str, Any]:
    kind = kind_for(row.status, is_paused=row.paused_at is not None)
    deadline = deadline_for(kind, receipt_due_at=row.receipt_due_at, due_at=row.due_at)
    return {
        "ref": row.ref,
        "lon": row.lon,
        "lat": row.lat,
        "category": row.category,
        "status": row.status,
        "area": row.area,
        "agency": row.agency,
        "clock": kind.value,
        "deadline": deadline.isoformat() if deadline else None,
        "received_at": row.received_at.isoformat(),
        "support_count": row.support_count,
    }
