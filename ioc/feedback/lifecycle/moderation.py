"""IOC work outside the transition table: moderating what the public sees, and filing a
report for a citizen who phoned, wrote on Zalo or emailed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from ioc.errors import Forbidden, InvalidInput
from ioc.feedback.announce import announce
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.people.callers import find_or_add_caller_id
from ioc.feedback.report_models import Report
from ioc.feedback.states import IOC_STAFF, Channel

STAFF_CHANNELS = frozenset({Channel.PHONE, Channel.ZALO, Channel.EMAIL})
_MODERATORS = IOC_STAFF


def moderate_report(
    session: Session,
    *,
    report: Report,
    actor: User,
    description: str | None = None,
    hide_photos: Sequence[str] = (),
) -> None:
    """Replace the public text (e.g. to remove a phone number or an insult) and hide photos.

    Raises:
        Forbidden: not an IOC role. InvalidInput: a photo key that is not this report's.
    """
    _require_moderator(actor)
    before: dict[str, Any] = {"description": report.description, "hidden_photos": []}
    after: dict[str, Any] = {"description": report.description, "hidden_photos": []}
    by_key = {a.storage_key: a for a in report.attachments}
    unknown = [key for key in hide_photos if key not in by_key]
    if unknown:
        raise InvalidInput(
            "not a photo of this report", details={"fields": {"hide_photos": unknown}}
        )
    for key in hide_photos:
        by_key[key].is_hidden = True
        after["hidden_photos"].append(key)
    if description is not None:
        report.description = description
        after["description"] = description
    audit.record(
        session,
        actor_id=actor.id,
        action="moderate",
        target_type="report",
        target_ref=report.ref,
        before=before,
        after=after,
    )
    session.flush()
    announce(session, report, "report.moderated")


def file_for_citizen(
    session: Session,
    intake: Intake,
    *,
    actor: User,
    channel: str,
    caller_name: str | None,
    caller_phone: str | None,
    caller_email: str | None,
    **report_fields: Any,
) -> Report:
    """File a report received by phone, Zalo or email, with the caller as the reporter.

    A caller who reported before under the same phone number is the same reporter.

    Raises:
        Forbidden: not an IOC role. InvalidInput: another channel, or anything
            :func:`submit_report` refuses.
    """
    _require_moderator(actor)
    if channel not in STAFF_CHANNELS:
        raise InvalidInput(
            "channel must be phone, zalo or email", details={"fields": {"channel": channel}}
        )
    caller_id = find_or_add_caller_id(
        session, name=caller_name, phone=caller_phone, email=caller_email
    )
    report = submit_report(
        session,
        intake,
        channel=channel,
        reporter_id=caller_id,
        **report_fields,
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="file_for_citizen",
        target_type="report",
        target_ref=report.ref,
        after={"channel": channel, "status": report.status},
    )
    return report


def _require_moderator(actor: User) -> None:
    if actor.role not in _MODERATORS:
        raise Forbidden("your role cannot do this")
