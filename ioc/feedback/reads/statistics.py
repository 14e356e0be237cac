"""Performance figures per agency, area, category or channel: what leadership and the public see.

Read from the figure rollups (:mod:`ioc.feedback.reads.figure_rollups`): a period is a run of
whole local days of receipt, and its figures are the sums of the monthly rows of its whole
months and the daily rows of the days around them, so any period costs the same whatever the
number of reports, and a year about what two months of days do. The whole months come from
the month totals of the requested grouping (a few rows per group and month), or, for one
agency's figures, from the full monthly rows of that agency. Definitions:

- *received*: reports received in the period; *verified*: those an operator verified;
  *assigned*: those ever sent to an agency; *rejected*: those refused;
- *resolved*, *on time* / *late*: the clock engine's verdict when the report was last resolved
  (paused time does not count, an approved extension moves the deadline);
- *extended*: those granted at least one extension (gia hạn) however many they had;
- *receipt on time* / *late*: whether the IOC assigned, rejected or merged the report within
  its receipt clock (the last one, after a return); auto-dispatched reports are on time;
- *handling time*: working hours from the assignment (or reopening) to the resolution, as a
  histogram: the median is exact to a bucket's width (a quarter hour below 8 hours);
- *returned* and *returned working hours* (time lost with the wrong agency) count against the
  agency that sent the report back, with the working time it held it;
- *overdue now* is not a rollup: open reports whose running deadline has passed, counted with
  the status-and-deadline indexes, which never reach closed reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, cast, func, select, union_all
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.models import Agency, Category
from ioc.feedback.reads.figure_rollups import (
    COUNTERS,
    DAYS,
    HISTOGRAMS,
    MONTH_TOTALS,
    MONTHS,
    FigureTier,
    median_hours,
)
from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import ClockKind, overdue_where
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import CHANNEL_NAMES
from ioc.geo.models import Area

#: The group of reports no agency leads (yet), and of reports without an area.
IOC_GROUP = ("IOC", "Trung tâm IOC (chưa giao)")
NO_AREA_GROUP = ("?", "Không xác định")


class GroupBy(StrEnum):
    AGENCY = "agency"
    AREA = "area"
    CATEGORY = "category"
    CHANNEL = "channel"


@dataclass
class Figures:
    key: str
    name: str
    received: int = 0
    verified: int = 0
    assigned: int = 0
    resolved: int = 0
    rejected: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    receipt_on_time: int = 0
    receipt_late: int = 0
    overdue_now: int = 0
    reopened: int = 0
    extended: int = 0
    returned: int = 0
    returned_hours: float = 0.0
    ratings: dict[str, int] = field(
        default_factory=lambda: {"satisfied": 0, "acceptable": 0, "unsatisfied": 0}
    )
    #: Resolved reports per handling-time bucket (see figure_rollups.BUCKET_EDGES_MINUTES).
    handling_buckets: Counter[int] = field(default_factory=Counter)
    handling_hours_total: float = 0.0
    #: Reports whose receipt clock stopped, per receipt-time bucket (the same edges).
    receipt_buckets: Counter[int] = field(default_factory=Counter)

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.resolved_on_time / self.resolved, 1) if self.resolved else None

    @property
    def receipt_on_time_percent(self) -> float | None:
        stopped = self.receipt_on_time + self.receipt_late
        return round(100 * self.receipt_on_time / stopped, 1) if stopped else None

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
        median = median_hours(self.handling_buckets)
        return round(median, 2) if median is not None else None

    @property
    def median_receipt_hours(self) -> float | None:
        median = median_hours(self.receipt_buckets)
        return round(median, 2) if median is not None else None

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "received": self.received,
            "verified": self.verified,
            "assigned": self.assigned,
            "resolved": self.resolved,
            "rejected": self.rejected,
            "on_time_percent": self.on_time_percent,
            "resolved_late": self.resolved_late,
            "receipt_on_time_percent": self.receipt_on_time_percent,
            "receipt_late": self.receipt_late,
            "overdue_now": self.overdue_now,
            "median_handling_working_hours": self.median_handling_hours,
            "median_receipt_working_hours": self.median_receipt_hours,
            "satisfaction": self.ratings,
            "satisfaction_percent": self.satisfaction_percent,
            "reopen_rate_percent": self.reopen_rate_percent,
            "extended": self.extended,
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
    """Figures for reports received in [since, until), grouped, largest groups first.

    ``since`` and ``until`` are instants of local midnights (a day they cut into counts
    whole); ``agency_id`` keeps only what that agency leads (and the returns it made).
    """
    now = now or utcnow()
    first = policy.calendar.local_date(since)
    last = policy.calendar.local_date(until - timedelta(microseconds=1))
    # The month totals know no agency: one agency's months are its full monthly rows.
    months = MONTHS if agency_id is not None else MONTH_TOTALS
    parts = period_parts(first, last + timedelta(days=1), months=months)
    sums = session.execute(_summed(parts, group_by, agency_id, histogram=None)).all()
    rows: dict[Any, dict[str, int]] = {
        key: {n: int(v or 0) for n, v in zip(COUNTERS, values, strict=True)}
        for key, *values in sums
    }
    histograms = {
        kind: session.execute(_summed(parts, group_by, agency_id, histogram=kind)).all()
        for kind in HISTOGRAMS
    }
    overdue = _overdue_now(session, group_by, first, last, now, agency_id)
    names = _names(session, group_by, set(rows) | set(overdue))
    groups: dict[Any, Figures] = {}

    def group(key: Any) -> Figures:
        if key not in groups:
            groups[key] = Figures(*names[key])
        return groups[key]

    for key, counts in rows.items():
        if any(counts.values()):
            _fill(group(key), counts)
    for key, bucket, count in histograms["handling"]:
        if count:
            group(key).handling_buckets[bucket] += int(count)
    for key, bucket, count in histograms["receipt"]:
        if count:
            group(key).receipt_buckets[bucket] += int(count)
    for key, count in overdue.items():
        group(key).overdue_now = count
    return sorted(groups.values(), key=lambda f: (-f.received, f.key))


def _fill(figures: Figures, counts: dict[str, int]) -> None:
    for name in (
        "received",
        "verified",
        "assigned",
        "resolved",
        "rejected",
        "resolved_on_time",
        "resolved_late",
        "receipt_on_time",
        "receipt_late",
        "reopened",
        "extended",
        "returned",
    ):
        setattr(figures, name, counts[name])
    figures.returned_hours = counts["returned_seconds"] / 3600
    figures.handling_hours_total = counts["handling_seconds"] / 3600
    for level in figures.ratings:
        figures.ratings[level] = counts[f"rated_{level}"]


def period_parts(
    first: date, end: date, *, months: FigureTier = MONTHS
) -> list[tuple[FigureTier, date, date]]:
    """The days [first, end) as ranges of tier rows: the leading days of a partial month and
    the trailing ones from the daily rows, the whole months between from ``months`` (the
    full monthly rows or the month totals)."""
    months_from = first if first.day == 1 else _next_month(first)
    months_to = end.replace(day=1)
    if months_from >= months_to:
        return [(DAYS, first, end)] if first < end else []
    parts = [(DAYS, first, months_from), (months, months_from, months_to), (DAYS, months_to, end)]
    return [(tier, low, high) for tier, low, high in parts if low < high]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _summed(
    parts: list[tuple[FigureTier, date, date]],
    group_by: GroupBy,
    agency_id: int | None,
    *,
    histogram: str | None,
) -> Select[Any]:
    """One query adding up the rows of every part (each a range of its table's primary key),
    per group: the counters, or the bucket counts of the ``histogram`` kind."""
    buckets = histogram is not None
    selects = []
    # An empty period still makes a query: an empty range of the daily rows.
    for tier, low, high in parts or [(DAYS, date.min, date.min)]:
        table: Any = tier.histogram(histogram) if histogram is not None else tier.figures
        when = getattr(table, tier.date_column)
        conditions: list[ColumnElement[bool]] = [when >= low, when < high]
        if tier.by_dimension:
            # The group's key is kept as text; ids come back as the integers the days hold.
            assert agency_id is None, "the month totals know no agency"
            conditions.append(table.dimension == group_by.value)
            group_key = table.group_key
            key = (group_key if group_by is GroupBy.CHANNEL else cast(group_key, Integer)).label(
                "key"
            )
        else:
            if agency_id is not None:
                conditions.append(table.agency_id == agency_id)
            key = getattr(table, _GROUP_COLUMNS[group_by]).label("key")
        values = [table.bucket, table.count] if buckets else [getattr(table, n) for n in COUNTERS]
        selects.append(select(key, *values).where(*conditions))
    union = (selects[0] if len(selects) == 1 else union_all(*selects)).subquery()
    if buckets:
        return select(union.c.key, union.c.bucket, func.sum(union.c.count)).group_by(
            union.c.key, union.c.bucket
        )
    return select(union.c.key, *(func.sum(union.c[n]) for n in COUNTERS)).group_by(union.c.key)


_GROUP_COLUMNS = {
    GroupBy.AGENCY: "agency_id",
    GroupBy.AREA: "area_id",
    GroupBy.CATEGORY: "category_id",
    GroupBy.CHANNEL: "channel",
}


def _report_group(group_by: GroupBy) -> Any:
    return {
        GroupBy.AGENCY: func.coalesce(Report.lead_agency_id, 0),
        GroupBy.AREA: func.coalesce(Report.area_id, 0),
        GroupBy.CATEGORY: Report.category_id,
        GroupBy.CHANNEL: Report.channel,
    }[group_by]


def _overdue_now(
    session: Session,
    group_by: GroupBy,
    first: Any,
    last: Any,
    now: datetime,
    agency_id: int | None,
) -> Counter[Any]:
    """Open, unpaused reports of the period whose running deadline has passed: one query per
    clock, each read from that clock's small index over open reports."""
    key = _report_group(group_by)
    counts: Counter[Any] = Counter()
    for kind in (ClockKind.RECEIPT, ClockKind.RESOLUTION):
        conditions: list[ColumnElement[bool]] = [
            overdue_where(kind, at=now),
            Report.received_on >= first,
            Report.received_on <= last,
        ]
        if agency_id is not None:
            conditions.append(Report.lead_agency_id == agency_id)
        for group, count in session.execute(
            select(key, func.count()).where(*conditions).group_by(key)
        ):
            counts[group] += count
    return counts


def _names(session: Session, group_by: GroupBy, keys: set[Any]) -> dict[Any, tuple[str, str]]:
    """Each group's key and name, from one query for the whole set."""
    if group_by is GroupBy.CHANNEL:
        return {key: (key, CHANNEL_NAMES.get(key, key)) for key in keys}
    model: Any = {GroupBy.AGENCY: Agency, GroupBy.AREA: Area, GroupBy.CATEGORY: Category}[group_by]
    found = {
        row.id: (row.code, row.name_vi)
        for row in session.execute(
            select(model.id, model.code, model.name_vi).where(model.id.in_(keys - {0}))
        )
    }
    missing = IOC_GROUP if group_by is GroupBy.AGENCY else NO_AREA_GROUP
    return {key: found.get(key, missing) for key in keys}
