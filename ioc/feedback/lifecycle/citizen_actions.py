"""What a citizen can do to a report after filing it, and their push devices."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Conflict, Forbidden, NotFound
from ioc.feedback.announce import announce
from ioc.feedback.citizen_models import Device, ReportFollower
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.sla.pauses import resume_clock
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import ReportStatus


class Rating(StrEnum):
    SATISFIED = "satisfied"
    ACCEPTABLE = "acceptable"
    UNSATISFIED = "unsatisfied"


def add_comment(
    session: Session,
    *,
    report: Report,
    citizen_id: int,
    text: str,
    policy: SlaPolicy,
) -> ReportHistory:
    """The reporter adds information; staff see it, the public timeline does not. If staff
    were waiting for it, the deadline clock goes on.

    Raises:
        Forbidden: the citizen is not the reporter.
    """
    _require_reporter(report, citizen_id)
    resume_clock(report, policy, at=utcnow())
    entry = ReportHistory(
        report_id=report.id,
        actor_id=citizen_id,
        action="citizen_comment",
        note=text,
        is_public=False,
    )
    session.add(entry)
    announce(session, report, "report.commented")
    return entry


def rate_report(
    session: Session, *, report: Report, citizen_id: int, rating: Rating, comment: str | None
) -> Report:
    """The reporter rates the result (đánh giá).

    Satisfied or acceptable closes the report; unsatisfied keeps it resolved and asks the IOC
    to reopen it.

    Raises:
        Forbidden: not the reporter. Conflict: not resolved yet, or already rated.
    """
    _require_reporter(report, citizen_id)
    if report.rating is not None:
        raise Conflict("the report has already been rated")
    if report.status != ReportStatus.RESOLVED:
        raise Conflict("the report is not resolved yet", details={"status": report.status})
    now = utcnow()
    report.rating, report.rating_comment, report.rated_at = rating, comment, now
    closes = rating is not Rating.UNSATISFIED
    if closes:
        report.status, report.closed_at = ReportStatus.CLOSED, now
    report.history.append(
        ReportHistory(
            occurred_at=now,
            actor_id=citizen_id,
            action="rated" if closes else "reopen_requested",
            from_status=ReportStatus.RESOLVED,
            to_status=report.status,
            note=comment,
            is_public=True,
        )
    )
    session.flush()
    announce(session, report, "report.rated", rating=rating.value, reopen_requested=not closes)
    return report


def support_report(session: Session, *, report: Report, citizen_id: int) -> Report:
    """ "Me too": the citizen follows the report and it counts one more supporter.

    Supporting twice changes nothing.

    Raises:
        Conflict: the report is closed or the citizen filed it.
    """
    if report.reporter_id == citizen_id:
        raise Conflict("you cannot support your own report")
    if not ReportStatus(report.status).is_open:
        raise Conflict("the report is no longer open", details={"status": report.status})
    follower = session.get(ReportFollower, (report.id, citizen_id))
    if follower is not None and follower.is_supporter:
        return report
    if follower is None:
        session.add(ReportFollower(report_id=report.id, user_id=citizen_id, is_supporter=True))
    else:
        follower.is_supporter = True
    report.support_count += 1
    session.flush()
    announce(session, report, "report.supported")
    return report


def register_device(
    session: Session, *, user_id: int, token: str, platform: str | None, locale: str
) -> Device:
    """Remember an FCM token for the citizen; a token seen before moves to this citizen."""
    device = session.scalar(select(Device).where(Device.token == token))
    if device is None:
        device = Device(token=token)
        session.add(device)
    device.user_id, device.platform, device.locale = user_id, platform, locale
    device.last_seen_at = utcnow()
    session.flush()
    return device


def remove_device(session: Session, *, user_id: int, token: str) -> None:
    """Raises: NotFound when the citizen has no such device."""
    device = session.scalar(select(Device).where(Device.token == token, Device.user_id == user_id))
    if device is None:
        raise NotFound("device not found")
    session.delete(device)


def _require_reporter(report: Report, citizen_id: int) -> None:
    if report.reporter_id != citizen_id:
        raise Forbidden("only the reporter can do this")
