"""Exact counters for live screens: the wall map's tiles and the public portal's totals.

Counts by status come from the map rollups (``report_cell_count``, exact in every committed
transaction); "overdue now" and "received today" are indexed counts over the few rows they
concern. None of them loads a report, so they cost the same at a hundred or a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.feedback.models import Category
from ioc.feedback.reads.rollups import ReportCellCount
from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import ClockKind, overdue_where
from ioc.feedback.states import OPEN_STATES, PUBLISHED_STATES, ReportStatus


@dataclass(frozen=True)
class OpsKpis:
    """What the wall map's tiles show, exact at ``at``."""

    at: datetime
    by_status: dict[str, int]  # open reports per status (every open status, zeros included)
    overdue_receipt: int  # waiting for the IOC past the receipt deadline (tiếp nhận)
    overdue_resolution: int  # with an agency past the resolution deadline (xử lý)
    received_today: int  # since local midnight

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "open": sum(self.by_status.values()),
            "by_status": self.by_status,
            "in_progress": self.by_status[ReportStatus.IN_PROGRESS.value],
            "overdue": {
                "receipt": self.overdue_receipt,
                "resolution": self.overdue_resolution,
                "total": self.overdue_receipt + self.overdue_resolution,
            },
            "received_today": self.received_today,
        }


def count_ops_kpis(session: Session, *, at: datetime, timezone: ZoneInfo) -> OpsKpis:
    """Open reports by status, overdue ones split by clock, and today's arrivals."""
    by_status = _counts_by_status(session, OPEN_STATES, public_only=False)
    midnight = at.astimezone(timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    return OpsKpis(
        at=at,
        by_status=by_status,
        overdue_receipt=_count(session, overdue_where(ClockKind.RECEIPT, at=at)),
        overdue_resolution=_count(session, overdue_where(ClockKind.RESOLUTION, at=at)),
        received_today=_count(session, Report.received_at >= midnight.astimezone(UTC)),
    )


def count_published(session: Session) -> dict[str, int]:
    """Results the public may see, per published status (private categories left out)."""
    return _counts_by_status(session, PUBLISHED_STATES, public_only=True)


def _counts_by_status(
    session: Session, statuses: frozenset[ReportStatus], *, public_only: bool
) -> dict[str, int]:
    table = ReportCellCount
    query = (
        select(table.status, func.sum(table.count))
        .where(table.status.in_(sorted(s.value for s in statuses)))
        .group_by(table.status)
    )
    if public_only:
        query = query.join(Category, Category.id == table.category_id).where(
            Category.is_private.is_(False)
        )
    counted = {status: int(n or 0) for status, n in session.execute(query)}
    return {s.value: counted.get(s.value, 0) for s in ReportStatus if s in statuses}


def _count(session: Session, condition: Any) -> int:
    return session.scalar(select(func.count()).select_from(Report).where(condition)) or 0
