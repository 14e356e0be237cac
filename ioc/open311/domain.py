"""Open311 GeoReport v2 as seen from our domain: categories as services, reports as service
requests, in the spec's field names (the "Spark convention": the same dict renders as JSON or
XML). Nothing here knows about HTTP.

Only what the public may know leaves through Open311: no private categories, no reporter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput, NotFound
from ioc.feedback.models import Agency, Category, CategoryGroup
from ioc.feedback.report_models import Attachment, Report, ReportHistory
from ioc.feedback.sla.clock import ClockKind, deadline_for, kind_for
from ioc.feedback.states import DISMISSED_STATES, OPEN_STATES, ReportStatus

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The spec's default and largest window, and its cap on one answer.
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000

_STATUS_NOTES_EN = {
    ReportStatus.PENDING_REVIEW: "waiting for verification by the operations centre",
    ReportStatus.ASSIGNED: "assigned to the responsible agency",
    ReportStatus.IN_PROGRESS: "being handled",
    ReportStatus.RETURNED: "returned to the operations centre for reassignment",
}


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests, already parsed (dates tz-aware)."""

    service_request_ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    statuses: Sequence[str] = ()  # "open" / "closed"
    start: datetime | None = None
    end: datetime | None = None


def open311_status(status: str) -> str:
    """Open311 knows only open and closed: resolved, closed, rejected and merged reports are
    closed to the outside world."""
    return "open" if ReportStatus(status) in OPEN_STATES else "closed"


def timestamp(moment: datetime | None, timezone: ZoneInfo) -> str | None:
    """W3C date-time with the province's offset, e.g. ``2026-11-22T14:05:00+07:00``."""
    return moment.astimezone(timezone).isoformat(timespec="seconds") if moment else None


# ---- services ----


def list_services(session: Session, *, language: str) -> list[dict[str, Any]]:
    """Every active public category, in the catalogue's order."""
    rows = session.execute(
        select(Category, CategoryGroup)
        .join(CategoryGroup, CategoryGroup.id == Category.group_id)
        .where(Category.is_active.is_(True), Category.is_private.is_(False))
        .order_by(CategoryGroup.sort_order, Category.sort_order, Category.code)
    )
    return [_service(category, group, language) for category, group in rows]


def _service(category: Category, group: CategoryGroup, language: str) -> dict[str, Any]:
    name = _text(category.name_vi, category.name_en, language)
    group_name = _text(group.name_vi, group.name_en, language)
    return {
        "service_code": category.code,
        "service_name": name,
        "description": _text(category.description_vi, category.description_en, language),
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(k for k in (name, group_name, category.code) if k)),
        "group": group_name,
    }


def service_definition(session: Session, *, service_code: str, language: str) -> dict[str, Any]:
    """The category's attributes as the spec's service definition.

    Raises:
        NotFound: no active public category with that code.
    """
    category = find_public_category(session, service_code)
    if category is None:
        raise NotFound("service_code not found", details={"service_code": service_code})
    definitions = sorted(category.attributes, key=lambda d: (d.get("order") or 0, d["code"]))
    return {
        "service_code": category.code,
        "attributes": [
            _attribute(definition, position, language)
            for position, definition in enumerate(definitions, start=1)
        ],
    }


def _attribute(definition: dict[str, Any], position: int, language: str) -> dict[str, Any]:
    datatype = definition.get("datatype", "string")
    values = definition.get("values") or []
    return {
        "variable": bool(definition.get("variable", True)),
        "code": definition["code"],
        "datatype": datatype,
        "required": bool(definition.get("required")),
        "datatype_description": _DATATYPE_HINTS.get(datatype),
        # The spec wants distinct positive orders; ties in the catalogue keep code order.
        "order": position,
        "description": _text(
            definition.get("description"), definition.get("description_en"), language
        ),
        "values": [
            {"key": value["key"], "name": _text(value.get("name"), value.get("name_en"), language)}
            for value in values
        ],
    }


_DATATYPE_HINTS = {
    "number": "a number, e.g. 30",
    "datetime": "ISO 8601 with offset, e.g. 2026-11-22T14:05:00+07:00",
    "multivaluelist": "one or more keys: attribute[code][]=key1&attribute[code][]=key2",
}


def find_public_category(session: Session, code: str) -> Category | None:
    return session.scalar(
        select(Category).where(
            Category.code == code, Category.is_active.is_(True), Category.is_private.is_(False)
        )
    )


# ---- service requests ----


