"""Drafts waiting for the manager's sign-off (phê duyệt), and the agency's team events.

In an agency that requires sign-off, an officer's resolution, extension request or return is
kept as a :class:`ReportDraft` instead of going out: the report stays in progress, its clock
keeps running, and nothing of the draft reaches the citizen, the public or Open311 (its
photos carry the purpose ``"draft"``, which no public read shows). A manager's own action
goes out directly. :mod:`ioc.feedback.lifecycle.sign_off` approves or sends drafts back.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict
from ioc.events.audiences import agency_audience
from ioc.events.log import record_event_at_commit
from ioc.feedback.announce import map_point
from ioc.feedback.intake.filing import StoredPhoto
from ioc.feedback.models import User
from ioc.feedback.report_models import Report, ReportDraft, ReportHistory
from ioc.feedback.states import AGENCY_MANAGERS, Role

#: The purpose of a photo sent with a draft; it becomes "after" when the draft is approved.
DRAFT_PHOTO = "draft"


class DraftKind(StrEnum):
    RESOLUTION = "resolution"  # kết quả xử lý
    EXTENSION = "extension"  # đề nghị gia hạn
    RETURN = "return"  # chuyển trả


class DraftStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"


def sign_off_required(actor: User, report: Report) -> bool:
    """Whether ``actor``'s answer for ``report`` must wait for a manager: an officer of a
    lead agency that requires sign-off."""
    agency = report.lead_agency
    return (
        agency is not None
        and agency.requires_sign_off
        and actor.agency_id == agency.id
        and Role(actor.role) not in AGENCY_MANAGERS
    )


def find_pending_draft(session: Session, report: Report) -> ReportDraft | None:
    """The draft waiting for sign-off in the current handling round; one written before the
    clock last started (the report was returned, reassigned or reopened since) has lapsed."""
    query = select(ReportDraft).where(
        ReportDraft.report_id == report.id, ReportDraft.status == DraftStatus.PENDING.value
    )
    if report.clock_started_at is not None:
        query = query.where(ReportDraft.created_at >= report.clock_started_at)
    return session.scalar(query.order_by(ReportDraft.id.desc()).limit(1))


def list_send_backs(session: Session, report: Report) -> list[ReportDraft]:
    """The drafts a manager sent back, oldest first, with their comments."""
    return list(
        session.scalars(
            select(ReportDraft)
            .where(
                ReportDraft.report_id == report.id,
                ReportDraft.status == DraftStatus.SENT_BACK.value,
            )
            .order_by(ReportDraft.id)
        )
    )


def submit_draft(
    session: Session,
    *,
    report: Report,
    actor: User,
    kind: DraftKind,
    payload: dict[str, Any],
    note: str,
    photos: Sequence[StoredPhoto] = (),
) -> ReportDraft:
    """Keep an officer's answer for the manager's sign-off (the caller has checked that the
    action itself is allowed now).

    Raises:
        Conflict: another draft is already waiting for the manager.
    """
    if find_pending_draft(session, report) is not None:
        raise Conflict(
            "a draft is already waiting for the manager's approval",
            details={"status": report.status},
        )
    draft = ReportDraft(
        report_id=report.id,
        kind=kind.value,
        payload=payload,
        author_id=actor.id,
        created_at=utcnow(),
        status=DraftStatus.PENDING.value,
    )
    session.add(draft)
    session.flush()
    for photo in photos:
        attachment = photo.attachment(DRAFT_PHOTO, uploaded_by_id=actor.id)
        attachment.draft_id = draft.id
        report.attachments.append(attachment)
    record_team_action(
        session,
        report,
        actor,
        "submit_draft",
        "report.draft_submitted",
        note=note,
        kind=kind.value,
        author=actor.username,
    )
    return draft


def record_team_action(
    session: Session,
    report: Report,
    actor: User,
    action: str,
    event_type: str,
    *,
    note: str | None = None,
    **event_extra: object,
) -> None:
    """A step inside the agency (assignment, draft, sign-off): an internal history row and an
    event addressed to the agency alone, never to the citizen or the public."""
    now = utcnow()
    report.history.append(
        ReportHistory(
            occurred_at=now,
            actor_id=actor.id,
            action=action,
            from_status=report.status,
            to_status=report.status,
            note=note,
            is_public=False,
        )
    )
    # The report row changes too, so its version check stops two people acting at once.
    report.updated_at = now
    session.flush()
    if report.lead_agency is not None:
        record_event_at_commit(
            session,
            event_type,
            payload={
                **map_point(report),
                "agency_code": report.lead_agency.code,
                "by": actor.username,
                **event_extra,
            },
            audiences=[agency_audience(report.lead_agency.code)],
            report_id=report.id,
        )
