"""The legal process of a report as one table: which action moves it from which states to
which, who may take it, and what it announces.

tiếp nhận → xác minh → phân loại → chuyển xử lý → xử lý → công khai → đánh giá.
Every action goes through :func:`perform`, which checks the table, writes the history row and
the outbox event, so no code path can skip a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, NotFound
from ioc.feedback.announce import announce
from ioc.feedback.models import User
from ioc.feedback.report_models import AuditEntry, Report, ReportHistory
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import AGENCY_STAFF as AGENCY
from ioc.feedback.states import HANDLING_STATES as HANDLING
from ioc.feedback.states import IOC_STAFF as IOC
from ioc.feedback.states import IOC_SUPERVISORS, Role
from ioc.feedback.states import TRIAGE_STATES as TRIAGE
from ioc.feedback.states import ReportStatus as S


class Action(StrEnum):
    VERIFY = "verify"  # xác minh
    CLASSIFY = "classify"  # phân loại
    ASSIGN = "assign"  # chuyển xử lý
    REJECT = "reject"  # từ chối
    MARK_DUPLICATE = "mark_duplicate"  # gộp trùng
    ACCEPT = "accept"  # tiếp nhận xử lý
    NOTE = "note"  # ghi chú tiến độ
    RETURN = "return"  # chuyển trả
    REQUEST_EXTENSION = "request_extension"  # đề nghị gia hạn
    APPROVE_EXTENSION = "approve_extension"
    DENY_EXTENSION = "deny_extension"
    CONTRIBUTE = "contribute"  # đơn vị phối hợp báo cáo phần việc
    RESOLVE = "resolve"  # xử lý xong
    REOPEN = "reopen"  # mở lại
    DECLINE_REOPEN = "decline_reopen"  # từ chối mở lại
    CLOSE = "close"  # đóng
    ASK_CITIZEN = "ask_citizen"  # yêu cầu người dân bổ sung thông tin (the clock pauses)


class Party(StrEnum):
    """Whose report it must be for an agency role to act."""

    ANY = "any"  # IOC roles see every report
    LEAD = "lead"
    LEAD_OR_SUPPORT = "lead_or_support"
    SUPPORT = "support"


#: Actions whose roles the province's policy narrows (who approves extensions).
_POLICY_ROLES = frozenset({"approve_extension", "deny_extension"})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[S]
    target: S | None  # None: the status stays as it is
    roles: frozenset[Role]
    party: Party
    event: str


TRANSITIONS: dict[Action, Transition] = {
    Action.VERIFY: Transition(TRIAGE, None, IOC, Party.ANY, "report.verified"),
    Action.CLASSIFY: Transition(TRIAGE, None, IOC, Party.ANY, "report.classified"),
    Action.ASSIGN: Transition(TRIAGE, S.ASSIGNED, IOC, Party.ANY, "report.assigned"),
    Action.REJECT: Transition(TRIAGE, S.REJECTED, IOC, Party.ANY, "report.rejected"),
    # Auto-dispatched reports arrive assigned: until an agency accepts one, nobody has begun
    # work on it, so the IOC can still merge it (the reports of a surge, typically).
    Action.MARK_DUPLICATE: Transition(
        TRIAGE | {S.ASSIGNED}, S.DUPLICATE, IOC, Party.ANY, "report.merged"
    ),
    Action.ACCEPT: Transition(
        frozenset({S.ASSIGNED}), S.IN_PROGRESS, AGENCY, Party.LEAD, "report.accepted"
    ),
    Action.NOTE: Transition(HANDLING, None, AGENCY, Party.LEAD_OR_SUPPORT, "report.noted"),
    Action.RETURN: Transition(HANDLING, S.RETURNED, AGENCY, Party.LEAD, "report.returned"),
    Action.REQUEST_EXTENSION: Transition(
        frozenset({S.IN_PROGRESS}), None, AGENCY, Party.LEAD, "report.extension_requested"
    ),
    # The shipped policy's approvers; a province's policy names its own (roles_for).
    Action.APPROVE_EXTENSION: Transition(
        HANDLING, None, IOC_SUPERVISORS, Party.ANY, "report.extension_granted"
    ),
    Action.DENY_EXTENSION: Transition(
        HANDLING, None, IOC_SUPERVISORS, Party.ANY, "report.extension_denied"
    ),
    Action.CONTRIBUTE: Transition(
        frozenset({S.IN_PROGRESS}), None, AGENCY, Party.SUPPORT, "report.contributed"
    ),
    Action.RESOLVE: Transition(
        frozenset({S.IN_PROGRESS}), S.RESOLVED, AGENCY, Party.LEAD, "report.resolved"
    ),
    Action.ASK_CITIZEN: Transition(
        TRIAGE | HANDLING, None, IOC | AGENCY, Party.LEAD, "report.info_requested"
    ),
    Action.REOPEN: Transition(
        frozenset({S.RESOLVED}), S.ASSIGNED, IOC, Party.ANY, "report.reopened"
    ),
    Action.DECLINE_REOPEN: Transition(
        frozenset({S.RESOLVED}), S.CLOSED, IOC, Party.ANY, "report.reopen_declined"
    ),
    Action.CLOSE: Transition(frozenset({S.RESOLVED}), S.CLOSED, IOC, Party.ANY, "report.closed"),
}


def can_see(actor: User, report: Report) -> bool:
    """IOC roles and viewers see every report; agency staff only their agency's."""
    if Role(actor.role).needs_agency:
        return actor.agency_id is not None and actor.agency_id in _agency_ids(report)
    return actor.role != Role.CITIZEN


