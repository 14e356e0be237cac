"""A small reference model of the legal clock, written from the rules rather than from the
engine (:mod:`ioc.feedback.sla.clock`), for the property tests to hold the engine against.

It knows only the policy's numbers and the working calendar's primitives (add working hours,
working hours between two instants, add working days). The rules it encodes:

- a clock starts when the IOC gets a report (filing, or an agency's return) and when an agency
  gets it (assignment, auto-dispatch, reopening), with the target of the report's tier; the
  resolution target is the category's own when the report keeps its category's tier;
- urgent reports count wall hours, the others working hours;
- paused time never counts: on resuming, the deadline moves by exactly the time the clock stood
  still (a pause that cost no time moves nothing);
- a tier change recomputes the running deadline from when the clock started, plus the time it
  has been paused, both in the new tier's hours;
- an approved extension moves the deadline to the date asked for, moved on by any time the
  clock stood still since it was asked;
- the deadline's own instant is still on time; a paused clock counts as it stood when it paused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ioc.feedback.sla.calendar import WorkingCalendar
from ioc.feedback.sla.policy import PolicyFile

HOUR = timedelta(hours=1)
# Float hours round to the microsecond when turned back into instants.
EPSILON_HOURS = 1e-9


@dataclass(frozen=True)
class Targets:
    """The policy's numbers the clock needs, and the calendar it counts in."""

    calendar: WorkingCalendar
    rules: PolicyFile

    def receipt(self, tier: str) -> float:
        receipt = self.rules.receipt
        return {
            "urgent": receipt.urgent_hours,
            "complex": receipt.complex_working_hours,
            "normal": receipt.normal_working_hours,
        }[tier]

    def resolution(self, tier: str, *, category_tier: str, category_hours: float) -> float:
        if tier == category_tier:
            return category_hours
        resolution = self.rules.resolution
        return {
            "urgent": resolution.urgent_hours,
            "complex": resolution.complex_working_hours,
            "normal": resolution.normal_working_hours,
        }[tier]


@dataclass
class RefClock:
    """One running legal clock: receipt (the IOC's) or resolution (the lead agency's)."""

    kind: str
    wall: bool
    started_at: datetime
    target: float
    deadline: datetime
    calendar: WorkingCalendar
    extended: float = 0.0
    pauses: list[tuple[datetime, datetime]] = field(default_factory=list)
    paused_at: datetime | None = None

    @classmethod
    def start(
        cls, kind: str, *, tier: str, at: datetime, target: float, calendar: WorkingCalendar
    ) -> RefClock:
        wall = tier == "urgent"
        clock = cls(kind, wall, at, target, at, calendar)
        clock.deadline = clock.add(at, target)
        return clock

    # --- the clock's own hours ---------------------------------------------------------------

    def hours(self, start: datetime, end: datetime) -> float:
        if self.wall:
            return (end - start) / HOUR
        return self.calendar.working_hours_between(start, end)

    def add(self, start: datetime, hours: float) -> datetime:
        if self.wall:
            return start + timedelta(hours=hours)
        return self.calendar.add_working_hours(start, hours)

    # --- where it stands ---------------------------------------------------------------------

    @property
    def allowed(self) -> float:
        return self.target + self.extended

    def paused_hours(self) -> float:
        """The pauses that ended, in the clock's current hours."""
        return sum(self.hours(begin, end) for begin, end in self.pauses)

    def used(self, at: datetime) -> float:
        return self.hours(self.started_at, self.paused_at or at) - self.paused_hours()

    def left(self, at: datetime) -> float:
        return self.allowed - self.used(at)

    def is_overdue(self, at: datetime) -> bool:
        return self.paused_at is None and at > self.deadline

    def is_due_soon(self, at: datetime, threshold: float) -> bool:
        return self.paused_at is None and not self.is_overdue(at) and self.left(at) <= threshold

    def on_time(self, at: datetime) -> bool:
        """Whether work finished at ``at`` met the deadline."""
        return (self.paused_at or at) <= self.deadline

    # --- what happens to it ------------------------------------------------------------------

    def pause(self, at: datetime) -> None:
        self.paused_at = at

    def resume(self, at: datetime) -> None:
        assert self.paused_at is not None
        stood = self.hours(self.paused_at, at)
        self.pauses.append((self.paused_at, at))
        self.paused_at = None
        if stood > 0:
            self.deadline = self.add(self.deadline, stood)

    def retarget(self, *, tier: str, target: float) -> bool:
        """The tier changed: the deadline counts again from the start. True if it moved."""
        self.wall, self.target = tier == "urgent", target
        before = self.deadline
        self.deadline = self.add(self.started_at, self.allowed + self.paused_hours())
        return self.deadline != before

    def extend(self, *, until: datetime, hours: float, asked_against: datetime) -> None:
        """Grant an extension of ``hours`` asked for, up to ``until``, when the deadline was
        ``asked_against``."""
        stood = self.hours(asked_against, self.deadline)
        self.deadline = until if stood <= EPSILON_HOURS else self.add(until, stood)
        self.extended += hours


# --- replaying a report's history ------------------------------------------------------------

_TIER_CHANGE = re.compile(r"tier (\w+) → (\w+)")


@dataclass(frozen=True)
class Row:
    """The facts of one history row the clock depends on."""

    action: str
    occurred_at: datetime
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class Extension:
    requested_at: datetime
    decided_at: datetime | None
    until: datetime
    hours: float


def replay_latest_resolution(
    rows: Iterable[Row],
    extensions: Sequence[Extension],
    *,
    category_tier: str,
    category_hours: float,
    targets: Targets,
) -> bool | None:
    """Whether the report's latest resolution was on time, from its history alone; None when
    it is not resolved now (never resolved, or reopened since)."""
    tier = category_tier
    clock: RefClock | None = None
    verdict: bool | None = None
    asked_against: dict[datetime, datetime] = {}

    def start(kind: str, at: datetime) -> RefClock:
        target = (
            targets.receipt(tier)
            if kind == "receipt"
            else targets.resolution(
                tier, category_tier=category_tier, category_hours=category_hours
            )
        )
        return RefClock.start(kind, tier=tier, at=at, target=target, calendar=targets.calendar)

    for row in rows:
        at = row.occurred_at
        if row.action == "submitted":
            clock = start("resolution" if row.to_status == "assigned" else "receipt", at)
        elif row.action == "classify":
            # The tests change tiers, not categories (whose change of tier the note omits).
            change = _TIER_CHANGE.search(row.note or "")
            if change and change[1] != change[2]:
                tier = change[2]
                if clock is not None:
                    clock.retarget(tier=tier, target=targets.receipt(tier))
        elif row.action in ("assign", "reopen"):
            clock, verdict = start("resolution", at), None
        elif row.action == "return":
            clock = start("receipt", at)
        elif row.action == "ask_citizen" and clock is not None:
            clock.pause(at)
        elif row.action in ("citizen_comment", "pause_expired"):
            if clock is not None and clock.paused_at is not None:
                clock.resume(at)
        elif row.action == "request_extension" and clock is not None:
            asked_against[at] = clock.deadline
        elif row.action == "approve_extension" and clock is not None:
            [granted] = [e for e in extensions if e.decided_at == at]
            clock.extend(
                until=granted.until,
                hours=granted.hours,
                asked_against=asked_against[granted.requested_at],
            )
        elif row.action == "resolve" and clock is not None:
            verdict, clock = clock.on_time(at), None
    return verdict
