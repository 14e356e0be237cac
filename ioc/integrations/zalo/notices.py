"""The messages a Zalo user gets about their reports, and the deliveries that carry them.

The reporter hears, on Zalo, that the report was received (with its ref), forwarded to an
agency, that staff ask a question, the answer when it is resolved, a rejection's reason, a
reopening, a new deadline and the closing. Followers who use the app get pushes as before;
Zalo reaches the reporter only. Conversation replies (``zalo.reply`` events) go out the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.events.models import Event
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import ReportStatus
from ioc.integrations.models import Delivery, DeliveryChannel
from ioc.integrations.notices import notice_for
from ioc.integrations.zalo import texts
from ioc.integrations.zalo.conversation import REPLY_EVENT
from ioc.integrations.zalo.models import ZaloContact

#: Events of the channel itself: never offered to webhook subscribers or screens.
INTERNAL_PREFIX = "zalo."


def zalo_deliveries(
    session: Session,
    event: Event,
    report: Report | None,
    tz: ZoneInfo,
    now: datetime,
    *,
    contacts: Mapping[int, str],
) -> list[Delivery]:
    """The Zalo message ``event`` owes a Zalo user, if any (none for other events);
    ``contacts`` are the Zalo users who follow the OA, by citizen (:func:`zalo_contacts_of`
    the batch's reporters)."""
    if event.type == REPLY_EVENT:
        return [_delivery(event, str(event.payload["zalo_user_id"]), event.payload["text"], now)]
    if report is None or report.reporter_id is None:
        return []
    zalo_user_id = contacts.get(report.reporter_id)
    if zalo_user_id is None:
        return []
    text = message_for(session, event, report, tz)
    return [] if text is None else [_delivery(event, zalo_user_id, text, now)]


def zalo_contacts_of(session: Session, reporter_ids: Iterable[int | None]) -> dict[int, str]:
    """The Zalo user id of each of ``reporter_ids`` (None: an anonymous report) who follows
    the OA, by citizen (one query for a whole fan-out batch)."""
    reporters = {reporter_id for reporter_id in reporter_ids if reporter_id is not None}
    if not reporters:
        return {}
    found = session.execute(
        select(ZaloContact.user_id, ZaloContact.zalo_user_id).where(
            ZaloContact.user_id.in_(reporters), ZaloContact.is_following.is_(True)
        )
    )
    return {user_id: zalo_user_id for user_id, zalo_user_id in found}


def message_for(session: Session, event: Event, report: Report, tz: ZoneInfo) -> str | None:
    """The Vietnamese message about ``event`` for the reporter, or None."""
    if event.type == "report.created":
        text = texts.RECEIVED.format(ref=report.ref)
        if event.payload.get("status") == ReportStatus.ASSIGNED:
            forwarded = notice_for(session, event, report, tz)
            if forwarded is not None:
                text += " " + forwarded.render("vi")[1]
        return text
    if event.type == "report.info_requested":
        question = _public_note(session, report, "ask_citizen", event.occurred_at)
        return texts.QUESTION.format(ref=report.ref, question=question or "")
    if event.type == "report.closed":
        return texts.CLOSED.format(ref=report.ref)
    notice = notice_for(session, event, report, tz)
    if notice is None:
        return None
    return texts.WITH_REF.format(ref=report.ref, body=notice.render("vi")[1])


def _public_note(session: Session, report: Report, action: str, until: datetime) -> str | None:
    return session.scalar(
        select(ReportHistory.note)
        .where(
            ReportHistory.report_id == report.id,
            ReportHistory.action == action,
            ReportHistory.is_public.is_(True),
            ReportHistory.occurred_at <= until,
        )
        .order_by(ReportHistory.occurred_at.desc(), ReportHistory.id.desc())
        .limit(1)
    )


def _delivery(event: Event, zalo_user_id: str, text: str, now: datetime) -> Delivery:
    return Delivery(
        event_seq=event.seq,
        channel=DeliveryChannel.ZALO,
        payload={"zalo_user_id": zalo_user_id, "text": text},
        next_attempt_at=now,
        created_at=now,
    )
