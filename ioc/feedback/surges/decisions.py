"""What the operators do with a surge: group its reports into one incident, or dismiss it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, InvalidInput, NotFound
from ioc.feedback.lifecycle.triage import mark_duplicate
from ioc.feedback.lifecycle.workflow import TRANSITIONS, Action
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.report_models import Report, Surge
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import DISMISSED_STATES
from ioc.feedback.states import IOC_STAFF as IOC
from ioc.feedback.surges.detection import SurgeStatus, announce_surge, surge_reports

MAX_PAGE = 200


@dataclass(frozen=True)
class Grouping:
    """The outcome of grouping: the incident kept, the reports merged into it, and those left
    alone because an agency already handles them or they were closed meanwhile."""

    surge: Surge
    primary: Report
    merged: list[Report]
    left: list[Report]


def list_surges(session: Session, *, status: str | None = None, limit: int = 50) -> list[Surge]:
    """Surges, newest first, optionally of one status."""
    query = select(Surge)
    if status is not None:
        query = query.where(Surge.status == status)
    return list(
        session.scalars(query.order_by(Surge.detected_at.desc(), Surge.id.desc()).limit(limit))
    )


def get_surge(session: Session, surge_id: int) -> Surge:
    """Raises: NotFound: no such surge."""
    surge = session.get(Surge, surge_id)
    if surge is None:
        raise NotFound("surge not found")
    return surge


def group_surge(
    session: Session,
    *,
    policy: SlaPolicy,
    surge: Surge,
    actor: User,
    primary_ref: str | None = None,
) -> Grouping:
    """Keep one report as the incident and merge the others into it as duplicates.

    The primary is ``primary_ref`` or else the earliest report still counted. Reports an
    agency has already accepted (or that are closed) cannot be merged and are left as they
    are. Everything happens in the caller's transaction: all merges or none.

    Raises:
        Forbidden: not an IOC role. Conflict: the surge was already decided.
        InvalidInput: ``primary_ref`` is not a report of this surge that can lead it.
    """
    _check_decidable(surge, actor)
    reports = surge_reports(session, surge)
    candidates = [r for r in reports if r.status not in DISMISSED_STATES]
    if primary_ref is None:
        primary = candidates[0] if candidates else None
    else:
        primary = next((r for r in candidates if r.ref == primary_ref), None)
    if primary is None:
        raise InvalidInput(
            "no report of this surge can lead the incident",
            details={"fields": {"primary_ref": primary_ref or "none left"}},
        )
    merged, left = [], []
    for report in candidates:
        if report is primary:
            continue
        if report.status in TRANSITIONS[Action.MARK_DUPLICATE].sources:
            mark_duplicate(session, policy=policy, report=report, actor=actor, of_ref=primary.ref)
            merged.append(report)
        else:
            left.append(report)
    surge.incident_report_id = primary.id
    _decide(session, surge, actor, SurgeStatus.GROUPED, action="group_surge", primary=primary.ref)
    return Grouping(surge=surge, primary=primary, merged=merged, left=left)


def dismiss_surge(session: Session, *, surge: Surge, actor: User) -> Surge:
    """Not one incident after all: the alert closes and its reports stay as they are.

    Raises:
        Forbidden: not an IOC role. Conflict: the surge was already decided.
    """
    _check_decidable(surge, actor)
    _decide(session, surge, actor, SurgeStatus.DISMISSED, action="dismiss_surge")
    return surge


def _check_decidable(surge: Surge, actor: User) -> None:
    if actor.role not in IOC:
        raise Forbidden("your role cannot do this")
    if surge.status != SurgeStatus.OPEN:
        raise Conflict("this surge was already decided", details={"status": surge.status})


def _decide(
    session: Session,
    surge: Surge,
    actor: User,
    status: str,
    *,
    action: str,
    primary: str | None = None,
) -> None:
    surge.status = status
    surge.decided_by_id, surge.decided_at = actor.id, utcnow()
    after: dict[str, object] = {"status": status}
    if primary is not None:
        after["primary"] = primary
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        target_type="surge",
        target_ref=str(surge.id),
        before={"status": SurgeStatus.OPEN, "report_ids": list(surge.report_ids)},
        after=after,
    )
    session.flush()
    announce_surge(session, surge, f"surge.{status}")
