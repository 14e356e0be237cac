"""Starting and re-targeting a report's legal clock: the one place that writes deadlines.

Receipt (tiếp nhận) starts when the report arrives and again when an agency returns it;
resolution (xử lý) starts when the report is assigned or reopened, and the supporting
agencies' parts with it (:mod:`ioc.feedback.sla.support`). Each start forgets the
previous clock's pause and notices. Targets come from the province's policy
(:mod:`ioc.feedback.sla.policy`); urgent reports run on the wall clock.
"""

from __future__ import annotations

from datetime import datetime

from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import (
    ClockKind,
    add_hours,
    clock_of,
    is_on_time,
    met_deadline,
    running_kind,
)
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.feedback.sla.support import retarget_support_clocks, start_support_clocks


def restart_deadline_notices(report: Report) -> None:
    """Call whenever the report's running deadline changes: its notices start afresh."""
    report.due_soon_announced_at = None
    report.overdue_announced_at = None


def start_receipt_clock(report: Report, policy: SlaPolicy, *, at: datetime) -> None:
    """The IOC's clock starts at ``at`` (a new report, or one an agency sent back)."""
    _start(report, at)
    report.receipt_due_at = add_hours(
        policy, runs_on_wall_clock(report.sla_tier), at, policy.receipt_target(report.sla_tier)
    )


def start_resolution_clock(report: Report, policy: SlaPolicy, *, at: datetime) -> None:
    """The lead agency's clock starts at ``at`` (assignment or reopening), and the
    supporting agencies' parts with it."""
    _start(report, at)
    target = resolution_target(report, policy)
    report.due_at = add_hours(policy, runs_on_wall_clock(report.sla_tier), at, target)
    start_support_clocks(report, policy, at=at, resolution_hours=target)


def stop_receipt_clock(report: Report, policy: SlaPolicy, *, at: datetime) -> None:
    """The IOC is done receiving the report at ``at`` (assigned, rejected or merged): the
    receipt clock's verdict and the working hours it used are recorded (statistics count the
    one, the receipt-time histogram the other); nothing is recorded when the receipt clock is
    not the one running (a merged report an agency already had)."""
    if running_kind(report) is ClockKind.RECEIPT:
        report.receipt_on_time = met_deadline(report, at=at)
        report.receipt_hours = receipt_working_hours(report, policy, at=at)


def receipt_working_hours(report: Report, policy: SlaPolicy, *, at: datetime) -> float:
    """Working hours the running receipt clock has used if it stops at ``at``: from its start
    (filing, or the agency's return) to ``at``, or to the pause that holds it, less the time
    it was paused before. The interval is the one :func:`met_deadline` judges; it is counted
    in working hours for every tier, like handling time (an urgent report's pauses, kept in
    wall hours, are taken off as they are; never below zero)."""
    started = report.clock_started_at or report.received_at
    stopped = report.paused_at if report.paused_at is not None else at
    worked = policy.calendar.working_hours_between(started, stopped)
    paused = report.paused_hours or 0.0
    return max(worked - paused, 0.0)


def stop_resolution_clock(report: Report, policy: SlaPolicy, *, at: datetime) -> None:
    """The lead agency resolved the report at ``at``: the on-time verdict and the round's
    handling time (working hours from assignment or reopening) are recorded."""
    report.resolved_on_time = is_on_time(clock_of(report, policy, at=at))
    started = report.clock_started_at or report.received_at
    report.handling_hours = max(policy.calendar.working_hours_between(started, at), 0.0)


def retarget_clock(report: Report, policy: SlaPolicy) -> None:
    """Recompute the running deadline after the tier or category changed: the new target
    counts from when the clock started, plus the time it was paused."""
    kind = running_kind(report)
    if kind is ClockKind.NONE or report.clock_started_at is None:
        return
    wall = runs_on_wall_clock(report.sla_tier)
    if kind is ClockKind.RECEIPT:
        target = policy.receipt_target(report.sla_tier)
    else:
        target = resolution_target(report, policy)
        retarget_support_clocks(report, policy, resolution_hours=target)
    deadline = add_hours(policy, wall, report.clock_started_at, target + report.paused_hours)
    before = report.receipt_due_at if kind is ClockKind.RECEIPT else report.due_at
    if deadline == before:
        # The same deadline (same tier, or one with the same target): its notices stand.
        return
    if kind is ClockKind.RECEIPT:
        report.receipt_due_at = deadline
    else:
        report.due_at = deadline
    restart_deadline_notices(report)


def resolution_target(report: Report, policy: SlaPolicy) -> float:
    """The hours the lead agency has for this report's tier and category."""
    return policy.resolution_target(
        tier=report.sla_tier,
        category_tier=report.category.sla_tier,
        category_hours=report.category.sla_target_hours,
    )


def _start(report: Report, at: datetime) -> None:
    report.clock_started_at = at
    report.paused_at = None
    report.paused_hours = 0.0
    restart_deadline_notices(report)
