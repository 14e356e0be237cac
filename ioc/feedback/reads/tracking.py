"""What citizens can read about reports: their own list, one report, open ones nearby."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ioc.errors import NotFound
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import OPEN_STATES

MAX_PAGE_SIZE = 100
_METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Page:
    items: list[Report]
    next_cursor: int | None


@dataclass(frozen=True)
class Nearby:
    radius_m: int
    reports: list[tuple[Report, float]]  # (report, distance in metres), nearest first


def list_active_categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            select(Category).where(Category.is_active.is_(True)).order_by(Category.sort_order)
        )
    )


def get_report(session: Session, *, ref: str, viewer_id: int | None) -> Report:
    """A report by its public ref, as ``viewer_id`` may see it.

    Reports of private categories (public order tips) exist only for their reporter.

    Raises:
        NotFound: no such ref, or a private report of someone else (the same answer, so refs
            of private reports do not leak).
    """
    report = session.scalar(
        select(Report)
        .where(Report.ref == ref)
        .options(selectinload(Report.history), selectinload(Report.attachments))
    )
    if report is None or (report.category.is_private and report.reporter_id != viewer_id):
        raise NotFound("report not found")
    return report


def list_reports_of(
    session: Session, *, reporter_id: int, cursor: int | None = None, limit: int = 20
) -> Page:
    """The citizen's reports, newest first; ``cursor`` is the ``next_cursor`` of a page."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = select(Report).where(Report.reporter_id == reporter_id)
    if cursor is not None:
        query = query.where(Report.id < cursor)
    rows = list(session.scalars(query.order_by(Report.id.desc()).limit(limit + 1)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return Page(rows[:limit], next_cursor)


def find_nearby_open(session: Session, *, category_code: str, lon: float, lat: float) -> Nearby:
    """Open, public reports of the category within its duplicate radius, nearest first.

    Raises:
        NotFound: unknown category.
    """
    category = session.scalar(select(Category).where(Category.code == category_code))
    if category is None:
        raise NotFound("unknown category")
    if category.is_private:
        return Nearby(category.duplicate_radius_m, [])
    return _open_within(session, category, lon=lon, lat=lat)


def list_duplicate_candidates(session: Session, *, report: Report) -> Nearby:
    """Open reports of the report's category within the category's duplicate radius of it,
    nearest first, for the IOC's "mark as duplicate" (private categories included: staff see
    them). Bounded by distance only, so no candidate is ever cut off."""
    found = _open_within(session, report.category, lon=report.lon, lat=report.lat)
    return Nearby(found.radius_m, [(r, d) for r, d in found.reports if r.id != report.id])


def _open_within(session: Session, category: Category, *, lon: float, lat: float) -> Nearby:
    radius = category.duplicate_radius_m
    # A box around the circle first (the lon/lat index answers it), then the exact distance.
    dlat = radius / _METRES_PER_DEGREE
    dlon = radius / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    candidates = session.scalars(
        select(Report).where(
            Report.lon.between(lon - dlon, lon + dlon),
            Report.lat.between(lat - dlat, lat + dlat),
            Report.category_id == category.id,
            Report.status.in_([status.value for status in OPEN_STATES]),
        )
    )
    measured = [(r, distance_m(lon, lat, r.lon, r.lat)) for r in candidates]
    within = [(r, d) for r, d in measured if d <= radius]
    return Nearby(radius, sorted(within, key=lambda pair: (pair[1], pair[0].id)))


def public_timeline(report: Report) -> list[ReportHistory]:
    return [entry for entry in report.history if entry.is_public]


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for a few hundred metres)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(math.sqrt(a))
