"""The manager's sign-off (phê duyệt) of an officer's draft: approve it, as written or with
the answer edited, or send it back with a comment.

Approving publishes the draft exactly as the manager's own action would: a resolution is
the agency's answer with the draft's photos, and its clock stops at the moment of approval
(the time the draft waited counts against the deadline); an extension request goes to the
IOC; a return sends the report back to the IOC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, InvalidInput, NotFound
from ioc.feedback.lifecycle import agency_work
from ioc.feedback.lifecycle.drafts import (
    DraftKind,
    DraftStatus,
    find_pending_draft,
    record_team_action,
)
from ioc.feedback.lifecycle.handling import required_text
from ioc.feedback.lifecycle.workflow import can_see
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.report_models import Report, ReportDraft
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import AGENCY_MANAGERS, Role


def approve_draft(
    session: Session,
    *,
    policy: SlaPolicy,
    report: Report,
    actor: User,
    answer: str | None = None,
) -> None:
    """Publish the pending draft in the agency's name; ``answer`` replaces the drafted
    answer of a resolution (the manager's edit).

    Raises:
        NotFound: another agency's report.
        Forbidden: not a manager of the lead agency.
        Conflict: no draft is waiting, or the drafted action is no longer allowed.
        InvalidInput: an edited answer for a draft that is not a resolution, or an empty one.
    """
    draft = _pending(session, report, actor)
    kind = DraftKind(draft.kind)
    if answer is not None and kind is not DraftKind.RESOLUTION:
        raise InvalidInput(
            "only a resolution's answer can be edited",
            details={"fields": {"answer": "only for a resolution"}},
        )
    _decide(session, draft, actor, DraftStatus.APPROVED, comment=None)
    record_team_action(
        session, report, actor, "approve_draft", "report.draft_approved", kind=kind.value
    )
    if kind is DraftKind.RESOLUTION:
        published = required_text(
            answer if answer is not None else draft.payload["answer"], "answer"
        )
        photos = list(draft.photos)
        agency_work.check_resolution(
            session, report=report, actor=actor, answer=published, photos=photos
        )
        for photo in photos:
            photo.purpose = "after"
        agency_work.publish_resolution(
            session, policy=policy, report=report, actor=actor, answer=published
        )
    elif kind is DraftKind.EXTENSION:
        agency_work.request_extension(
            session,
            policy=policy,
            report=report,
            actor=actor,
            until=datetime.fromisoformat(draft.payload["until"]),
            reason=draft.payload["reason"],
        )
    else:
        agency_work.return_report(
            session, policy=policy, report=report, actor=actor, reason=draft.payload["reason"]
        )


def send_back_draft(session: Session, *, report: Report, actor: User, comment: str) -> None:
    """Return the pending draft to its author with a comment; the report stays in progress
    and the officer may submit again.

    Raises:
        NotFound, Forbidden, Conflict: as :func:`approve_draft`.
        InvalidInput: no comment.
    """
    comment = required_text(comment, "comment")
    draft = _pending(session, report, actor)
    _decide(session, draft, actor, DraftStatus.SENT_BACK, comment=comment)
    record_team_action(
        session,
        report,
        actor,
        "send_back_draft",
        "report.draft_sent_back",
        note=comment,
        kind=draft.kind,
        author=draft.author.username,
    )


def _pending(session: Session, report: Report, actor: User) -> ReportDraft:
    if not can_see(actor, report):
        raise NotFound("report not found")
    if Role(actor.role) not in AGENCY_MANAGERS or actor.agency_id != report.lead_agency_id:
        raise Forbidden(
            "only a manager of the lead agency signs off its answers",
            details={"roles": sorted(r.value for r in AGENCY_MANAGERS)},
        )
    draft = find_pending_draft(session, report)
    if draft is None:
        raise Conflict("no draft is waiting for approval", details={"status": report.status})
    return draft


def _decide(
    session: Session, draft: ReportDraft, actor: User, status: DraftStatus, comment: str | None
) -> None:
    before = {"status": draft.status}
    draft.status, draft.reviewer_id, draft.comment = status.value, actor.id, comment
    draft.decided_at = utcnow()
    audit.record(
        session,
        actor_id=actor.id,
        action=f"draft_{status.value}",
        target_type="report",
        target_ref=_ref_of(session, draft),
        before=before,
        after={"status": draft.status, "kind": draft.kind, "comment": comment},
    )


def _ref_of(session: Session, draft: ReportDraft) -> str:
    return session.get_one(Report, draft.report_id).ref
