"""The clock engine: for any report at any instant, which legal clock runs and where it stands.

Every reader asks here — the sweep, the staff and citizen views, statistics, Open311's
``expected_datetime`` — so a deadline means the same thing on every screen:

- the **receipt** clock (tiếp nhận) runs while the IOC has the report: new, or returned by an
  agency (a fresh clock from the moment of return);
- the **resolution** clock (xử lý) runs while an agency has it: from assignment or reopening;
- the clock is **paused** while staff wait for the citizen's answer: paused time never counts,
  and a paused report is never due soon or overdue;
- **none** runs once the report is resolved, closed, rejected or merged.

Urgent reports count wall-clock hours; the others count working hours of the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_

from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.feedback.states import HANDLING_STATES, TRIAGE_STATES


class ClockKind(StrEnum):
    RECEIPT = "receipt"  # tiếp nhận
    RESOLUTION = "resolution"  # xử lý
    PAUSED = "paused"  # tạm dừng
    NONE = "none"


@dataclass(frozen=True)
class Clock:
    """Where a report's legal clock stands at ``at``.

    ``used_hours`` and ``left_hours`` are in the clock's own hours (working hours, or wall
    hours for urgent reports); ``left_hours`` is negative once the deadline has passed. While
    paused, ``paused`` names the clock that waits and ``deadline`` is None: the deadline is
    only known once the citizen answers.
    """

    kind: ClockKind
    at: datetime
    paused: ClockKind | None = None
    deadline: datetime | None = None
    started_at: datetime | None = None
    paused_since: datetime | None = None
    used_hours: float | None = None
    left_hours: float | None = None
    is_due_soon: bool = False
    is_overdue: bool = False
    is_wall_clock: bool = False
    #: While paused: whether the deadline had passed when the clock paused.
    paused_late: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The wire shape every API sends as ``clock``."""
        return {
            "kind": self.kind.value,
            "paused": self.paused.value if self.paused else None,
            "deadline": _iso(self.deadline),
            "started_at": _iso(self.started_at),
            "paused_since": _iso(self.paused_since),
            "used_hours": _round(self.used_hours),
            "left_hours": _round(self.left_hours),
            "hours": "wall" if self.is_wall_clock else "working",
            "is_due_soon": self.is_due_soon,
            "is_overdue": self.is_overdue,
            "as_of": _iso(self.at),
        }


def is_on_time(clock: Clock) -> bool:
    """Whether work finished at ``clock.at`` met the deadline; a paused clock counts as it
    stood when it paused (pausing an overdue report does not make it on time)."""
    if clock.kind is ClockKind.PAUSED:
        return not clock.paused_late
    return not clock.is_overdue


def met_deadline(report: Report, *, at: datetime) -> bool:
    """Whether the clock that runs now, stopped at ``at``, met its deadline: the verdict of
    :func:`is_on_time` read from the report's columns alone (a paused clock counts as it
    stood when it paused; a clock without a deadline is in time)."""
    deadline = deadline_for(
        running_kind(report), receipt_due_at=report.receipt_due_at, due_at=report.due_at
    )
    if deadline is None:
        return True
    stopped = report.paused_at if report.paused_at is not None else at
    return stopped <= deadline


def running_kind(report: Report) -> ClockKind:
    """Which clock the report's state runs, ignoring a pause."""
    return kind_for(report.status, is_paused=False)


def current_kind(report: Report) -> ClockKind:
    """Which clock the report shows now: the running one, or PAUSED."""
    return kind_for(report.status, is_paused=report.paused_at is not None)


def running_deadline(report: Report) -> datetime | None:
    """The deadline of the clock that runs now; None while paused or when none runs."""
    return deadline_for(
        current_kind(report), receipt_due_at=report.receipt_due_at, due_at=report.due_at
    )


def kind_for(status: str, *, is_paused: bool) -> ClockKind:
    """The clock a report in ``status`` shows (for readers holding columns, not reports)."""
    if status in TRIAGE_STATES:
        kind = ClockKind.RECEIPT
    elif status in HANDLING_STATES:
        kind = ClockKind.RESOLUTION
    else:
        return ClockKind.NONE
    return ClockKind.PAUSED if is_paused else kind


