"""How staff consoles see reports; who is shown the reporter is decided in
``ioc.feedback.people.reporters``."""

from __future__ import annotations

from typing import Any

from flask import url_for
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.extensions import services
from ioc.feedback.intake.routing import resolve_route
from ioc.feedback.lifecycle.assignment import team_actions
from ioc.feedback.lifecycle.drafts import DRAFT_PHOTO, find_pending_draft, list_send_backs
from ioc.feedback.lifecycle.workflow import allowed_actions
from ioc.feedback.models import User
from ioc.feedback.people.reporters import reporter_shown_to
from ioc.feedback.reads.paging import Page
from ioc.feedback.report_models import Attachment, ExtensionRequest, Report, ReportDraft
from ioc.feedback.sla.support import SUPPORT_PHOTO, is_part_overdue
from ioc.feedback.states import CHANNEL_NAMES, TRIAGE_STATES, ReportStatus
from ioc.geo.queries import to_ref
from ioc.web.clocks import ClockOut, current_clock


class StaffReportSummary(BaseModel):
    ref: str
    status: str
    status_label: str
    category: dict[str, str]
    channel: dict[str, str] = Field(
        description="How the report arrived: `{code, name}` (mobile, web, phone, zalo, email, "
        "open311)"
    )
    sla_tier: str
    area: dict[str, str] | None
    lead_agency: dict[str, str] | None
    received_at: Any
    receipt_due_at: Any
    due_at: Any
    clock: ClockOut
    is_overdue: bool
    address: str | None
    assignee: dict[str, Any] | None = Field(
        description="Who handles it inside the lead agency: `{username, full_name}`"
    )
    support_due_at: Any = Field(
        default=None,
        description="In an agency's inbox: when my agency's supporting part is due (null "
        "where it leads)",
    )


class SupportPartOut(BaseModel):
    """A supporting agency's part (phối hợp): its deadline, whether it is done and late."""

    agency: dict[str, str]
    due_at: Any
    done_at: Any
    overdue: bool
    text: str | None
    photos: list[dict[str, Any]]


class StaffReport(StaffReportSummary):
    lon: float
    lat: float
    description: str | None
    attributes: dict[str, Any]
    supporting_agencies: list[dict[str, str]]
    support_parts: list[SupportPartOut]
    photos: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    extension_requests: list[dict[str, Any]]
    result_text: str | None
    rating: str | None
    support_count: int
    allowed_actions: list[str]
    suggested_assignment: dict[str, Any] | None
    reporter: dict[str, Any] | None = Field(
        description="Who filed it, `{name, phone, email}`: only for IOC staff (viewers where "
        "the province grants it); null for everyone else"
    )
    sign_off: bool = Field(description="The lead agency's answers wait for a manager")
    draft: dict[str, Any] | None = Field(
        description="The officer's draft waiting for sign-off: "
        "`{kind, answer, until, reason, photos, author, created_at}`"
    )
    send_backs: list[dict[str, Any]] = Field(
        description="Drafts the manager sent back: `{comment, by, at}`"
    )


class StaffReportList(BaseModel):
    """One page of a list; follow ``next_cursor`` for the next page."""

    items: list[StaffReportSummary]
    next_cursor: str | None = Field(
        description="Pass back as `cursor` for the next page; null on the last page"
    )


class Snapshot(BaseModel):
    """A live screen's starting state: the reports, and the event ``seq`` to resume after."""

    seq: int
    reports: list[dict[str, Any]]


class PagedSnapshot(Snapshot):
    """A live screen's starting state whose reports are the first page of a list."""

    next_cursor: str | None = Field(
        description="More reports follow: the list's `cursor` for its second page"
    )


def summary(report: Report, *, for_agency_id: int | None = None) -> dict[str, Any]:
    leaf = report.areas[0].area if report.areas else None
    clock = current_clock(report)
    return {
        "ref": report.ref,
        "status": report.status,
        "status_label": ReportStatus(report.status).label_vi,
        "category": {"code": report.category.code, "name": report.category.name_vi},
        "channel": {
            "code": report.channel,
            "name": CHANNEL_NAMES.get(report.channel, report.channel),
        },
        "sla_tier": report.sla_tier,
        "area": {"code": leaf.code, "name": leaf.name_vi} if leaf else None,
        "lead_agency": _agency(report.lead_agency),
        "received_at": report.received_at,
        "receipt_due_at": report.receipt_due_at,
        "due_at": report.due_at,
        "clock": clock.to_dict(),
        "is_overdue": clock.is_overdue,
        "address": report.address,
        "assignee": _person(report.assignee),
        "support_due_at": next(
            (p.due_at for p in report.support_parts if p.agency_id == for_agency_id), None
        )
        if for_agency_id is not None
        else None,
    }


