"""What agency and IOC staff are told about their work, by push and e-mail, in their language.

Five events reach a person rather than a screen: a report assigned to an officer (the new
assignee), a draft waiting for a manager's approval (the agency's managers), a supporting
agency's part gone overdue, and a report's deadline near (``report.deadline_due``) or passed
(``report.overdue``, the escalation) — those three to the lead agency's managers and the IOC's
supervisors (only the supervisors while no agency has the report). The SLA sweep announces each
deadline once, so each escalation reaches each person once, however often it runs. Each becomes
one push delivery per device of each recipient and, when e-mail is configured, one e-mail to
each recipient with an address; the worker sends them with the other deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.events.models import Event
from ioc.feedback.citizen_models import Device
from ioc.feedback.models import Agency, User
from ioc.feedback.states import AGENCY_STAFF, Role
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translate
from ioc.integrations.models import Delivery, DeliveryChannel

ASSIGNEE_CHANGED = "report.assignee_changed"
DRAFT_SUBMITTED = "report.draft_submitted"
SUPPORT_OVERDUE = "report.support_overdue"
DEADLINE_DUE = "report.deadline_due"
OVERDUE = "report.overdue"
#: The escalations: the lead agency's managers and the IOC's supervisors hear of them.
_ESCALATIONS = frozenset({SUPPORT_OVERDUE, DEADLINE_DUE, OVERDUE})

TITLE = "Report {ref}"
BODIES = {
    ASSIGNEE_CHANGED: "{by} assigned this report to you.",
    DRAFT_SUBMITTED: "{author} asks for your approval: {draft}.",
    SUPPORT_OVERDUE: "The part of the supporting agency {agency} is overdue (due {due}).",
    DEADLINE_DUE: "The {clock} deadline is near: due {due}.",
    OVERDUE: "The {clock} deadline has passed (due {due}): escalated to the IOC supervisors.",
}
SUBJECTS = {
    ASSIGNEE_CHANGED: "New assignment",
    DRAFT_SUBMITTED: "Draft awaiting your approval",
    SUPPORT_OVERDUE: "Supporting part overdue",
    DEADLINE_DUE: "Deadline near",
    OVERDUE: "Overdue, escalated",
}
#: The clock a deadline notice is about, by the clock kind in the event.
CLOCKS = {"receipt": "receipt", "handling": "handling"}
UNKNOWN_DUE = "–"
#: What a draft asks the manager to let go out, by the draft's kind.
DRAFTS = {
    "resolution": "the answer to the citizen",
    "extension": "a request to extend the deadline",
    "return": "returning the report to the IOC",
}
DRAFT = "a draft"
GREETING = "Dear {name},"
OPEN_LINK = "Open the report: {link}"
SIGNATURE = "IOC - Smart city operations centre"


@dataclass(frozen=True)
class StaffChannels:
    """How staff are reached: push always; e-mail when a mail server is configured, with
    links to the consoles at ``site_url``."""

    email: bool = False
    site_url: str = "http://localhost:5000"


#: Staff notices by push only: the default until a mail server is configured.
PUSH_ONLY = StaffChannels()


@dataclass(frozen=True)
class StaffNotice:
    """What one event tells staff about a report, before choosing a language."""

    event_type: str
    ref: str
    values: dict[str, Any]

    def render(self, language: str) -> tuple[str, str]:
        """Title and body in ``language`` (Vietnamese when the language is not supported)."""
        language = _supported(language)
        values = {
            key: value[language] if isinstance(value, dict) else value
            for key, value in self.values.items()
        }
        title = translate(TITLE, language).format(ref=self.ref)
        return title, translate(BODIES[self.event_type], language).format(**values)

    def mail(self, language: str, *, name: str, link: str) -> tuple[str, str]:
        """Subject and plain-text body of the e-mail in ``language``."""
        language = _supported(language)
        title, body = self.render(language)
        subject = f"{title}: {translate(SUBJECTS[self.event_type], language)}"
        text = "\n\n".join(
            [
                translate(GREETING, language).format(name=name),
                body,
                translate(OPEN_LINK, language).format(link=link),
                "-- \n" + translate(SIGNATURE, language),
            ]
        )
        return subject, text + "\n"


def staff_deliveries(
    session: Session, event: Event, *, channels: StaffChannels, tz: ZoneInfo, now: datetime
) -> list[Delivery]:
    """The push and e-mail deliveries ``event`` owes staff (none for other events)."""
    notice = staff_notice_for(session, event, tz)
    if notice is None:
        return []
    deliveries: list[Delivery] = []
    for user in recipients_of(session, event):
        title, body = notice.render(user.locale)
        link = f"{channels.site_url.rstrip('/')}{_console_of(user)}?ref={notice.ref}"
        for device in session.scalars(
            select(Device).where(Device.user_id == user.id).order_by(Device.id)
        ):
            deliveries.append(
                _delivery(
                    event,
                    DeliveryChannel.PUSH,
                    now,
                    device_id=device.id,
                    payload={
                        "title": title,
                        "body": body,
                        "collapse_key": notice.ref,
                        "recipient": user.username,
                        "link": link,
                        "data": {
                            "ref": notice.ref,
                            "seq": str(event.seq),
                            "event": event.type,
                            "link": link,
                        },
                    },
                )
            )
        if channels.email and user.email:
            subject, text = notice.mail(
                user.locale,
                name=user.display_name or user.username or "",
                link=link,
            )
            deliveries.append(
                _delivery(
                    event,
                    DeliveryChannel.EMAIL,
                    now,
                    payload={
                        "to": user.email,
                        "subject": subject,
                        "body": text,
                        "recipient": user.username,
                    },
                )
            )
    return deliveries


def staff_notice_for(session: Session, event: Event, tz: ZoneInfo) -> StaffNotice | None:
    """The notice ``event`` gives staff, or None when it is not one staff are told about."""
    payload = event.payload
    ref = str(payload.get("ref") or "")
    if event.type not in BODIES or not ref:
        return None
    values: dict[str, Any] = {}
    if event.type == ASSIGNEE_CHANGED:
        values["by"] = _name_of(session, payload.get("by"))
    elif event.type == DRAFT_SUBMITTED:
        values["author"] = _name_of(session, payload.get("author"))
        draft = DRAFTS.get(str(payload.get("kind")), DRAFT)
        values["draft"] = {language: translate(draft, language) for language in SUPPORTED_LANGUAGES}
    elif event.type in (DEADLINE_DUE, OVERDUE):
        clock = CLOCKS.get(str(payload.get("clock")), "handling")
        values["clock"] = {language: translate(clock, language) for language in SUPPORTED_LANGUAGES}
        values["due"] = _local(payload.get("deadline"), tz)
    else:
        # The sweep's event names it "supporting_agency"; older events "supporting_agency_code".
        code = payload.get("supporting_agency") or payload.get("supporting_agency_code")
        agency = _agency(session, code)
        values["agency"] = (
            {"vi": agency.name_vi, "en": agency.name_en or agency.name_vi}
            if agency is not None
            else str(code)
        )
        values["due"] = _local(payload.get("due_at"), tz)
    return StaffNotice(event_type=event.type, ref=ref, values=values)


def _local(moment: object, tz: ZoneInfo) -> str:
    if not moment:
        return UNKNOWN_DUE
    return datetime.fromisoformat(str(moment)).astimezone(tz).strftime("%H:%M %d/%m/%Y")


def recipients_of(session: Session, event: Event) -> list[User]:
    """Who hears about ``event``: active staff only, each once, in a stable order.

    Assigning a report to oneself ("I'll take it") tells nobody.
    """
    payload = event.payload
    query = select(User).where(User.is_active.is_(True)).order_by(User.id)
    if event.type == ASSIGNEE_CHANGED:
        assignee = payload.get("assignee")
        if not assignee or assignee == payload.get("by"):
            return []
        return list(session.scalars(query.where(User.username == assignee)))
    if event.type == DRAFT_SUBMITTED:
        return _managers_of(session, query, payload.get("agency_code"))
    if event.type in _ESCALATIONS:
        # The report's lead agency, as every report event carries it ("agency").
        lead = payload.get("agency") or payload.get("lead_agency_code")
        managers = _managers_of(session, query, lead)
        supervisors = list(session.scalars(query.where(User.role == Role.IOC_SUPERVISOR)))
        return list({user.id: user for user in [*managers, *supervisors]}.values())
    return []


def _managers_of(session: Session, query: Any, agency_code: object) -> list[User]:
    agency = _agency(session, agency_code)
    if agency is None:
        return []
    return list(
        session.scalars(query.where(User.agency_id == agency.id, User.role == Role.AGENCY_MANAGER))
    )


def _agency(session: Session, code: object) -> Agency | None:
    if not code:
        return None
    return session.scalar(select(Agency).where(Agency.code == str(code)))


def _name_of(session: Session, username: object) -> str:
    if not username:
        return "IOC"
    user = session.scalar(select(User).where(User.username == str(username)))
    return (user.display_name if user is not None else None) or str(username)


def _console_of(user: User) -> str:
    # Agency staff work in the agency console; the IOC's supervisors in the triage console.
    return "/agency" if user.role in AGENCY_STAFF else "/triage"


def _supported(language: str) -> str:
    return language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def _delivery(
    event: Event,
    channel: str,
    now: datetime,
    *,
    payload: dict[str, Any],
    device_id: int | None = None,
) -> Delivery:
    return Delivery(
        event_seq=event.seq,
        channel=channel,
        device_id=device_id,
        payload=payload,
        next_attempt_at=now,
        created_at=now,
    )
