"""Trends for leadership: series by week or month, two periods compared, agencies ranked with
their monthly trend, and the receipt- and handling-time distributions.

Everything is read from the figure rollups (:mod:`ioc.feedback.reads.figure_rollups`), never
from the reports: a weekly series sums the per-week-and-channel rows, a monthly one the month
totals per channel, a ranking's trend the month totals per agency, and periods compared the
same sums :func:`ioc.feedback.reads.statistics.compute_figures` gives the statistics API, so
the two always agree. The definitions are those of :mod:`ioc.feedback.reads.statistics`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency
from ioc.feedback.reads.figure_rollups import (
    COUNTERS,
    ReportFigureMonthTotal,
    ReportFigureWeek,
    bucket_bounds,
    first_of_month,
    monday_of,
)
from ioc.feedback.reads.statistics import Figures, GroupBy, compute_figures
from ioc.feedback.sla.policy import SlaPolicy


class Grain(StrEnum):
    WEEK = "week"
    MONTH = "month"


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def period_starts(grain: Grain, first: date, end: date) -> list[date]:
    """The first days of the weeks (Mondays) or months that cover the days [first, end)."""
    starts = []
    start = monday_of(first) if grain is Grain.WEEK else first_of_month(first)
    while start < end:
        starts.append(start)
        start = start + timedelta(days=7) if grain is Grain.WEEK else next_month(start)
    return starts


def period_end(grain: Grain, start: date) -> date:
    return start + timedelta(days=7) if grain is Grain.WEEK else next_month(start)


@dataclass
class SeriesPoint:
    start: date
    end: date
    counts: Counter[str] = field(default_factory=Counter)
    by_channel: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, object]:
        c = self.counts
        rated = c["rated_satisfied"] + c["rated_acceptable"] + c["rated_unsatisfied"]
        happy = c["rated_satisfied"] + c["rated_acceptable"]
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "received": c["received"],
            "resolved": c["resolved"],
            "on_time": c["resolved_on_time"],
            "late": c["resolved_late"],
            "on_time_percent": _percent(c["resolved_on_time"], c["resolved"]),
            "satisfaction": {
                "satisfied": c["rated_satisfied"],
                "acceptable": c["rated_acceptable"],
                "unsatisfied": c["rated_unsatisfied"],
            },
            "satisfaction_percent": _percent(happy, rated),
            "returned": c["returned"],
            "rejected": c["rejected"],
            "extended": c["extended"],
            "by_channel": dict(sorted(self.by_channel.items())),
        }


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute_series(session: Session, *, grain: Grain, first: date, end: date) -> list[SeriesPoint]:
    """One point per week or month covering the local days [first, end), empty ones included:
    the rows of the weekly tier (per channel) or the month totals per channel."""
    starts = period_starts(grain, first, end)
    points = {start: SeriesPoint(start, period_end(grain, start)) for start in starts}
    if not starts:
        return []
    low, high = starts[0], period_end(grain, starts[-1])
    if grain is Grain.WEEK:
        w = ReportFigureWeek
        query = select(w.week, w.channel, *(getattr(w, n) for n in COUNTERS)).where(
            w.week >= low, w.week < high
        )
    else:
        m = ReportFigureMonthTotal
        query = select(m.month, m.group_key, *(getattr(m, n) for n in COUNTERS)).where(
            m.dimension == "channel", m.month >= low, m.month < high
        )
    for start, channel, *values in session.execute(query):
        point = points[_as_date(start)]
        for name, value in zip(COUNTERS, values, strict=True):
            point.counts[name] += int(value or 0)
        point.by_channel[channel] += int(values[0] or 0)
    return [points[start] for start in starts]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def total_of(groups: list[Figures], key: str = "total", name: str = "Tổng") -> Figures:
    """The groups' figures added up (overdue now and the histogram included)."""
    total = Figures(key, name)
    for group in groups:
        for attribute in (
            "received",
            "verified",
            "assigned",
            "resolved",
            "rejected",
            "resolved_on_time",
            "resolved_late",
            "receipt_on_time",
            "receipt_late",
            "overdue_now",
            "reopened",
            "extended",
            "returned",
            "returned_hours",
            "handling_hours_total",
        ):
            setattr(total, attribute, getattr(total, attribute) + getattr(group, attribute))
        for level, count in group.ratings.items():
            total.ratings[level] += count
        total.handling_buckets.update(group.handling_buckets)
        total.receipt_buckets.update(group.receipt_buckets)
    return total