def allowed_actions(actor: User, report: Report, policy: SlaPolicy) -> list[Action]:
    """What ``actor`` may do to ``report`` now, in table order."""
    return [action for action in TRANSITIONS if _permits(actor, report, action, policy)]


def check(actor: User, report: Report, action: Action, policy: SlaPolicy | None = None) -> None:
    """Raise what :func:`perform` would raise for ``action`` now, recording nothing.

    Use cases with checks of their own (a waiting request, a rating, photos…) call this first,
    so a role that may never act gets 403 and a wrong state 409 with the allowed actions.
    ``policy`` narrows the roles of the actions the province decides on (extensions).

    Raises:
        NotFound, Forbidden, Conflict: as :func:`perform`.
    """
    if not can_see(actor, report):
        raise NotFound("report not found")
    roles = roles_for(action, policy)
    if actor.role not in roles:
        raise Forbidden(
            "your role cannot do this",
            details={"action": action.value, "roles": sorted(role.value for role in roles)},
        )
    transition = TRANSITIONS[action]
    if report.status not in transition.sources or not _is_party(actor, report, transition):
        allowed = [a.value for a in TRANSITIONS if _permits(actor, report, a, policy)]
        raise Conflict(
            "this action is not allowed now",
            details={"action": action.value, "status": report.status, "allowed": allowed},
        )


def roles_for(action: Action, policy: SlaPolicy | None) -> frozenset[Role]:
    """The roles that may take ``action`` under ``policy`` (the table's without one)."""
    if policy is not None and action.value in _POLICY_ROLES:
        return policy.extension_approvers
    return TRANSITIONS[action].roles


def perform(
    session: Session,
    report: Report,
    actor: User,
    action: Action,
    *,
    note: str | None = None,
    is_public: bool = True,
    policy: SlaPolicy | None = None,
    **event_extra: object,
) -> ReportHistory:
    """Check that ``actor`` may take ``action`` now, then record it (history + event).

    The caller applies the action's own changes (agency, deadline, answer…) before or after;
    the status change, the history row, the audit entry and the outbox event happen here.

    Raises:
        NotFound: an agency user acting on a report that is not theirs (the same answer as a
            ref that does not exist, so refs of other agencies do not leak).
        Forbidden: the role may never take this action.
        Conflict: the action is not allowed in the report's current state; ``details`` lists
            the actions that are.
    """
    transition = TRANSITIONS[action]
    check(actor, report, action, policy)
    before = report.status
    if transition.target is not None:
        report.status = transition.target
    entry = ReportHistory(
        occurred_at=utcnow(),
        actor_id=actor.id,
        action=action.value,
        from_status=before,
        to_status=report.status,
        note=note,
        is_public=is_public,
    )
    report.history.append(entry)
    # Every action rewrites the report row, so its version check (optimistic locking) also
    # stops two people acting at once where the action changes no column (deny, note…).
    report.updated_at = utcnow()
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action=action.value,
            target_type="report",
            target_ref=report.ref,
            before={"status": before},
            after=_audit_state(report, note),
        )
    )
    session.flush()
    announce(session, report, transition.event, **event_extra)
    return entry


def _audit_state(report: Report, note: str | None) -> dict[str, object]:
    return {
        "status": report.status,
        "lead_agency": report.lead_agency.code if report.lead_agency else None,
        "supporting_agencies": [a.code for a in report.supporting_agencies],
        "category": report.category.code,
        "sla_tier": report.sla_tier,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "note": note,
    }


def _permits(actor: User, report: Report, action: Action, policy: SlaPolicy | None) -> bool:
    transition = TRANSITIONS[action]
    return (
        can_see(actor, report)
        and actor.role in roles_for(action, policy)
        and report.status in transition.sources
        and _is_party(actor, report, transition)
    )


def _is_party(actor: User, report: Report, transition: Transition) -> bool:
    if transition.party is Party.ANY or not Role(actor.role).needs_agency:
        return True
    lead = report.lead_agency_id is not None and actor.agency_id == report.lead_agency_id
    support = actor.agency_id in {a.id for a in report.supporting_agencies}
    return {
        Party.LEAD: lead,
        Party.SUPPORT: support,
        Party.LEAD_OR_SUPPORT: lead or support,
    }[transition.party]


def _agency_ids(report: Report) -> set[int]:
    ids = {a.id for a in report.supporting_agencies}
    if report.lead_agency_id is not None:
        ids.add(report.lead_agency_id)
    return ids
