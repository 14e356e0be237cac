"""Waiting for the citizen (tạm dừng): the clock stops while staff wait for information only
the citizen can give, and goes on from where it stopped when they answer — or when the
policy's pause limit runs out, so a report never waits for ever.

Paused time never counts: on resuming, the deadline moves by exactly the time the clock
stood still, and that time is added to ``paused_hours`` so the time used stays right.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.sla.clock import ClockKind, add_hours, hours_between, running_kind
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock


def pause_clock(report: Report, *, at: datetime) -> None:
    """Stop the running clock at ``at``."""
    report.paused_at = at


def resume_clock(report: Report, policy: SlaPolicy, *, at: datetime) -> None:
    """Restart a paused clock at ``at``: the deadline moves by the time the clock stood still,
    so the time that was left when it paused is left again (an overdue report stays as far
    past its deadline as it was, and a pause that cost no time moves nothing). The deadline is
    the same one in the clock's own time, so notices already raised for it stand."""
    if report.paused_at is None:
        return
    kind = running_kind(report)
    wall = runs_on_wall_clock(report.sla_tier)
    stood = max(hours_between(policy, wall, report.paused_at, at), 0.0)
    report.paused_hours += stood
    deadline = report.receipt_due_at if kind is ClockKind.RECEIPT else report.due_at
    # Counting from the deadline rather than from ``at`` keeps its instant where no time
    # passed: an overdue report answered in the evening stays overdue, and a deadline set in
    # the evening by an extension stays in the evening.
    if deadline is not None and kind is not ClockKind.NONE and stood > 0:
        moved = add_hours(policy, wall, deadline, stood)
        if kind is ClockKind.RECEIPT:
            report.receipt_due_at = moved
        else:
            report.due_at = moved
    report.paused_at = None


def pause_expires_at(report: Report, policy: SlaPolicy) -> datetime | None:
    """When the pause limit makes a paused clock run again by itself."""
    if report.paused_at is None:
        return None
    return policy.calendar.add_working_hours(
        report.paused_at, policy.rules.pauses.max_working_hours
    )


def paused_hours_in(session: Session, report: Report, policy: SlaPolicy, *, wall: bool) -> float:
    """The time the running clock stood still in its pauses that ended, in wall hours or in
    working hours, read from the history: ``paused_hours`` keeps it in the clock's own hours
    only, and a tier change may switch between them."""
    entries = session.execute(
        select(ReportHistory.action, ReportHistory.occurred_at)
        .where(
            ReportHistory.report_id == report.id,
            ReportHistory.occurred_at >= report.clock_started_at,
            ReportHistory.action.in_(["ask_citizen", "citizen_comment", "pause_expired"]),
        )
        .order_by(ReportHistory.id)
    )
    paused, since = 0.0, None
    for action, at in entries:
        if action == "ask_citizen":
            since = at
        elif since is not None:
            paused += max(hours_between(policy, wall, since, at), 0.0)
            since = None
    return paused