@dataclass(frozen=True)
class PublicRequest:
    """What a service request shows of a report: its own columns, its category's and lead
    agency's names, its first public photo and, once dismissed, the public note why."""

    ref: str
    status: str
    category_code: str
    category_name_vi: str
    category_name_en: str | None
    agency_name_vi: str | None
    agency_name_en: str | None
    description: str | None
    address: str | None
    lat: float
    lon: float
    received_at: datetime
    updated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    result_text: str | None
    paused_at: datetime | None
    receipt_due_at: datetime | None
    due_at: datetime | None
    #: The storage key of the first photo the public may see (citizens' before agencies').
    photo_key: str | None = None
    #: The public note of its rejection or merge (a dismissed report's status note).
    dismissal_note: str | None = None

    @classmethod
    def of(cls, report: Report) -> PublicRequest:
        """A report just filed, as its answer shows it (no photo or note to show yet)."""
        agency = report.lead_agency
        return cls(
            **{name: getattr(report, name) for name in _REPORT_COLUMNS},
            category_code=report.category.code,
            category_name_vi=report.category.name_vi,
            category_name_en=report.category.name_en,
            agency_name_vi=agency.name_vi if agency else None,
            agency_name_en=agency.name_en if agency else None,
        )

    @property
    def clock(self) -> ClockKind:
        return kind_for(self.status, is_paused=self.paused_at is not None)


#: The report columns a service request shows, by name.
_REPORT_COLUMNS = (
    "ref",
    "status",
    "description",
    "address",
    "lat",
    "lon",
    "received_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "result_text",
    "paused_at",
    "receipt_due_at",
    "due_at",
)


def get_request(session: Session, *, service_request_id: str) -> PublicRequest:
    """Raises: NotFound: no such ref, or a report of a private category (same answer)."""
    row = session.execute(_public_reports().where(Report.ref == service_request_id)).first()
    if row is None:
        raise NotFound("service_request_id not found", details={"id": service_request_id})
    return _shown(session, [row])[0]


def list_requests(
    session: Session, query: RequestQuery, *, now: datetime | None = None
) -> list[PublicRequest]:
    """Public reports matching the filters, newest first, at most :data:`MAX_RESULTS`.

    Named ``service_request_ids`` override every other filter, as the spec says.

    Raises:
        InvalidInput: an unknown status, an end before the start, or more than 90 days.
    """
    statement = _public_reports()
    if query.service_request_ids:
        statement = statement.where(Report.ref.in_(list(query.service_request_ids)))
    else:
        start, end = request_window(query.start, query.end, now=now or utcnow())
        statement = statement.where(Report.received_at >= start, Report.received_at <= end)
        if query.service_codes:
            statement = statement.where(Category.code.in_(list(query.service_codes)))
        wanted = set(query.statuses)
        if wanted - {"open", "closed"}:
            raise InvalidInput(
                "status must be open or closed",
                details={"fields": {"status": "must be open or closed"}},
            )
        if wanted == {"open"}:
            statement = statement.where(Report.status.in_([s.value for s in OPEN_STATES]))
        elif wanted == {"closed"}:
            statement = statement.where(Report.status.not_in([s.value for s in OPEN_STATES]))
    statement = statement.order_by(Report.received_at.desc(), Report.id.desc()).limit(MAX_RESULTS)
    return _shown(session, list(session.execute(statement)))


