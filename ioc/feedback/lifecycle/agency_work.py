"""Agency handling: accept, progress notes, return, extension requests, contributions of
supporting agencies and the resolution with "after" photos.

Each function takes the session first, changes the report through
:func:`ioc.feedback.lifecycle.workflow.perform` (transition table, history, event) and never
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work, utcnow
from ioc.errors import Conflict, InvalidInput
from ioc.feedback.intake.filing import StoredPhoto
from ioc.feedback.intake.photos import ProcessedPhoto
from ioc.feedback.intake.submission import stage_photos
from ioc.feedback.lifecycle.drafts import DraftKind, sign_off_required, submit_draft
from ioc.feedback.lifecycle.handling import get_report_for_staff, pending_extension, required_text
from ioc.feedback.lifecycle.workflow import Action, check, perform
from ioc.feedback.models import User
from ioc.feedback.report_models import (
    Attachment,
    ExtensionRequest,
    Report,
    ReportHistory,
    ReportReturn,
)
from ioc.feedback.sla.deadlines import start_receipt_clock, stop_resolution_clock
from ioc.feedback.sla.extensions import extension_hours
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.sla.support import SUPPORT_PHOTO, complete_support_part
from ioc.media import MediaStore


def accept_report(session: Session, *, report: Report, actor: User) -> None:
    """The lead agency takes the case (tiếp nhận xử lý)."""
    perform(session, report, actor, Action.ACCEPT)


def add_note(session: Session, *, report: Report, actor: User, text: str, is_public: bool) -> None:
    """A progress note from the lead or a supporting agency, public or internal."""
    check(actor, report, Action.NOTE)
    perform(
        session, report, actor, Action.NOTE, note=required_text(text, "text"), is_public=is_public
    )


def return_report(
    session: Session, *, policy: SlaPolicy, report: Report, actor: User, reason: str
) -> None:
    """ "Not ours": back to the IOC queue with a reason (chuyển trả).

    The report leaves the agency at once (it no longer sees it), the IOC gets a fresh receipt
    clock from now, and the time the agency held it is recorded against the agency. An
    officer of an agency that requires sign-off only drafts it for the manager.

    Raises:
        Conflict: the policy's window for returning the report has passed, or a draft is
            already waiting for the manager.
    """
    check(actor, report, Action.RETURN)
    reason = required_text(reason, "reason")
    if sign_off_required(actor, report):
        submit_draft(
            session,
            report=report,
            actor=actor,
            kind=DraftKind.RETURN,
            payload={"reason": reason},
            note=reason,
        )
        return
    now = utcnow()
    assigned_at = report.clock_started_at or report.received_at
    held = policy.calendar.working_hours_between(assigned_at, now)
    window = policy.rules.returns.window_working_hours
    if held > window:
        raise Conflict(
            "the time to return this report has passed; ask the IOC to reassign it",
            details={"limit_working_hours": window, "held_working_hours": round(held, 2)},
        )
    agency_id = report.lead_agency_id
    if agency_id is None:  # only the lead may return, so this cannot happen
        raise Conflict("the report has no lead agency to return it")
    session.add(
        ReportReturn(
            report_id=report.id,
            agency_id=agency_id,
            returned_by_id=actor.id,
            assigned_at=assigned_at,
            returned_at=now,
            hours_held=held,
            reason=reason,
            received_on=report.received_on,
            category_id=report.category_id,
            area_id=report.area_id,
            channel=report.channel,
        )
    )
    perform(session, report, actor, Action.RETURN, note=reason)
    report.lead_agency, report.supporting_agencies = None, []
    report.assignee = None
    report.due_at = None
    start_receipt_clock(report, policy, at=now)


def request_extension(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    until: datetime,
    reason: str,
) -> ExtensionRequest | None:
    """Ask the IOC for more time (đề nghị gia hạn), within the policy's caps. An officer of
    an agency that requires sign-off only drafts it for the manager (and gets ``None``).

    Raises:
        InvalidInput: no reason, a date not after the current deadline, or more time than
            the policy allows in all.
        Conflict: a request (or a draft for the manager) is already waiting for a decision,
            or the assignment has had as many extensions as the policy allows.
    """
    check(actor, report, Action.REQUEST_EXTENSION)
    reason = required_text(reason, "reason")
    if pending_extension(session, report) is not None:
        raise Conflict("an extension request is already waiting for a decision")
    hours = extension_hours(session, report, policy, until=until)
    if sign_off_required(actor, report):
        submit_draft(
            session,
            report=report,
            actor=actor,
            kind=DraftKind.EXTENSION,
            payload={"until": until.isoformat(), "reason": reason},
            note=reason,
        )
        return None
    request = ExtensionRequest(
        report_id=report.id,
        requested_by_id=actor.id,
        until=until,
        reason=reason,
        hours=hours,
    )
    session.add(request)
    perform(
        session,
        report,
        actor,
        Action.REQUEST_EXTENSION,
        note=reason,
        is_public=False,
        until=until.isoformat(),
    )
    return request


def contribute(
    session: Session,
    *,
    report: Report,
    actor: User,
    text: str,
    photos: Sequence[StoredPhoto] = (),
) -> None:
    """A supporting agency records its part, with photos if it has some: the part is done
    (:mod:`ioc.feedback.sla.support`), and the lead needs it before resolving."""
    check(actor, report, Action.CONTRIBUTE)
    text = required_text(text, "text")
    report.attachments.extend(
        photo.attachment(SUPPORT_PHOTO, uploaded_by_id=actor.id) for photo in photos
    )
    if actor.agency_id is not None:
        complete_support_part(report, agency_id=actor.agency_id, text=text, at=utcnow())
    perform(session, report, actor, Action.CONTRIBUTE, note=text)


def resolve_report(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    answer: str,
    photos: Sequence[StoredPhoto],
) -> None:
    """The lead agency closes the case with a public answer and "after" photos. An officer
    of an agency that requires sign-off only drafts it for the manager: the report stays in
    progress (and its clock running) until a manager approves.

    Raises:
        InvalidInput: no answer, or no photo where the category needs one.
        Conflict: a supporting agency has not recorded its part yet, or a draft is already
            waiting for the manager.
    """
    answer = check_resolution(session, report=report, actor=actor, answer=answer, photos=photos)
    if sign_off_required(actor, report):
        submit_draft(
            session,
            report=report,
            actor=actor,
            kind=DraftKind.RESOLUTION,
            payload={"answer": answer},
            note=answer,
            photos=photos,
        )
        return
    report.attachments.extend(
        photo.attachment("after", uploaded_by_id=actor.id) for photo in photos
    )
    publish_resolution(session, policy=policy, report=report, actor=actor, answer=answer)


def check_resolution(
    session: Session,
    *,
    report: Report,
    actor: User,
    answer: str,
    photos: Sequence[StoredPhoto | Attachment],
) -> str:
    """The checked answer, if ``actor`` may resolve ``report`` with it and ``photos`` now.

    Raises:
        as :func:`resolve_report`.
    """
    check(actor, report, Action.RESOLVE)
    answer = required_text(answer, "answer")
    if report.category.is_after_photo_required and not photos:
        raise InvalidInput(
            "this category needs a photo of the result",
            details={"fields": {"photos": "at least one photo is required for this category"}},
        )
    missing = supporting_without_contribution(session, report)
    if missing:
        raise Conflict(
            "supporting agencies have not recorded their part yet",
            details={"agencies": sorted(missing)},
        )
    return answer


def publish_resolution(
    session: Session, *, policy: SlaPolicy, report: Report, actor: User, answer: str
) -> None:
    """Close the case with ``answer`` now (its "after" photos already attached): the clock
    stops at this moment and the answer becomes public."""
    now = utcnow()
    stop_resolution_clock(report, policy, at=now)
    report.result_text, report.resolved_at, report.paused_at = answer, now, None
    perform(session, report, actor, Action.RESOLVE, note=answer)


def supporting_without_contribution(session: Session, report: Report) -> set[str]:
    """Supporting agencies that have not recorded their part in the current round (since
    the report was last assigned or reopened)."""
    round_started = session.scalar(
        select(func.max(ReportHistory.id)).where(
            ReportHistory.report_id == report.id,
            ReportHistory.action.in_([Action.ASSIGN.value, Action.REOPEN.value]),
        )
    )
    contributed = set(
        session.scalars(
            select(User.agency_id)
            .join(ReportHistory, ReportHistory.actor_id == User.id)
            .where(
                ReportHistory.report_id == report.id,
                ReportHistory.action == Action.CONTRIBUTE.value,
                ReportHistory.id > (round_started or 0),
            )
        )
    )
    return {a.code for a in report.supporting_agencies if a.id not in contributed}


def resolve_with_photos(
    session_factory: sessionmaker[Session],
    media: MediaStore,
    *,
    policy: SlaPolicy,
    ref: str,
    actor_id: int,
    answer: str,
    photos: Sequence[ProcessedPhoto],
) -> None:
    """Store the "after" photos and resolve, all or nothing (no photo left on a failure).

    Raises:
        everything :func:`resolve_report` and :func:`get_report_for_staff` raise.
    """
    with media.staged() as batch:
        stored = stage_photos(batch, photos)
        with unit_of_work(session_factory) as session:
            actor = session.get_one(User, actor_id)
            report = get_report_for_staff(session, ref=ref, actor=actor)
            resolve_report(
                session, policy=policy, report=report, actor=actor, answer=answer, photos=stored
            )
