"""Surges: many reports of one category in one commune within a short window.

A flooded street brings a dozen reports in half an hour. The operators should see one alert
(and handle one incident), not a dozen rows: when a category's ``surge_threshold`` is reached
within its ``surge_window_minutes`` in one commune, a ``surge.detected`` event goes to the
wall map with a suggestion to group the reports. While that surge is open, further reports of
the cluster join it (``surge.updated``) instead of raising a second alert.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from ioc.db import AdvisoryLock, utcnow
from ioc.events.audiences import AUDIENCE_OPS
from ioc.events.log import record_event_at_commit
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report, ReportArea, Surge
from ioc.feedback.states import DISMISSED_STATES
from ioc.geo.models import Area


class SurgeStatus:
    OPEN = "open"
    GROUPED = "grouped"
    DISMISSED = "dismissed"


#: Reports the operators already set aside never make (or grow) a surge.
_NOT_COUNTED = DISMISSED_STATES


def detect_surges(session: Session, *, now: datetime | None = None) -> list[Surge]:
    """Look at the last window of every category with a threshold; raise or extend surges.

    Returns the surges detected or extended by this call. Safe to run as often as wanted,
    and from several workers at once: a report is counted in at most one surge, and an open
    surge absorbs its cluster's newcomers, so the same cluster never raises two alerts.
    Never commits.
    """
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # Two workers looking at the same cluster at once would both raise it: take turns
        # (the lock ends with the transaction; the second then sees the first's surge).
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": AdvisoryLock.SURGE_DETECTION.value}
        )
    changed: list[Surge] = []
    categories = session.scalars(
        select(Category).where(Category.surge_threshold.is_not(None), Category.is_active.is_(True))
    )
    for category in categories:
        changed.extend(_detect_for_category(session, category, now))
    return changed


def _detect_for_category(session: Session, category: Category, now: datetime) -> list[Surge]:
    window_start = now - timedelta(minutes=category.surge_window_minutes)
    rows = session.execute(
        select(ReportArea.area_id, Report)
        .join(Report, Report.id == ReportArea.report_id)
        .where(
            ReportArea.depth == 0,
            Report.category_id == category.id,
            Report.received_at >= window_start,
            Report.received_at <= now,
            Report.status.not_in(_NOT_COUNTED),
        )
        .order_by(Report.received_at, Report.id)
    )
    by_area: dict[int, list[Report]] = defaultdict(list)
    for area_id, report in rows:
        by_area[area_id].append(report)
    changed = []
    for area_id, reports in by_area.items():
        surge = _raise_or_extend(session, category, area_id, reports, window_start, now)
        if surge is not None:
            changed.append(surge)
    return changed


def _raise_or_extend(
    session: Session,
    category: Category,
    area_id: int,
    reports: list[Report],
    window_start: datetime,
    now: datetime,
) -> Surge | None:
    earlier = session.scalars(
        select(Surge).where(
            Surge.category_id == category.id,
            Surge.area_id == area_id,
            or_(Surge.window_end >= window_start, Surge.status == SurgeStatus.OPEN),
        )
    ).all()
    open_surge = next((s for s in earlier if s.status == SurgeStatus.OPEN), None)
    # Reports an earlier alert already showed (even a dismissed one) do not alert again.
    counted = {report_id for surge in earlier for report_id in surge.report_ids}
    newcomers = [r for r in reports if r.id not in counted]
    if not newcomers:
        return None
    if open_surge is not None:
        open_surge.report_ids = [*open_surge.report_ids, *(r.id for r in newcomers)]
        open_surge.window_end = now
        session.flush()
        announce_surge(session, open_surge, "surge.updated")
        return open_surge
    if len(newcomers) < (category.surge_threshold or 0):
        return None
    surge = Surge(
        category_id=category.id,
        area_id=area_id,
        detected_at=now,
        window_start=window_start,
        window_end=now,
        report_ids=[r.id for r in newcomers],
        status=SurgeStatus.OPEN,
    )
    session.add(surge)
    session.flush()
    announce_surge(session, surge, "surge.detected")
    return surge


def surge_reports(session: Session, surge: Surge) -> list[Report]:
    """The surge's reports, earliest first."""
    if not surge.report_ids:
        return []
    return list(
        session.scalars(
            select(Report)
            .where(Report.id.in_(surge.report_ids))
            .order_by(Report.received_at, Report.id)
        )
    )


def surge_payload(session: Session, surge: Surge) -> dict[str, Any]:
    """What the wall map and the operators' list show of a surge (no reporter identity).

    Times are datetimes; events carry them as ISO 8601 text.
    """
    category = session.get_one(Category, surge.category_id)
    area = session.get_one(Area, surge.area_id)
    reports = surge_reports(session, surge)
    count = len(reports)
    lon = sum(r.lon for r in reports) / count if count else None
    lat = sum(r.lat for r in reports) / count if count else None
    return {
        "id": surge.id,
        "status": surge.status,
        "category": category.code,
        "category_name": category.name_vi,
        "area": area.code,
        "area_name": area.name_vi,
        "count": count,
        "refs": [r.ref for r in reports],
        "lon": lon,
        "lat": lat,
        "detected_at": surge.detected_at,
        "window_start": surge.window_start,
        "window_end": surge.window_end,
        "incident_ref": next((r.ref for r in reports if r.id == surge.incident_report_id), None),
        "suggestion": (
            f"{count} phản ánh “{category.name_vi}” tại {area.name_vi} trong "
            f"{category.surge_window_minutes} phút: có thể là cùng một sự cố, "
            "đề nghị gộp thành một."
        ),
    }


def announce_surge(session: Session, surge: Surge, event_type: str) -> None:
    """Tell the operators' screens (never the public or agencies: it is a suggestion)."""
    payload = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in surge_payload(session, surge).items()
    }
    record_event_at_commit(session, event_type, payload=payload, audiences=[AUDIENCE_OPS])