@dataclass(frozen=True)
class Comparison:
    group_by: GroupBy
    a: Figures
    b: Figures
    groups: list[tuple[str, str, Figures | None, Figures | None]]

    def to_dict(self) -> dict[str, object]:
        return {
            "group_by": self.group_by.value,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "groups": [
                {
                    "key": key,
                    "name": name,
                    "a": a.to_dict() if a else None,
                    "b": b.to_dict() if b else None,
                }
                for key, name, a, b in self.groups
            ],
        }


def compare_periods(
    session: Session,
    policy: SlaPolicy,
    *,
    group_by: GroupBy,
    a: tuple[datetime, datetime],
    b: tuple[datetime, datetime],
) -> Comparison:
    """The figures of two periods (each [since, until) of local midnights), in total and per
    group, side by side."""
    groups_a = compute_figures(session, policy, group_by=group_by, since=a[0], until=a[1])
    groups_b = compute_figures(session, policy, group_by=group_by, since=b[0], until=b[1])
    by_key_a = {g.key: g for g in groups_a}
    by_key_b = {g.key: g for g in groups_b}
    keys = list(dict.fromkeys([g.key for g in groups_a] + [g.key for g in groups_b]))
    rows = []
    for key in keys:
        fa, fb = by_key_a.get(key), by_key_b.get(key)
        name = (fa or fb).name if (fa or fb) else key  # type: ignore[union-attr]
        rows.append((key, name, fa, fb))
    return Comparison(group_by, total_of(groups_a, "a"), total_of(groups_b, "b"), rows)


@dataclass(frozen=True)
class RankedAgency:
    rank: int
    figures: Figures
    trend: list[dict[str, object]]

    def to_dict(self) -> dict[str, object]:
        return {"rank": self.rank, **self.figures.to_dict(), "trend": self.trend}


def rank_agencies(
    session: Session, policy: SlaPolicy, *, since: datetime, until: datetime
) -> list[RankedAgency]:
    """Agencies that led reports of the period, best first: by on-time rate, then
    satisfaction, then how many they resolved; each with its month-by-month trend (the
    months the period touches). Reports no agency leads yet are not an agency's and are left
    out."""
    groups = [
        g
        for g in compute_figures(session, policy, group_by=GroupBy.AGENCY, since=since, until=until)
        if g.key != "IOC"
    ]
    groups.sort(
        key=lambda g: (
            -(g.on_time_percent if g.on_time_percent is not None else -1),
            -(g.satisfaction_percent if g.satisfaction_percent is not None else -1),
            -g.resolved,
            g.key,
        )
    )
    first = policy.calendar.local_date(since)
    last = policy.calendar.local_date(until - timedelta(microseconds=1))
    months = period_starts(Grain.MONTH, first, last + timedelta(days=1))
    trends = _agency_trends(session, [g.key for g in groups], months)
    return [RankedAgency(rank, g, trends.get(g.key, [])) for rank, g in enumerate(groups, start=1)]


