"""The SLA sweep: what time alone does to reports.

Run every minute by ``ioc worker`` (and by the embedded demo server), or once by
``ioc sla sweep``. In one transaction it:

1. resumes clocks whose pause outlived the policy's limit (at the instant the limit ran out);
2. announces running deadlines that are near (``report.deadline_due``) or passed
   (``report.overdue``, escalated to the IOC supervisors), each once per deadline — the
   notices are stamped on the row with their events, so a second sweep, even a concurrent one
   on another host, finds nothing left to announce; a paused report is never announced;
3. flags each supporting agency's part that passed its own deadline
   (``report.support_overdue`` to the lead agency and the IOC), once per part
   (:mod:`ioc.feedback.sla.support`);
4. closes resolved reports the citizen left unrated for the policy's delay.

Every decision is the clock engine's (:func:`ioc.feedback.sla.clock.clock_of`). Candidates
are found by indexed deadline ranges, never by reading every report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.announce import announce
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.sla.clock import clock_of
from ioc.feedback.sla.pauses import pause_expires_at, resume_clock
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.sla.support import announce_overdue_parts
from ioc.feedback.states import HANDLING_STATES, OPEN_STATES, TRIAGE_STATES, ReportStatus


@dataclass
class SweepResult:
    due_soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    #: (report ref, supporting agency code) of each part flagged overdue.
    support_overdue: list[tuple[str, str]] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.due_soon or self.overdue or self.support_overdue or self.resumed or self.closed
        )

    def describe(self) -> str:
        return (
            f"{len(self.due_soon)} due soon, {len(self.overdue)} overdue and escalated, "
            f"{len(self.support_overdue)} supporting parts overdue, "
            f"{len(self.resumed)} paused too long and resumed, {len(self.closed)} unrated "
            "and closed"
        )


def sweep_deadlines(
    session: Session, policy: SlaPolicy, *, now: datetime | None = None
) -> SweepResult:
    """Apply what time alone does to reports up to ``now`` (see the module). Never commits."""
    now = now or utcnow()
    result = SweepResult()
    _resume_expired_pauses(session, policy, now, result)
    _announce_deadlines(session, policy, now, result)
    result.support_overdue = announce_overdue_parts(session, now=now)
    _close_unrated(session, policy, now, result)
    session.flush()
    return result


def _resume_expired_pauses(
    session: Session, policy: SlaPolicy, now: datetime, result: SweepResult
) -> None:
    # A pause of N working hours lasts at least N wall hours: older pauses are the candidates.
    limit = timedelta(hours=policy.rules.pauses.max_working_hours)
    query = (
        select(Report)
        .where(
            Report.status.in_(OPEN_STATES),
            Report.paused_at.is_not(None),
            Report.paused_at <= now - limit,
        )
        .order_by(Report.id)
        .with_for_update(skip_locked=True)
    )
    for report in session.scalars(query):
        expires = pause_expires_at(report, policy)
        if expires is None or expires > now:
            continue
        resume_clock(report, policy, at=expires)
        _record(report, expires, "pause_expired", is_public=True)
        announce(session, report, "report.clock_resumed", reason="pause_limit")
        result.resumed.append(report.ref)


def _announce_deadlines(
    session: Session, policy: SlaPolicy, now: datetime, result: SweepResult
) -> None:
    horizon = _due_soon_horizon(policy, now)
    not_announced = or_(
        Report.overdue_announced_at.is_(None), Report.due_soon_announced_at.is_(None)
    )
    query = (
        select(Report)
        .where(
            Report.paused_at.is_(None),
            not_announced,
            or_(
                and_(Report.status.in_(TRIAGE_STATES), Report.receipt_due_at <= horizon),
                and_(Report.status.in_(HANDLING_STATES), Report.due_at <= horizon),
            ),
        )
        .order_by(Report.id)
        # Concurrent sweeps skip each other's rows instead of announcing them twice.
        .with_for_update(skip_locked=True)
    )
    for report in session.scalars(query):
        clock = clock_of(report, policy, at=now)
        if clock.is_overdue and report.overdue_announced_at is None:
            report.overdue_announced_at = now
            report.due_soon_announced_at = report.due_soon_announced_at or now
            note = f"overdue ({clock.kind.value})"
            _record(report, now, "escalated", is_public=False, note=note)
            announce(
                session,
                report,
                "report.overdue",
                clock=clock.kind.value,
                escalate_to="ioc_supervisor",
            )
            result.overdue.append(report.ref)
        elif clock.is_due_soon and report.due_soon_announced_at is None:
            report.due_soon_announced_at = now
            announce(session, report, "report.deadline_due", clock=clock.kind.value)
            result.due_soon.append(report.ref)


def _due_soon_horizon(policy: SlaPolicy, now: datetime) -> datetime:
    """The latest deadline that can be due soon at ``now``: within the threshold in working
    hours (up to the next opening, since a deadline in the break after the threshold has no
    more working time left), or in wall hours for urgent reports."""
    threshold = policy.due_soon_hours(wall=False)
    working = policy.calendar.next_opening(policy.calendar.add_working_hours(now, threshold))
    return max(working, now + timedelta(hours=policy.due_soon_hours(wall=True)))


def _close_unrated(session: Session, policy: SlaPolicy, now: datetime, result: SweepResult) -> None:
    days = policy.rules.closing.auto_close_working_days
    # N working days last at least N calendar days.
    query = (
        select(Report)
        .where(
            Report.status == ReportStatus.RESOLVED,
            Report.rating.is_(None),
            Report.resolved_at <= now - timedelta(days=days),
        )
        .order_by(Report.id)
        .with_for_update(skip_locked=True)
    )
    for report in session.scalars(query):
        if report.resolved_at is None:
            continue
        closes_at = policy.calendar.add_working_days(report.resolved_at, days)
        if closes_at > now:
            continue
        report.status, report.closed_at = ReportStatus.CLOSED, closes_at
        _record(
            report,
            closes_at,
            "auto_closed",
            is_public=True,
            from_status=ReportStatus.RESOLVED,
            note=f"{days} working days without a rating",
        )
        announce(session, report, "report.closed", reason="not_rated")
        result.closed.append(report.ref)


def _record(
    report: Report,
    at: datetime,
    action: str,
    *,
    is_public: bool,
    note: str | None = None,
    from_status: str | None = None,
) -> None:
    report.history.append(
        ReportHistory(
            occurred_at=at,
            action=action,
            from_status=from_status or report.status,
            to_status=report.status,
            note=note,
            is_public=is_public,
        )
    )
