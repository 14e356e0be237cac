"""Performance figures per agency, area or category: what leadership and the public see.

Computed from the reports and their history over a period, the same way on every backend.
On-time is the clock engine's verdict when the report was last resolved (paused time does not
count, an approved extension moves the deadline); handling time is measured in working hours,
from assignment to resolution. Returns count against the agency that sent the report back,
with the working time it held it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ioc.db import utcnow
from ioc.feedback.report_models import Report, ReportArea, ReportHistory, ReportReturn
from ioc.feedback.sla.clock import clock_of
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import ReportStatus


class GroupBy(StrEnum):
    AGENCY = "agency"
    AREA = "area"
    CATEGORY = "category"


@dataclass
class Figures:
    key: str
    name: str
    received: int = 0
    resolved: int = 0
    rejected: int = 0
    resolved_on_time: int = 0
    overdue_now: int = 0
    reopened: int = 0
    returned: int = 0
    returned_hours: float = 0.0
    ratings: dict[str, int] = field(
        default_factory=lambda: {"satisfied": 0, "acceptable": 0, "unsatisfied": 0}
    )
    handling_hours: list[float] = field(default_factory=list)

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.resolved_on_time / self.resolved, 1) if self.resolved else None

    @property
    def satisfaction_percent(self) -> float | None:
        rated = sum(self.ratings.values())
        happy = self.ratings["satisfied"] + self.ratings["acceptable"]
        return round(100 * happy / rated, 1) if rated else None

    @property
    def reopen_rate_percent(self) -> float | None:
        return round(100 * self.reopened / self.resolved, 1) if self.resolved else None

    @property
    def median_handling_hours(self) -> float | None:
        return round(statistics.median(self.handling_hours), 2) if self.handling_hours else None

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "received": self.received,
            "resolved": self.resolved,
            "rejected": self.rejected,
            "on_time_percent": self.on_time_percent,
            "overdue_now": self.overdue_now,
            "median_handling_working_hours": self.median_handling_hours,
            "satisfaction": self.ratings,
            "satisfaction_percent": self.satisfaction_percent,
            "reopen_rate_percent": self.reopen_rate_percent,
            "returned": self.returned,
            "returned_working_hours": round(self.returned_hours, 2),
        }


def compute_figures(
    session: Session,
    policy: SlaPolicy,
    *,
    group_by: GroupBy,
    since: datetime,
    until: datetime,
    now: datetime | None = None,
    agency_id: int | None = None,
) -> list[Figures]:
    """Figures for reports received in [since, until), grouped, largest groups first; with
    ``agency_id``, only the reports that agency leads and the returns it made."""
    now = now or utcnow()
    query = select(Report).where(Report.received_at >= since, Report.received_at < until)
    if agency_id is not None:
        query = query.where(Report.lead_agency_id == agency_id)
    reports = session.scalars(
        query.options(
            selectinload(Report.history),
            selectinload(Report.returns).selectinload(ReportReturn.agency),
            selectinload(Report.areas).selectinload(ReportArea.area),
        )
        .order_by(Report.id)
        .execution_options(yield_per=500)
    )
    groups: dict[str, Figures] = {}
    for report in reports:
        key, name = _group_of(report, group_by)
        figures = groups.get(key) or groups.setdefault(key, Figures(key, name))
        _count(figures, report, policy, now)
        for returned in report.returns:
            if agency_id is not None and returned.agency_id != agency_id:
                continue
            if group_by is GroupBy.AGENCY:
                code, name = returned.agency.code, returned.agency.name_vi
                figures = groups.get(code) or groups.setdefault(code, Figures(code, name))
            figures.returned += 1
            figures.returned_hours += returned.hours_held
    return sorted(groups.values(), key=lambda f: (-f.received, f.key))


def _group_of(report: Report, group_by: GroupBy) -> tuple[str, str]:
    if group_by is GroupBy.AGENCY:
        agency = report.lead_agency
        return (agency.code, agency.name_vi) if agency else ("IOC", "Trung tâm IOC (chưa giao)")
    if group_by is GroupBy.AREA:
        leaf = report.areas[0].area if report.areas else None
        return (leaf.code, leaf.name_vi) if leaf else ("?", "Không xác định")
    return report.category.code, report.category.name_vi


def _count(figures: Figures, report: Report, policy: SlaPolicy, now: datetime) -> None:
    figures.received += 1
    actions = [entry.action for entry in report.history]
    if report.status == ReportStatus.REJECTED:
        figures.rejected += 1
    if report.resolved_on_time is not None:
        figures.resolved += 1
        figures.resolved_on_time += report.resolved_on_time
        assigned_at = _last_at(report.history, "assign")
        resolved_at = report.resolved_at or _last_at(report.history, "resolve")
        if assigned_at and resolved_at:
            figures.handling_hours.append(
                policy.calendar.working_hours_between(assigned_at, resolved_at)
            )
    if "reopen" in actions:
        figures.reopened += 1
    if clock_of(report, policy, at=now).is_overdue:
        figures.overdue_now += 1
    if report.rating in figures.ratings:
        figures.ratings[report.rating] += 1


def _last_at(history: Iterable[ReportHistory], action: str) -> datetime | None:
    moments = [entry.occurred_at for entry in history if entry.action == action]
    return moments[-1] if moments else None
