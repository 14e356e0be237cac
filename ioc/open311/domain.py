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

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, load_only

from ioc.db import utcnow
from ioc.errors import InvalidInput, NotFound
from ioc.feedback.models import Agency, Category, CategoryGroup
from ioc.feedback.report_models import Attachment, Report, ReportHistory
from ioc.feedback.sla.clock import ClockKind, current_kind, running_deadline
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
    """A report as a service request shows it, with what it shows of its photos and history."""

    report: Report
    #: The storage key of the first photo the public may see (citizens' before agencies').
    photo_key: str | None = None
    #: The public note of its rejection or merge (a dismissed report's status note).
    dismissal_note: str | None = None


def get_request(session: Session, *, service_request_id: str) -> PublicRequest:
    """Raises: NotFound: no such ref, or a report of a private category (same answer)."""
    report = session.scalar(_public_reports().where(Report.ref == service_request_id))
    if report is None:
        raise NotFound("service_request_id not found", details={"id": service_request_id})
    return _shown(session, [report])[0]


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
    return _shown(session, list(session.scalars(statement)))


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


#: The report columns a service request shows (request_view, status_notes, service_notice
#: and the clock they read): a page skips converting the rest of each wide row.
_SHOWN_COLUMNS = (
    Report.ref,
    Report.status,
    Report.category_id,
    Report.lead_agency_id,
    Report.description,
    Report.address,
    Report.lat,
    Report.lon,
    Report.received_at,
    Report.updated_at,
    Report.resolved_at,
    Report.closed_at,
    Report.result_text,
    Report.paused_at,
    Report.receipt_due_at,
    Report.due_at,
)


def _public_reports() -> Select[Report]:
    """Reports of public categories with their category and lead agency, in one query."""
    return (
        select(Report)
        .join(Category, Category.id == Report.category_id)
        .outerjoin(Agency, Agency.id == Report.lead_agency_id)
        .where(Category.is_private.is_(False))
        .options(
            load_only(*_SHOWN_COLUMNS),
            contains_eager(Report.category).load_only(
                Category.code, Category.name_vi, Category.name_en, Category.is_private
            ),
            contains_eager(Report.lead_agency).load_only(
                Agency.code, Agency.name_vi, Agency.name_en
            ),
        )
    )


def _shown(session: Session, reports: list[Report]) -> list[PublicRequest]:
    """``reports`` with their first public photo and, when dismissed, their public note: one
    query each for the whole page (the rest of their photos and history is never shown)."""
    if not reports:
        return []
    photos: dict[int, str] = {}
    for report_id, storage_key in session.execute(
        select(Attachment.report_id, Attachment.storage_key)
        .where(
            Attachment.report_id.in_([report.id for report in reports]),
            Attachment.is_hidden.is_(False),
            Attachment.purpose.in_(("before", "after")),
        )
        .order_by(Attachment.report_id, Attachment.purpose != "before", Attachment.id)
    ):
        photos.setdefault(report_id, storage_key)
    notes: dict[int, str] = {}
    dismissed = {r.id: r.status for r in reports if ReportStatus(r.status) in DISMISSED_STATES}
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
    return [PublicRequest(r, photos.get(r.id), notes.get(r.id)) for r in reports]


def request_view(
    shown: PublicRequest, *, language: str, timezone: ZoneInfo, media_url: str | None
) -> dict[str, Any]:
    """One report as a GeoReport v2 service request (never the reporter)."""
    report = shown.report
    closed = open311_status(report.status) == "closed"
    # The spec: for closed requests, the date the request was closed.
    closed_at = (report.closed_at or report.resolved_at) if closed else None
    agency = report.lead_agency
    return {
        "service_request_id": report.ref,
        "status": open311_status(report.status),
        "status_notes": status_notes(report, language, dismissal_note=shown.dismissal_note),
        "service_name": _text(report.category.name_vi, report.category.name_en, language),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": _text(agency.name_vi, agency.name_en, language) if agency else None,
        "service_notice": service_notice(report, language=language, timezone=timezone),
        "requested_datetime": timestamp(report.received_at, timezone),
        "updated_datetime": timestamp(closed_at or report.updated_at, timezone),
        "expected_datetime": timestamp(expected_resolution(report), timezone),
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lon,
        "media_url": media_url,
    }


def status_notes(report: Report, language: str, *, dismissal_note: str | None) -> str | None:
    """Why the report is where it is: the rejection reason or the original it was merged
    into (``dismissal_note``, the public note of that step), the agency's answer, or what
    is happening now."""
    status = ReportStatus(report.status)
    if status in (ReportStatus.RESOLVED, ReportStatus.CLOSED) and report.result_text:
        return report.result_text
    if status in DISMISSED_STATES:
        note = dismissal_note
        if status is ReportStatus.DUPLICATE and note:
            return f"Trùng với phản ánh {note}" if language == "vi" else f"Duplicate of {note}"
        return note
    return status.label_vi if language == "vi" else _STATUS_NOTES_EN.get(status, status.value)


def expected_resolution(report: Report) -> datetime | None:
    """The lead agency's running deadline; unknown while the IOC has the report or the clock
    waits for the citizen."""
    if current_kind(report) is not ClockKind.RESOLUTION:
        return None
    return running_deadline(report)


def service_notice(report: Report, *, language: str, timezone: ZoneInfo) -> str | None:
    """What happens next, in one sentence."""
    if current_kind(report) is ClockKind.PAUSED:
        if language == "vi":
            return "Đang chờ người phản ánh bổ sung thông tin."
        return "Waiting for more information from the reporter."
    if report.status == ReportStatus.PENDING_REVIEW:
        if language == "vi":
            return "Phản ánh đã được tiếp nhận và đang chờ Trung tâm điều hành xác minh."
        return "Received; the operations centre will verify it."
    expected = expected_resolution(report)
    if report.lead_agency and expected:
        due = expected.astimezone(timezone).strftime("%H:%M %d/%m/%Y")
        if language == "vi":
            return f"{report.lead_agency.name_vi} xử lý, hạn {due}."
        name = report.lead_agency.name_en or report.lead_agency.name_vi
        return f"{name} handles it, due {due}."
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