def request_window(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The span asked for, defaulting to the most recent 90 days.

    Raises:
        InvalidInput: end before start, or a span over 90 days.
    """
    try:
        if end is None:
            # A start in the future asks for nothing yet: an empty answer, not an error.
            end = min(start + MAX_SPAN, max(now, start)) if start is not None else now
        if start is None:
            start = end - MAX_SPAN
    except OverflowError:
        raise InvalidInput(
            "dates out of range",
            details={"fields": {"start_date" if end is None else "end_date": "out of range"}},
        ) from None
    if end < start:
        raise InvalidInput(
            "end_date is before start_date",
            details={"fields": {"end_date": "is before start_date"}},
        )
    if end - start > MAX_SPAN:
        raise InvalidInput(
            "start_date and end_date may not span more than 90 days",
            details={"fields": {"start_date": "more than 90 days before end_date"}},
        )
    return start, end


def _public_reports() -> Select[Any]:
    """Reports of public categories with their category's and lead agency's names, as plain
    rows (a page converts only the columns it shows, and builds no ORM objects)."""
    return (
        select(
            Report.id,
            *(getattr(Report, name) for name in _REPORT_COLUMNS),
            Category.code.label("category_code"),
            Category.name_vi.label("category_name_vi"),
            Category.name_en.label("category_name_en"),
            Agency.name_vi.label("agency_name_vi"),
            Agency.name_en.label("agency_name_en"),
        )
        .join(Category, Category.id == Report.category_id)
        .outerjoin(Agency, Agency.id == Report.lead_agency_id)
        .where(Category.is_private.is_(False))
    )


def _shown(session: Session, rows: list[Row[Any]]) -> list[PublicRequest]:
    """``rows`` with their first public photo and, when dismissed, their public note: one
    query each for the whole page (the rest of their photos and history is never shown)."""
    if not rows:
        return []
    photos: dict[int, str] = {}
    for report_id, storage_key in session.execute(
        select(Attachment.report_id, Attachment.storage_key)
        .where(
            Attachment.report_id.in_([row.id for row in rows]),
            Attachment.is_hidden.is_(False),
            Attachment.purpose.in_(("before", "after")),
        )
        .order_by(Attachment.report_id, Attachment.purpose != "before", Attachment.id)
    ):
        photos.setdefault(report_id, storage_key)
    notes: dict[int, str] = {}
    dismissed = {r.id: r.status for r in rows if ReportStatus(r.status) in DISMISSED_STATES}
    if dismissed:
        for report_id, to_status, note in session.execute(
            select(ReportHistory.report_id, ReportHistory.to_status, ReportHistory.note)
            .where(
                ReportHistory.report_id.in_(list(dismissed)),
                ReportHistory.is_public.is_(True),
                ReportHistory.note.is_not(None),
            )
            .order_by(ReportHistory.id)
        ):
            if to_status == dismissed[report_id] and note:
                notes[report_id] = note  # the last one wins
    shown = []
    for row in rows:
        values = row._asdict()
        report_id = values.pop("id")
        shown.append(
            PublicRequest(
                **values, photo_key=photos.get(report_id), dismissal_note=notes.get(report_id)
            )
        )
    return shown


def request_view(
    shown: PublicRequest, *, language: str, timezone: ZoneInfo, media_url: str | None
) -> dict[str, Any]:
    """One report as a GeoReport v2 service request (never the reporter)."""
    status = open311_status(shown.status)
    # The spec: for closed requests, the date the request was closed.
    closed_at = (shown.closed_at or shown.resolved_at) if status == "closed" else None
    return {
        "service_request_id": shown.ref,
        "status": status,
        "status_notes": status_notes(shown, language),
        "service_name": _text(shown.category_name_vi, shown.category_name_en, language),
        "service_code": shown.category_code,
        "description": shown.description,
        "agency_responsible": _text(shown.agency_name_vi, shown.agency_name_en, language),
        "service_notice": service_notice(shown, language=language, timezone=timezone),
        "requested_datetime": timestamp(shown.received_at, timezone),
        "updated_datetime": timestamp(closed_at or shown.updated_at, timezone),
        "expected_datetime": timestamp(expected_resolution(shown), timezone),
        "address": shown.address,
        "address_id": None,
        "zipcode": None,
        "lat": shown.lat,
        "long": shown.lon,
        "media_url": media_url,
    }


def status_notes(shown: PublicRequest, language: str) -> str | None:
    """Why the report is where it is: the rejection reason or the original it was merged
    into (the public note of that step), the agency's answer, or what is happening now."""
    status = ReportStatus(shown.status)
    if status in (ReportStatus.RESOLVED, ReportStatus.CLOSED) and shown.result_text:
        return shown.result_text
    if status in DISMISSED_STATES:
        note = shown.dismissal_note
        if status is ReportStatus.DUPLICATE and note:
            return f"Trùng với phản ánh {note}" if language == "vi" else f"Duplicate of {note}"
        return note
    return status.label_vi if language == "vi" else _STATUS_NOTES_EN.get(status, status.value)


def expected_resolution(shown: PublicRequest) -> datetime | None:
    """The lead agency's running deadline; unknown while the IOC has the report or the clock
    waits for the citizen."""
    kind = shown.clock
    if kind is not ClockKind.RESOLUTION:
        return None
    return deadline_for(kind, receipt_due_at=shown.receipt_due_at, due_at=shown.due_at)


def service_notice(shown: PublicRequest, *, language: str, timezone: ZoneInfo) -> str | None:
    """What happens next, in one sentence."""
    if shown.clock is ClockKind.PAUSED:
        if language == "vi":
            return "Đang chờ người phản ánh bổ sung thông tin."
        return "Waiting for more information from the reporter."
    if shown.status == ReportStatus.PENDING_REVIEW:
        if language == "vi":
            return "Phản ánh đã được tiếp nhận và đang chờ Trung tâm điều hành xác minh."
        return "Received; the operations centre will verify it."
    expected = expected_resolution(shown)
    if shown.agency_name_vi and expected:
        due = expected.astimezone(timezone).strftime("%H:%M %d/%m/%Y")
        if language == "vi":
            return f"{shown.agency_name_vi} xử lý, hạn {due}."
        return f"{shown.agency_name_en or shown.agency_name_vi} handles it, due {due}."
    return None


def _text(vi: str | None, en: str | None, language: str) -> str | None:
    return (en or vi) if language == "en" else vi


def discovery(
    *, url: str, contact: str, key_service: str, changeset: datetime, timezone: ZoneInfo
) -> dict[str, Any]:
    """The service discovery document: one production endpoint, both formats."""
    stamp = timestamp(changeset, timezone)
    return {
        "changeset": stamp,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": stamp,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