def summary_page(page: Page[Report], *, for_agency_id: int | None = None) -> dict[str, Any]:
    """A :class:`StaffReportList`: the page's summaries and where the next page starts (with
    ``for_agency_id``'s supporting deadlines, in an agency's inbox)."""
    return {
        "items": [summary(r, for_agency_id=for_agency_id) for r in page.items],
        "next_cursor": page.next_cursor,
    }


def detail(session: Session, report: Report, actor: User) -> dict[str, Any]:
    """Everything ``actor`` may read about ``report``; the reporter only for those allowed
    to see them (an audited read)."""
    extensions = session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.report_id == report.id)
        .order_by(ExtensionRequest.id)
    )
    reporter = reporter_shown_to(
        session,
        report=report,
        actor=actor,
        viewers_see_reporters=services().settings.viewers_see_reporters,
    )
    return {
        **summary(report),
        "lon": report.lon,
        "lat": report.lat,
        "description": report.description,
        "attributes": report.attributes,
        "supporting_agencies": [_agency(a) for a in report.supporting_agencies],
        "support_parts": _support_parts(session, report),
        # Drafts wait for sign-off; supporting parts' photos are shown with their part.
        "photos": [
            _photo(a) for a in report.attachments if a.purpose not in (DRAFT_PHOTO, SUPPORT_PHOTO)
        ],
        "timeline": [
            {
                "at": entry.occurred_at,
                "action": entry.action,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "note": entry.note,
                "is_public": entry.is_public,
            }
            for entry in report.history
        ],
        "extension_requests": [
            {
                "until": e.until,
                "reason": e.reason,
                "requested_at": e.requested_at,
                "decision": e.decision,
                "decision_note": e.decision_note,
            }
            for e in extensions
        ],
        "result_text": report.result_text,
        "rating": report.rating,
        "support_count": report.support_count,
        "allowed_actions": [a.value for a in allowed_actions(actor, report, services().policy)]
        + team_actions(session, actor, report),
        "suggested_assignment": _suggestion(session, report),
        "reporter": (
            {"name": reporter.display_name, "phone": reporter.phone, "email": reporter.email}
            if reporter is not None
            else None
        ),
        "sign_off": bool(report.lead_agency and report.lead_agency.requires_sign_off),
        "draft": _draft(find_pending_draft(session, report)),
        "send_backs": [
            {"comment": d.comment, "by": _person(d.reviewer), "at": d.decided_at}
            for d in list_send_backs(session, report)
        ],
    }


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.username, "full_name": user.display_name}


def _draft(draft: ReportDraft | None) -> dict[str, Any] | None:
    if draft is None:
        return None
    return {
        "kind": draft.kind,
        "answer": draft.payload.get("answer"),
        "until": draft.payload.get("until"),
        "reason": draft.payload.get("reason"),
        "photos": [_photo(a) for a in draft.photos],
        "author": _person(draft.author),
        "created_at": draft.created_at,
    }


def _support_parts(session: Session, report: Report) -> list[dict[str, Any]]:
    """Each supporting agency's part with the photos its staff sent for it."""
    photos = [a for a in report.attachments if a.purpose == SUPPORT_PHOTO]
    uploaders = {a.uploaded_by_id for a in photos if a.uploaded_by_id is not None}
    agency_of: dict[int | None, int | None] = {}
    if uploaders:
        rows = session.execute(select(User.id, User.agency_id).where(User.id.in_(uploaders)))
        agency_of = {user_id: agency_id for user_id, agency_id in rows}
    now = utcnow()
    return [
        {
            "agency": _agency(part.agency),
            "due_at": part.due_at,
            "done_at": part.done_at,
            "overdue": is_part_overdue(part, at=now),
            "text": part.text,
            "photos": [
                _photo(a)
                for a in photos
                if agency_of.get(a.uploaded_by_id) == part.agency_id
                and (part.started_at is None or a.created_at >= part.started_at)
            ],
        }
        for part in report.support_parts
    ]


def _suggestion(session: Session, report: Report) -> dict[str, Any] | None:
    """Where the routing rules send this report for its current category (what ``assign``
    would be pre-filled with); changes when the operator reclassifies it. Only reports
    waiting for the IOC need one."""
    if report.status not in TRIAGE_STATES:
        return None
    chain = [to_ref(report_area.area) for report_area in report.areas]
    route = resolve_route(session, category=report.category, chain=chain, at=report.received_at)
    if route.is_ioc_queue:
        return None
    return {"agency": _agency(route.lead), "supporting": [_agency(a) for a in route.supporting]}


def _agency(agency: Any) -> dict[str, str] | None:
    return {"code": agency.code, "name": agency.name_vi} if agency else None


def _photo(attachment: Attachment) -> dict[str, Any]:
    return {
        "key": attachment.storage_key,
        "purpose": attachment.purpose,
        "is_hidden": attachment.is_hidden,
        "url": url_for("media.file", key=attachment.storage_key, _external=True),
        "thumbnail_url": (
            url_for("media.file", key=attachment.thumbnail_key, _external=True)
            if attachment.thumbnail_key
            else None
        ),
    }
