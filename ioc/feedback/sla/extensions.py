"""Extensions (gia hạn): an agency asks for more time with a reason, the IOC decides.

The province's policy caps how many extensions one assignment may get and how much time they
may add in all, and names the roles that approve them (IOC supervisors by default). An
approved extension moves the resolution deadline to the date asked for, moved on by any time
the clock stood still waiting for the citizen after it was asked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, InvalidInput
from ioc.feedback.report_models import ExtensionRequest, Report
from ioc.feedback.sla.clock import add_hours, hours_between
from ioc.feedback.sla.deadlines import restart_deadline_notices
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock

# Hours below this are float rounding, not time (a microsecond is 3e-10 hours).
_NO_TIME = 1e-9


def extension_hours(
    session: Session, report: Report, policy: SlaPolicy, *, until: datetime
) -> float:
    """What moving the deadline to ``until`` adds, in the clock's own hours.

    Raises:
        InvalidInput: ``until`` is not after the deadline in force, or the report's extensions
            would add more than the policy allows in all.
        Conflict: the assignment has had as many extensions as the policy allows.
    """
    if report.due_at is None or until <= report.due_at:
        current = report.due_at.isoformat() if report.due_at else None
        raise InvalidInput(
            "the new deadline must be later than the current one",
            details={"fields": {"until": f"must be after {current}"}},
        )
    caps = policy.rules.extensions
    granted_count, granted_hours = _granted(session, report)
    if granted_count >= caps.max_count:
        raise Conflict(
            "this report has had as many extensions as the policy allows",
            details={"limit": caps.max_count, "granted": granted_count},
        )
    hours = hours_between(policy, runs_on_wall_clock(report.sla_tier), report.due_at, until)
    if granted_hours + hours > caps.max_total_working_hours:
        left = max(caps.max_total_working_hours - granted_hours, 0.0)
        raise InvalidInput(
            "the extension is longer than the policy allows",
            details={
                "fields": {
                    "until": f"extensions may add {caps.max_total_working_hours:g} hours in "
                    f"all; {left:g} are left"
                },
                "limit_hours": caps.max_total_working_hours,
                "left_hours": round(left, 2),
            },
        )
    return hours


def grant_extension(report: Report, request: ExtensionRequest, policy: SlaPolicy) -> None:
    """The deadline moves to the date asked for; its notices start afresh, and the report
    counts one more approved extension (the figures' "extended").

    A pause that ended between the request and the decision moved the deadline on, and the
    date asked for moves on as much: paused time does not count against the agency.
    """
    until = request.until
    if report.due_at is not None and request.hours is not None:
        wall = runs_on_wall_clock(report.sla_tier)
        # The deadline in force when the request was made lay ``hours`` before ``until``.
        stood = hours_between(policy, wall, until, report.due_at) + request.hours
        if stood > _NO_TIME:
            until = add_hours(policy, wall, until, stood)
    report.due_at = until
    report.extension_count = (report.extension_count or 0) + 1
    restart_deadline_notices(report)


def _granted(session: Session, report: Report) -> tuple[int, float]:
    """Extensions approved since the running clock started (this assignment or reopening)."""
    count, hours = session.execute(
        select(
            func.count(ExtensionRequest.id), func.coalesce(func.sum(ExtensionRequest.hours), 0)
        ).where(
            ExtensionRequest.report_id == report.id,
            ExtensionRequest.decision == "approved",
            ExtensionRequest.requested_at >= report.clock_started_at,
        )
    ).one()
    return int(count), float(hours or 0.0)
