"""The supporting agencies' clocks (phối hợp): the one home of a part's deadline.

When the lead agency's resolution clock starts (assignment or reopening), each supporting
agency's part starts with it and is due after the policy's share of the lead's target
(``[supporting] share_of_resolution``), counted the same way as the lead's: working hours of
the calendar, or wall hours for urgent reports. A part is done when the agency records its
contribution; one still open past its deadline is overdue, and the sweep tells the lead and
the IOC once (:func:`announce_overdue_parts`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.announce import announce_to_staff
from ioc.feedback.report_models import Report, ReportHistory, SupportPart
from ioc.feedback.sla.clock import add_hours
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.feedback.states import HANDLING_STATES

#: The purpose of a supporting agency's photos among a report's attachments (staff only: the
#: citizen and the public see the citizen's photos and the lead's "after" photos).
SUPPORT_PHOTO = "support"


def support_due_at(
    report: Report, policy: SlaPolicy, *, started_at: datetime, resolution_hours: float
) -> datetime:
    """When a supporting agency's part of ``report`` started at ``started_at`` is due, the
    lead having ``resolution_hours`` (:func:`ioc.feedback.sla.deadlines.resolution_target`)."""
    hours = policy.support_target(resolution_hours)
    return add_hours(policy, runs_on_wall_clock(report.sla_tier), started_at, hours)


def start_support_clocks(
    report: Report, policy: SlaPolicy, *, at: datetime, resolution_hours: float
) -> None:
    """Every supporting agency's part starts afresh at ``at`` (with the lead's clock)."""
    due_at = support_due_at(report, policy, started_at=at, resolution_hours=resolution_hours)
    for part in report.support_parts:
        part.started_at, part.due_at = at, due_at
        part.done_at, part.text, part.overdue_announced_at = None, None, None


def retarget_support_clocks(report: Report, policy: SlaPolicy, *, resolution_hours: float) -> None:
    """The lead's target changed (tier or category): the open parts' deadlines follow, from
    when they started; a part whose deadline moves may be announced overdue again."""
    for part in report.support_parts:
        if part.done_at is not None or part.started_at is None:
            continue
        due_at = support_due_at(
            report, policy, started_at=part.started_at, resolution_hours=resolution_hours
        )
        if due_at != part.due_at:
            part.due_at, part.overdue_announced_at = due_at, None


def complete_support_part(report: Report, *, agency_id: int, text: str, at: datetime) -> None:
    """The supporting agency recorded its part at ``at``: it is done (the latest text wins)."""
    for part in report.support_parts:
        if part.agency_id == agency_id:
            part.done_at = part.done_at or at
            part.text = text


def is_part_overdue(part: SupportPart, *, at: datetime) -> bool:
    """Whether the part missed its deadline: still open after it, or done after it."""
    if part.due_at is None:
        return False
    return (part.done_at or at) > part.due_at


def announce_overdue_parts(session: Session, *, now: datetime) -> list[tuple[str, str]]:
    """Flag each open part of a report in hand that passed its deadline by ``now``, once:
    a history entry, and ``report.support_overdue`` to the lead agency and the IOC. Returns
    the (report ref, agency code) pairs flagged. Never commits."""
    query = (
        select(SupportPart)
        .join(Report, Report.id == SupportPart.report_id)
        .where(
            SupportPart.done_at.is_(None),
            SupportPart.overdue_announced_at.is_(None),
            SupportPart.due_at <= now,
            Report.status.in_(HANDLING_STATES),
            Report.paused_at.is_(None),
        )
        .order_by(SupportPart.report_id, SupportPart.agency_id)
        .with_for_update(skip_locked=True, of=SupportPart)
    )
    flagged: list[tuple[str, str]] = []
    for part in session.scalars(query):
        report = session.get_one(Report, part.report_id)
        part.overdue_announced_at = now
        report.history.append(
            ReportHistory(
                occurred_at=now,
                action="support_overdue",
                from_status=report.status,
                to_status=report.status,
                note=part.agency.code,
                is_public=False,
            )
        )
        lead = [report.lead_agency.code] if report.lead_agency else []
        announce_to_staff(
            session,
            report,
            "report.support_overdue",
            agency_codes=[*lead, part.agency.code],
            supporting_agency=part.agency.code,
            due_at=part.due_at.isoformat() if part.due_at else None,
            escalate_to="ioc_supervisor",
        )
        flagged.append((report.ref, part.agency.code))
    return flagged
