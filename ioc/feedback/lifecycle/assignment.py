"""Who handles a report inside its lead agency (phân công): the manager gives it to any of
the agency's staff or takes it back; an officer may take an unassigned report for themself
but never give one to someone else. Every change is audited (before/after), kept in the
report's internal history and announced to the agency.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, Forbidden, InvalidInput, NotFound
from ioc.feedback.lifecycle.drafts import find_pending_draft, record_team_action
from ioc.feedback.lifecycle.workflow import can_see
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.report_models import Report
from ioc.feedback.states import AGENCY_MANAGERS, AGENCY_STAFF, HANDLING_STATES, Role


def assign_to_officer(
    session: Session, *, report: Report, actor: User, username: str | None
) -> None:
    """Give ``report`` to the agency's staff member ``username`` (``None`` unassigns it).

    Raises:
        NotFound: another agency's report.
        Forbidden: a supporting agency, an officer giving the report to someone else or
            unassigning it, or an officer taking a report someone already has.
        Conflict: the report is not being handled by the agency.
        InvalidInput: ``username`` is not active staff of the lead agency.
    """
    if not can_see(actor, report):
        raise NotFound("report not found")
    if actor.agency_id is None or actor.agency_id != report.lead_agency_id:
        raise Forbidden("only the lead agency assigns its reports", details={"party": "lead"})
    if report.status not in HANDLING_STATES:
        raise Conflict(
            "only a report the agency is handling can be assigned",
            details={"status": report.status},
        )
    is_manager = Role(actor.role) in AGENCY_MANAGERS
    target = None if username is None else _staff_member(session, report, username)
    if not is_manager:
        taking = target is not None and target.id == actor.id
        if not taking or report.assignee_id not in (None, actor.id):
            raise Forbidden(
                "an officer may only take an unassigned report for themself",
                details={"roles": sorted(r.value for r in AGENCY_MANAGERS)},
            )
    before = report.assignee.username if report.assignee else None
    after = target.username if target else None
    if before == after:
        return
    report.assignee = target
    audit.record(
        session,
        actor_id=actor.id,
        action="assign_officer",
        target_type="report",
        target_ref=report.ref,
        before={"assignee": before},
        after={"assignee": after},
    )
    record_team_action(
        session,
        report,
        actor,
        "assign_officer",
        "report.assignee_changed",
        note=after,
        assignee=after,
        previous_assignee=before,
    )


def team_actions(session: Session, actor: User, report: Report) -> list[str]:
    """The team steps ``actor`` may take on ``report`` now, for the console's buttons."""
    if (
        actor.agency_id is None
        or actor.agency_id != report.lead_agency_id
        or report.status not in HANDLING_STATES
    ):
        return []
    if Role(actor.role) not in AGENCY_MANAGERS:
        return ["assign_officer"] if report.assignee_id is None else []
    actions = ["assign_officer"]
    if find_pending_draft(session, report) is not None:
        actions += ["approve_draft", "send_back_draft"]
    return actions


def _staff_member(session: Session, report: Report, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if (
        user is None
        or not user.is_active
        or user.agency_id != report.lead_agency_id
        or Role(user.role) not in AGENCY_STAFF
    ):
        raise InvalidInput(
            "not a member of the agency's staff",
            details={"fields": {"username": "an active officer or manager of the agency"}},
        )
    return user