def _agency_trends(
    session: Session, codes: list[str], months: list[date]
) -> dict[str, list[dict[str, object]]]:
    if not codes or not months:
        return {}
    ids = dict(session.execute(select(Agency.id, Agency.code).where(Agency.code.in_(codes))).all())
    m = ReportFigureMonthTotal
    names = ("received", "resolved", "resolved_on_time", "rated_satisfied", "rated_acceptable")
    counts: dict[tuple[str, date], dict[str, int]] = {}
    rated: Counter[tuple[str, date]] = Counter()
    for month, group_key, unsatisfied, *values in session.execute(
        select(m.month, m.group_key, m.rated_unsatisfied, *(getattr(m, n) for n in names)).where(
            m.dimension == "agency",
            m.month >= months[0],
            m.month <= months[-1],
            m.group_key.in_([str(i) for i in ids]),
        )
    ):
        key = (ids[int(group_key)], _as_date(month))
        counts[key] = {n: int(v or 0) for n, v in zip(names, values, strict=True)}
        rated[key] = int(unsatisfied or 0) + counts[key]["rated_satisfied"]
        rated[key] += counts[key]["rated_acceptable"]
    trends: dict[str, list[dict[str, object]]] = {}
    for code in codes:
        trend = []
        for month in months:
            c = counts.get((code, month), dict.fromkeys(names, 0))
            happy = c["rated_satisfied"] + c["rated_acceptable"]
            trend.append(
                {
                    "month": month.isoformat(),
                    "received": c["received"],
                    "resolved": c["resolved"],
                    "on_time_percent": _percent(c["resolved_on_time"], c["resolved"]),
                    "satisfaction_percent": _percent(happy, rated[(code, month)]),
                }
            )
        trends[code] = trend
    return trends


#: Handling-time ranges shown to people, in working hours: the rollup's fine buckets add up
#: into these (each edge is a bucket edge).
DISPLAY_EDGES_HOURS: tuple[float, ...] = (0, 2, 4, 8, 16, 24, 40, 80, 120, 200, 400)
#: Receipt-time ranges, finer: the receipt targets are hours, not days.
RECEIPT_EDGES_HOURS: tuple[float, ...] = (0, 0.25, 0.5, 1, 2, 4, 8, 16, 24, 40)


def in_ranges(buckets: Counter[int], edges: tuple[float, ...]) -> list[dict[str, object]]:
    """A histogram's counts per display range of ``edges`` (working hours; every edge is a
    bucket edge, the last range open-ended)."""
    counts: Counter[int] = Counter()
    for bucket, count in buckets.items():
        low, _ = bucket_bounds(bucket)
        index = max(i for i, edge in enumerate(edges) if edge <= low)
        counts[index] += count
    ranges: list[dict[str, object]] = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        ranges.append({"from_hours": low, "to_hours": high, "count": counts[i]})
    return ranges


def handling_distribution(figures: Figures) -> list[dict[str, object]]:
    """Resolved reports per handling-time range (working hours), from the histogram."""
    return in_ranges(figures.handling_buckets, DISPLAY_EDGES_HOURS)


def receipt_distribution(figures: Figures) -> list[dict[str, object]]:
    """Reports per receipt-time range (working hours), from the histogram."""
    return in_ranges(figures.receipt_buckets, RECEIPT_EDGES_HOURS)


def _distribution_of(figures: Figures) -> dict[str, Any]:
    return {
        "handling": handling_distribution(figures),
        "median_handling_working_hours": figures.median_handling_hours,
        "receipt_time": receipt_distribution(figures),
        "median_receipt_working_hours": figures.median_receipt_hours,
        "receipt_on_time": figures.receipt_on_time,
        "receipt_late": figures.receipt_late,
    }


def distributions(
    session: Session,
    policy: SlaPolicy,
    *,
    since: datetime,
    until: datetime,
    group_by: GroupBy | None = None,
) -> dict[str, Any]:
    """How long receipt took (working hours of the receipt clock, reports received in the
    period whose receipt clock stopped) and how long handling took (working hours, resolved
    reports of the period), with their medians; receipt on time or late per channel; and,
    with ``group_by``, the same distributions per group. All from the rollups' histograms."""
    channels = compute_figures(session, policy, group_by=GroupBy.CHANNEL, since=since, until=until)
    total = total_of(channels)
    answer = {
        **_distribution_of(total),
        "receipt": [
            {
                "channel": g.key,
                "name": g.name,
                "on_time": g.receipt_on_time,
                "late": g.receipt_late,
                "on_time_percent": g.receipt_on_time_percent,
            }
            for g in channels
        ],
    }
    if group_by is not None:
        groups = (
            channels
            if group_by is GroupBy.CHANNEL
            else compute_figures(session, policy, group_by=group_by, since=since, until=until)
        )
        answer["group_by"] = group_by.value
        answer["groups"] = [{"key": g.key, "name": g.name, **_distribution_of(g)} for g in groups]
    return answer