def deadline_for(
    kind: ClockKind, *, receipt_due_at: datetime | None, due_at: datetime | None
) -> datetime | None:
    """The deadline the clock ``kind`` runs against (None while paused or when none runs)."""
    if kind is ClockKind.RECEIPT:
        return receipt_due_at
    if kind is ClockKind.RESOLUTION:
        return due_at
    return None


def overdue_where(kind: ClockKind, *, at: datetime) -> ColumnElement[bool]:
    """SQL for "the ``kind`` clock runs and its deadline passed before ``at``": the rule of
    :func:`clock_of`'s ``is_overdue`` for counting reports without loading them. A paused
    report is never overdue. Served by the indexes on (status, receipt_due_at) and
    (status, due_at)."""
    if kind is ClockKind.RECEIPT:
        states, deadline = TRIAGE_STATES, Report.receipt_due_at
    elif kind is ClockKind.RESOLUTION:
        states, deadline = HANDLING_STATES, Report.due_at
    else:
        raise ValueError(f"no deadline runs on the {kind.value} clock")
    return and_(
        Report.status.in_(sorted(s.value for s in states)),
        deadline < at,
        Report.paused_at.is_(None),
    )


def clock_of(report: Report, policy: SlaPolicy, *, at: datetime) -> Clock:
    """The report's clock at ``at`` (the one function every reader asks)."""
    kind = running_kind(report)
    if kind is ClockKind.NONE:
        return Clock(kind=ClockKind.NONE, at=at)
    deadline = deadline_for(kind, receipt_due_at=report.receipt_due_at, due_at=report.due_at)
    wall = runs_on_wall_clock(report.sla_tier)
    started = report.clock_started_at
    if report.paused_at is not None:
        measured_until = report.paused_at
        used = _used(policy, wall, started, measured_until, report.paused_hours)
        left = hours_between(policy, wall, measured_until, deadline) if deadline else None
        return Clock(
            kind=ClockKind.PAUSED,
            at=at,
            paused=kind,
            started_at=started,
            paused_since=report.paused_at,
            used_hours=used,
            left_hours=left,
            is_wall_clock=wall,
            # No working time may be left (a deadline at 17:00, paused at 17:30) and the
            # deadline still be past, as for a running clock.
            paused_late=deadline is not None and report.paused_at > deadline,
        )
    if deadline is None:
        return Clock(kind=kind, at=at, started_at=started, is_wall_clock=wall)
    left = hours_between(policy, wall, at, deadline)
    # The deadline's own instant is still in time (a report resolved at 17:00 sharp against a
    # 17:00 deadline is on time).
    overdue = at > deadline
    return Clock(
        kind=kind,
        at=at,
        deadline=deadline,
        started_at=started,
        used_hours=_used(policy, wall, started, at, report.paused_hours),
        left_hours=left,
        is_overdue=overdue,
        is_due_soon=not overdue and left <= policy.due_soon_hours(wall=wall),
        is_wall_clock=wall,
    )


def add_hours(policy: SlaPolicy, wall: bool, start: datetime, hours: float) -> datetime:
    """``hours`` of the clock's own time after ``start`` (before it when negative)."""
    if wall:
        return start + timedelta(hours=hours)
    if hours < 0:
        return policy.calendar.subtract_working_hours(start, -hours)
    return policy.calendar.add_working_hours(start, hours)


def hours_between(policy: SlaPolicy, wall: bool, start: datetime, end: datetime) -> float:
    """The clock's own hours from ``start`` to ``end`` (negative when ``end`` comes first)."""
    if wall:
        return (end - start) / timedelta(hours=1)
    return policy.calendar.working_hours_between(start, end)


def _used(
    policy: SlaPolicy, wall: bool, started: datetime | None, until: datetime, paused: float
) -> float | None:
    if started is None:
        return None
    return max(hours_between(policy, wall, started, until) - paused, 0.0)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _round(hours: float | None) -> float | None:
    return round(hours, 2) if hours is not None else None
