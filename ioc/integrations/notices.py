"""The push notifications citizens get about a report, in their language.

Only the changes a citizen waits for are announced: forwarded to an agency, a question from
staff (the report's clock waits for the answer), resolved (with the answer), rejected (with the
reason), reopened, deadline extended, closed. Every text is public
information about the report (the answer and the reason are published anyway), so followers
may see the same message as the reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.events.models import Event
from ioc.feedback.models import Agency
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import ReportStatus
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translate

#: Long answers are cut: a notification shows two lines, the app shows the rest.
MAX_TEXT_CHARS = 240

TITLE = "Report {ref}"
BODIES = {
    "report.assigned": "Forwarded to {agency} for handling.",
    "report.resolved": "Resolved: {answer}",
    "report.rejected": "Not accepted: {reason}",
    "report.reopened": "Reopened: the handling continues with a new deadline.",
    "report.extension_granted": "The deadline has been extended to {until}.",
    "report.info_requested": "A question about your report: {question}",
    "report.closed": "Closed. Thank you for your report.",
    "report.reopen_declined": "Closed: the result stands after review.",
}
#: The history action whose public note a message quotes, and the value it fills.
_QUOTED_ACTION = {
    "report.resolved": ("resolve", "answer"),
    "report.rejected": ("reject", "reason"),
    "report.info_requested": ("ask_citizen", "question"),
}


@dataclass(frozen=True)
class Notice:
    """What to tell the followers of a report about one event, before choosing a language."""

    event_type: str
    ref: str
    values: dict[str, Any]

    def render(self, language: str) -> tuple[str, str]:
        """Title and body in ``language`` (Vietnamese when the language is not supported)."""
        language = language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
        values = {
            key: value[language] if isinstance(value, dict) else value
            for key, value in self.values.items()
        }
        title = translate(TITLE, language).format(ref=self.ref)
        body = translate(BODIES[self.event_type], language).format(**values)
        return title, body


def notice_for(session: Session, event: Event, report: Report, tz: ZoneInfo) -> Notice | None:
    """The notice ``event`` deserves, or None when citizens are not told about it."""
    event_type = event.type
    # A report routed straight to an agency on submission was "forwarded" at once.
    if event_type == "report.created" and event.payload.get("status") == ReportStatus.ASSIGNED:
        event_type = "report.assigned"
    if event_type not in BODIES:
        return None
    values: dict[str, Any] = {}
    if event_type == "report.assigned":
        values["agency"] = _agency_names(session, event.payload.get("agency"))
    elif event_type in _QUOTED_ACTION:
        action, key = _QUOTED_ACTION[event_type]
        note = _public_note(session, report, action, event.occurred_at)
        fallback = report.result_text if key == "answer" else None
        values[key] = _shorten(note or fallback or "")
    elif event_type == "report.extension_granted":
        until = datetime.fromisoformat(str(event.payload.get("until")))
        values["until"] = until.astimezone(tz).strftime("%H:%M %d/%m/%Y")
    return Notice(event_type=event_type, ref=report.ref, values=values)


def report_link(site_url: str, ref: str) -> str:
    """The address that opens ``ref`` on the citizen page (the notification's tap target)."""
    return f"{site_url.rstrip('/')}/report?ref={ref}"


#: session.info key: agency names already looked up in the session (a fan-out batch names
#: the same few agencies in most of its events).
_AGENCY_NAMES = "ioc_agency_names"


def _agency_names(session: Session, code: object) -> dict[str, str]:
    known: dict[object, dict[str, str] | None] = session.info.setdefault(_AGENCY_NAMES, {})
    if code not in known:
        agency = session.scalar(select(Agency).where(Agency.code == code)) if code else None
        known[code] = (
            None
            if agency is None
            else {"vi": agency.name_vi, "en": agency.name_en or agency.name_vi}
        )
    return known[code] or {"vi": "cơ quan chức năng", "en": "the responsible agency"}


def _public_note(session: Session, report: Report, action: str, until: datetime) -> str | None:
    # The history row of this very change: the latest of its kind up to the event, so a later
    # reopen-and-resolve does not put the newer answer in an older message.
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


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"
