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
from ioc.feedback.lifecycle.handling import get_report_for_staff, pending_extension, required_text
from ioc.feedback.lifecycle.workflow import Action, check, perform
from ioc.feedback.models import User
from ioc.feedback.report_models import ExtensionRequest, Report, ReportHistory
from ioc.feedback.sla.sweep import restart_deadline_notices
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


def return_report(session: Session, *, report: Report, actor: User, reason: str) -> None:
    """ "Not ours": back to the IOC queue with a reason (chuyển trả)."""
    check(actor, report, Action.RETURN)
    perform(session, report, actor, Action.RETURN, note=required_text(reason, "reason"))
    report.due_at = None
    restart_deadline_notices(report)


def request_extension(
    session: Session, *, report: Report, actor: User, until: datetime, reason: str
) -> ExtensionRequest:
    """Ask the IOC for more time (đề nghị gia hạn).

    Raises:
        InvalidInput: no reason, or a date not after the current deadline.
        Conflict: a request is already waiting for a decision.
    """
    check(actor, report, Action.REQUEST_EXTENSION)
    if report.due_at is not None and until <= report.due_at:
        raise InvalidInput(
            "the new deadline must be later than the current one",
            details={"fields": {"until": report.due_at.isoformat()}},
        )
    if pending_extension(session, report) is not None:
        raise Conflict("an extension request is already waiting for a decision")
    request = ExtensionRequest(
        report_id=report.id,
        requested_by_id=actor.id,
        until=until,
        reason=required_text(reason, "reason"),
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


def contribute(session: Session, *, report: Report, actor: User, text: str) -> None:
    """A supporting agency records its part, which the lead needs before resolving."""
    check(actor, report, Action.CONTRIBUTE)
    perform(session, report, actor, Action.CONTRIBUTE, note=required_text(text, "text"))


def resolve_report(
    session: Session,
    *,
    report: Report,
    actor: User,
    answer: str,
    photos: Sequence[StoredPhoto],
) -> None:
    """The lead agency closes the case with a public answer and "after" photos.

    Raises:
        InvalidInput: no answer, or no photo where the category needs one.
        Conflict: a supporting agency has not recorded its part yet.
    """
    check(actor, report, Action.RESOLVE)
    answer = required_text(answer, "answer")
    if report.category.is_photo_required and not photos:
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
    report.attachments.extend(
        photo.attachment("after", uploaded_by_id=actor.id) for photo in photos
    )
    report.result_text, report.resolved_at = answer, utcnow()
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
            resolve_report(session, report=report, actor=actor, answer=answer, photos=stored)
