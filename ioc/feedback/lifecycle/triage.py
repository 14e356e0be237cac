"""IOC triage and supervision: verify, classify, assign, reject, merge, extensions, reopen,
decline a reopening, close.

Each function takes the session first, changes the report through
:func:`ioc.feedback.lifecycle.workflow.perform` (transition table, history, event) and never
commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, InvalidInput
from ioc.feedback.citizen_models import ReportFollower
from ioc.feedback.lifecycle.handling import find_agency, pending_extension, required_text
from ioc.feedback.lifecycle.workflow import Action, check, perform
from ioc.feedback.models import Category, User
from ioc.feedback.report_models import ExtensionRequest, Report
from ioc.feedback.sla.deadlines import (
    retarget_clock,
    start_resolution_clock,
    stop_receipt_clock,
)
from ioc.feedback.sla.extensions import grant_extension
from ioc.feedback.sla.pauses import paused_hours_in
from ioc.feedback.sla.policy import SlaPolicy, runs_on_wall_clock
from ioc.feedback.states import DISMISSED_STATES, SlaTier


def verify_report(session: Session, *, report: Report, actor: User, note: str | None) -> None:
    """The operator confirms the report is real and complete (xác minh)."""
    perform(session, report, actor, Action.VERIFY, note=note, is_public=False)
    report.is_verified = True


def classify_report(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    category_code: str | None = None,
    tier: str | None = None,
) -> None:
    """Change the category and/or the deadline tier (phân loại); the running receipt clock
    takes the new tier's target, counted from when it started.

    Raises:
        InvalidInput: unknown category or tier.
    """
    check(actor, report, Action.CLASSIFY)
    was_wall = runs_on_wall_clock(report.sla_tier)
    changes = []
    if category_code is not None and category_code != report.category.code:
        category = session.scalar(select(Category).where(Category.code == category_code))
        if category is None:
            raise InvalidInput("unknown category", details={"fields": {"category": category_code}})
        changes.append(f"{report.category.code} → {category.code}")
        report.category = category
        report.sla_tier = category.sla_tier
    if tier is not None:
        if tier not in {t.value for t in SlaTier}:
            raise InvalidInput("unknown tier", details={"fields": {"tier": tier}})
        changes.append(f"tier {report.sla_tier} → {tier}")
        report.sla_tier = tier
    if changes:
        wall = runs_on_wall_clock(report.sla_tier)
        if wall != was_wall:
            # Paused time is kept in the clock's own hours, and the new tier counts in others.
            report.paused_hours = paused_hours_in(session, report, policy, wall=wall)
        retarget_clock(report, policy)
    perform(session, report, actor, Action.CLASSIFY, note="; ".join(changes), is_public=False)


def assign_report(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    agency_code: str,
    supporting_codes: Sequence[str] = (),
) -> None:
    """Send the report to a lead agency, with supporting ones (chuyển xử lý).

    The lead agency's resolution clock starts now (a report returned before keeps its overall
    age for the citizen: ``received_at`` does not change).

    Raises:
        InvalidInput: unknown agency, or the lead also listed as supporting.
    """
    check(actor, report, Action.ASSIGN)
    lead = find_agency(session, agency_code, field="agency")
    # A code named twice supports once (the link table holds each agency once per report).
    supporting = [
        find_agency(session, code, field="supporting") for code in dict.fromkeys(supporting_codes)
    ]
    if lead in supporting:
        raise InvalidInput(
            "the lead agency cannot also support", details={"fields": {"supporting": agency_code}}
        )
    report.lead_agency, report.supporting_agencies = lead, supporting
    report.assignee = None  # a new assignment starts unassigned inside the agency
    now = utcnow()
    stop_receipt_clock(report, policy, at=now)
    report.is_assigned = True
    start_resolution_clock(report, policy, at=now)
    perform(session, report, actor, Action.ASSIGN, note=lead.name_vi)


def reject_report(
    session: Session, *, policy: SlaPolicy, report: Report, actor: User, reason: str
) -> None:
    """Refuse the report with a public reason (từ chối)."""
    check(actor, report, Action.REJECT)
    stop_receipt_clock(report, policy, at=utcnow())
    perform(session, report, actor, Action.REJECT, note=required_text(reason, "reason"))
    report.closed_at = utcnow()


def mark_duplicate(
    session: Session, *, policy: SlaPolicy, report: Report, actor: User, of_ref: str
) -> Report:
    """Merge the report into an earlier one; its followers follow the original now.

    Raises:
        InvalidInput: the original does not exist, is this report, or is itself merged or
            rejected.
    """
    check(actor, report, Action.MARK_DUPLICATE)
    original = session.scalar(select(Report).where(Report.ref == of_ref))
    if original is None or original.id == report.id:
        raise InvalidInput("no such original report", details={"fields": {"of": of_ref}})
    if original.status in DISMISSED_STATES:
        raise InvalidInput(
            "the original report is itself closed as duplicate or rejected",
            details={"fields": {"of": of_ref}},
        )
    _move_followers(session, report, original)
    report.duplicate_of_id = original.id
    report.closed_at = utcnow()
    stop_receipt_clock(report, policy, at=report.closed_at)
    perform(session, report, actor, Action.MARK_DUPLICATE, note=original.ref, of=original.ref)
    return original


def decide_extension(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    approve: bool,
    note: str | None,
) -> ExtensionRequest:
    """Approve (the deadline moves) or deny the waiting extension request.

    Raises:
        Forbidden: the policy does not let the actor's role decide extensions.
        Conflict: no request is waiting.
    """
    action = Action.APPROVE_EXTENSION if approve else Action.DENY_EXTENSION
    check(actor, report, action, policy)
    request = pending_extension(session, report)
    if request is None:
        raise Conflict("no extension request is waiting for a decision")
    request.decision = "approved" if approve else "denied"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, utcnow(), note
    if approve:
        grant_extension(report, request, policy)
    perform(
        session, report, actor, action, note=note, policy=policy, until=request.until.isoformat()
    )
    return request


def reopen_report(
    session: Session, *, policy: SlaPolicy, report: Report, actor: User, reason: str
) -> None:
    """Reopen a resolved report the citizen was not satisfied with; the lead agency's clock
    starts again (mở lại).

    Raises:
        Conflict: the citizen has not asked for it (no "unsatisfied" rating), or the report
            has been reopened as many times as the policy allows.
    """
    check(actor, report, Action.REOPEN)
    limit = policy.rules.reopen.max_count
    reopened = report.reopen_count or 0
    if reopened >= limit:
        raise Conflict(
            "this report has been reopened as often as the policy allows; "
            "decline the reopening or close the report",
            details={"limit": limit, "reopened": reopened},
        )
    reason = required_text(reason, "reason")
    # The earlier answer stays in the history; the public result waits for the new one.
    report.resolved_at = report.result_text = None
    report.resolved_on_time = report.handling_hours = None
    report.reopen_count = reopened + 1
    start_resolution_clock(report, policy, at=utcnow())
    perform(session, report, actor, Action.REOPEN, note=reason)
    # Cleared last: the table allows a reopening only while the citizen's rating asks for it.
    report.rating = report.rating_comment = report.rated_at = None


def decline_reopen(session: Session, *, report: Report, actor: User, reason: str) -> None:
    """Refuse the citizen's request to reopen, with a public reason; the report closes.

    Raises:
        Conflict: the citizen has not asked for a reopening.
    """
    check(actor, report, Action.DECLINE_REOPEN)
    perform(session, report, actor, Action.DECLINE_REOPEN, note=required_text(reason, "reason"))
    report.closed_at = utcnow()


def close_report(session: Session, *, report: Report, actor: User, note: str | None) -> None:
    """Close a resolved report (đóng), rated or not; the note is public."""
    check(actor, report, Action.CLOSE)
    perform(session, report, actor, Action.CLOSE, note=note)
    report.closed_at = utcnow()


def _move_followers(session: Session, duplicate: Report, original: Report) -> None:
    followers = session.scalars(
        select(ReportFollower).where(ReportFollower.report_id == duplicate.id)
    ).all()
    already = set(
        session.scalars(
            select(ReportFollower.user_id).where(ReportFollower.report_id == original.id)
        )
    )
    for follower in followers:
        if follower.user_id not in already:
            session.add(
                ReportFollower(report_id=original.id, user_id=follower.user_id, is_supporter=True)
            )
            original.support_count += 1
