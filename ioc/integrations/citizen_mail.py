"""E-mails back to citizens who reported by e-mail: the reference when their report is filed,
the staff's question when the report waits on them, and the answer (or the reason) when it is
resolved or rejected, in the citizen's language, on the channel they used.

Written by the fan-out in the transaction that marks the event dispatched, sent by the worker
with the other deliveries (retries, dead letters); nothing is written while no mail server is
configured.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.events.models import Event
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import Channel
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translate
from ioc.integrations.models import Delivery, DeliveryChannel
from ioc.integrations.notices import TITLE, notice_for

RECEIVED = (
    "We have received your report. Its reference is {ref}: quote it in any message about it."
    " The operations centre will tell you here when it is handled."
)
QUESTION = (
    "The staff handling report {ref} need more information from you:\n\n{question}\n\n"
    "The deadline waits for your answer. Please reply to this e-mail, quoting {ref}."
)
SIGNATURE = "Operations centre (IOC)"
#: Events whose citizen notice (:mod:`ioc.integrations.notices`) also goes by e-mail.
_NOTICE_EVENTS = frozenset(
    {"report.resolved", "report.rejected", "report.reopened", "report.extension_granted"}
)


def citizen_mail_deliveries(
    session: Session, event: Event, report: Report | None, *, tz: ZoneInfo, now: datetime
) -> list[Delivery]:
    """The e-mail ``event`` owes the reporter of an e-mailed report (none for other reports)."""
    if report is None or report.channel != Channel.EMAIL or report.reporter is None:
        return []
    address = report.reporter.email
    if not address:
        return []
    language = report.reporter.locale
    language = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    subject = translate(TITLE, language).format(ref=report.ref)
    if event.type == "report.created":
        body = translate(RECEIVED, language).format(ref=report.ref)
    elif event.type == "report.info_requested":
        question = _question(session, report, event.occurred_at)
        body = translate(QUESTION, language).format(ref=report.ref, question=question)
    elif event.type in _NOTICE_EVENTS:
        notice = notice_for(session, event, report, tz)
        if notice is None:
            return []
        subject, body = notice.render(language)
    else:
        return []
    return [
        Delivery(
            event_seq=event.seq,
            channel=DeliveryChannel.EMAIL,
            payload={
                "to": address,
                "subject": subject,
                "body": f"{body}\n\n-- \n{translate(SIGNATURE, language)}\n",
                "citizen": report.reporter.id,
            },
            next_attempt_at=now,
            created_at=now,
        )
    ]


def _question(session: Session, report: Report, until: datetime) -> str:
    return (
        session.scalar(
            select(ReportHistory.note)
            .where(
                ReportHistory.report_id == report.id,
                ReportHistory.action == "ask_citizen",
                ReportHistory.occurred_at <= until,
            )
            .order_by(ReportHistory.occurred_at.desc(), ReportHistory.id.desc())
            .limit(1)
        )
        or ""
    )
