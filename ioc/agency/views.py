"""Routes of the agency API: the inbox and the handling of one report. Agency staff never see
the reporter's identity, and another agency's report answers 404 like an unknown ref."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, request
from flask import Response as FlaskResponse
from spectree import Response

from ioc.agency.schemas import (
    ApproveIn,
    AssigneeIn,
    ContributionForm,
    ExtensionIn,
    InboxQuery,
    NoteIn,
    OfficerFiguresOut,
    OfficerFiguresQuery,
    QuestionIn,
    ReasonIn,
    ResolveForm,
    ResolveIn,
    SendBackIn,
    TeamOut,
)
from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.announce import map_point
from ioc.feedback.intake.filing import MAX_PHOTOS
from ioc.feedback.intake.photos import ProcessedPhoto, process_photos
from ioc.feedback.lifecycle import agency_work, assignment, questions, sign_off, support_work
from ioc.feedback.lifecycle.handling import get_report_for_staff
from ioc.feedback.reads.officer_figures import list_officer_figures
from ioc.feedback.reads.paging import MAX_PAGE_SIZE
from ioc.feedback.reads.queues import list_agency_inbox
from ioc.feedback.reads.team import list_agency_team
from ioc.feedback.states import AGENCY_MANAGERS, AGENCY_STAFF
from ioc.web import staff_view
from ioc.web.downloads import Download, export_download
from ioc.web.figures import ExportQuery, StatisticsOut, StatisticsQuery, figures_answer
from ioc.web.openapi import api
from ioc.web.periods import period
from ioc.web.staff_access import (
    STAFF_ERRORS,
    STAFF_SECURITY,
    act_on_report,
    admit_only,
    agency_id_of,
    staff_unit_of_work,
)
from ioc.web.staff_view import PagedSnapshot, StaffReport, StaffReportList
from ioc.web.validated import validated_body, validated_form, validated_query

bp = Blueprint("agency_api", __name__, url_prefix="/api/agency/v1")
admit_only(bp, AGENCY_STAFF)

TAGS = ["agency"]

ACTION = Response(HTTP_200=StaffReport, **STAFF_ERRORS)


@bp.get("/inbox")
@api.validate(
    query=InboxQuery,
    resp=Response(HTTP_200=StaffReportList, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def inbox() -> dict[str, Any]:
    """What my agency leads or supports and has to handle, by deadline (the overdue first,
    reports without a deadline last); one page at a time (follow `next_cursor`)."""
    query = validated_query(InboxQuery)
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        page = list_agency_inbox(
            session,
            agency_id=agency_id_of(actor),
            status=query.status,
            category=query.category,
            channel=query.channel,
            role=query.role,
            view=query.view,
            viewer=actor,
            assignee=query.assignee,
            cursor=query.cursor,
            limit=query.limit,
        )
        return staff_view.summary_page(page, for_agency_id=agency_id_of(actor))


@bp.get("/reports/<ref>")
@api.validate(
    resp=Response(HTTP_200=StaffReport, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def show(ref: str) -> dict[str, Any]:
    """One of my agency's reports, without the reporter's identity."""
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        report = get_report_for_staff(session, ref=ref, actor=actor)
        return staff_view.detail(session, report, actor)


def _act(ref: str, use_case: Any, **arguments: Any) -> dict[str, Any]:
    return act_on_report(AGENCY_STAFF, ref, use_case, **arguments)


@bp.post("/reports/<ref>/accept")
@api.validate(resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def accept(ref: str) -> dict[str, Any]:
    """Take the case (tiếp nhận xử lý)."""
    return _act(ref, agency_work.accept_report)


@bp.post("/reports/<ref>/notes")
@api.validate(json=NoteIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def note(ref: str) -> dict[str, Any]:
    """A progress note, public or internal."""
    body = validated_body(NoteIn)
    return _act(ref, agency_work.add_note, text=body.text, is_public=body.public)


@bp.post("/reports/<ref>/return")
@api.validate(json=ReasonIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def give_back(ref: str) -> dict[str, Any]:
    """Not ours: back to the IOC with a reason (chuyển trả)."""
    body = validated_body(ReasonIn)
    return _act(ref, agency_work.return_report, policy=services().policy, reason=body.reason)


@bp.post("/reports/<ref>/extension")
@api.validate(json=ExtensionIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def extension(ref: str) -> dict[str, Any]:
    """Ask the IOC for a later deadline (đề nghị gia hạn)."""
    body = validated_body(ExtensionIn)
    return _act(
        ref,
        agency_work.request_extension,
        policy=services().policy,
        until=body.until,
        reason=body.reason,
    )


def _signed_in_with_photos(*, with_files: bool) -> tuple[int, list[ProcessedPhoto]]:
    """The signed-in agency staff member, then their uploaded photos, checked and stripped:
    who is asking is known before any image is decoded."""
    uploads = request.files.getlist("photos") if with_files else []
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(
            "too many photos", details={"fields": {"photos": f"at most {MAX_PHOTOS}"}}
        )
    with staff_unit_of_work(AGENCY_STAFF) as (_, actor):
        actor_id = actor.id
    return actor_id, process_photos([upload.read() for upload in uploads])


def _detail(ref: str) -> dict[str, Any]:
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        report = get_report_for_staff(session, ref=ref, actor=actor)
        return staff_view.detail(session, report, actor)


@bp.post("/reports/<ref>/contribution")
@api.validate(json=NoteIn, form=ContributionForm, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def contribution(ref: str) -> dict[str, Any]:
    """A supporting agency records its part of the work (phối hợp): JSON `{"text": …}`, or
    multipart with the text and up to 5 photos. Its part is then done."""
    form = validated_form(ContributionForm)
    text = form.text if form is not None else validated_body(NoteIn).text
    actor_id, photos = _signed_in_with_photos(with_files=form is not None)
    support_work.contribute_with_photos(
        services().session_factory,
        services().media,
        ref=ref,
        actor_id=actor_id,
        text=text or "",
        photos=photos,
    )
    return _detail(ref)


@bp.post("/reports/<ref>/resolve")
@api.validate(json=ResolveIn, form=ResolveForm, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def resolve(ref: str) -> dict[str, Any]:
    """Resolve with the public answer and "after" photos (multipart), or JSON without photos."""
    form = validated_form(ResolveForm)
    answer = form.answer if form is not None else validated_body(ResolveIn).answer
    actor_id, photos = _signed_in_with_photos(with_files=form is not None)
    agency_work.resolve_with_photos(
        services().session_factory,
        services().media,
        policy=services().policy,
        ref=ref,
        actor_id=actor_id,
        answer=answer or "",
        photos=photos,
    )
    return _detail(ref)


@bp.post("/reports/<ref>/assignee")
@api.validate(json=AssigneeIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def assignee(ref: str) -> dict[str, Any]:
    """Give the report to one of my agency's staff (phân công): a manager to anyone or to
    nobody (`null`), an officer only an unassigned report to themself. Audited."""
    body = validated_body(AssigneeIn)
    return _act(ref, assignment.assign_to_officer, username=body.username)


@bp.post("/reports/<ref>/approve")
@api.validate(json=ApproveIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def approve(ref: str) -> dict[str, Any]:
    """Managers: publish the officer's pending draft (resolution, extension request or
    return) in the agency's name, optionally with the answer edited (phê duyệt)."""
    body = validated_body(ApproveIn)
    return _act(ref, sign_off.approve_draft, policy=services().policy, answer=body.answer)


@bp.post("/reports/<ref>/send-back")
@api.validate(json=SendBackIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def send_back(ref: str) -> dict[str, Any]:
    """Managers: return the pending draft to its author with a comment (trả lại dự thảo)."""
    return _act(ref, sign_off.send_back_draft, comment=validated_body(SendBackIn).comment)


@bp.post("/reports/<ref>/ask-citizen")
@api.validate(json=QuestionIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def ask_citizen(ref: str) -> dict[str, Any]:
    """Ask the reporter for more information; the deadline clock pauses until they answer."""
    return _act(ref, questions.ask_citizen, question=validated_body(QuestionIn).question)


@bp.get("/statistics")
@api.validate(
    query=StatisticsQuery,
    resp=Response(HTTP_200=StatisticsOut, HTTP_304=None, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def figures() -> FlaskResponse:
    """My agency's figures, as the operations centre sees them but for the reports my agency
    leads (and the returns it made), grouped by area or category. ETag and 304 as there."""
    query = validated_query(StatisticsQuery)
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        agency_id = agency_id_of(actor)
        return figures_answer(session, query, scope=f"agency:{agency_id}", agency_id=agency_id)


@bp.get("/statistics/officers")
@api.validate(
    query=OfficerFiguresQuery,
    resp=Response(HTTP_200=OfficerFiguresOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def officer_figures() -> dict[str, Any]:
    """My agency's figures per officer for a period (managers only): reports given, resolved,
    on time, late, and overdue in their hands now."""
    query = validated_query(OfficerFiguresQuery)
    since, until = period(query.since, query.until, services().settings.tz)
    with staff_unit_of_work(AGENCY_MANAGERS) as (session, actor):
        rows = list_officer_figures(
            session, agency_id=agency_id_of(actor), since=since, until=until, now=utcnow()
        )
        return {"items": [asdict(r) for r in rows]}


@bp.get("/exports/reports.<fmt>")
@api.validate(
    query=ExportQuery, resp=Response("HTTP_200", **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def export_reports(fmt: str) -> Download:
    """The reports my agency leads as CSV or XLSX, streamed, with the operations centre's
    filters (no reporter identity; cells that would be formulas begin with `'`). Audited."""
    query = validated_query(ExportQuery)
    return export_download(AGENCY_STAFF, fmt, query, lead_agency_of=agency_id_of)


@bp.get("/team")
@api.validate(resp=Response(HTTP_200=TeamOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def team() -> dict[str, Any]:
    """My agency's active officers and managers: whom a report can be given to."""
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        members = list_agency_team(session, agency_id=agency_id_of(actor))
        return {
            "items": [
                {"username": u.username, "full_name": u.display_name or u.username, "role": u.role}
                for u in members
            ]
        }


@bp.get("/snapshot")
@api.validate(
    resp=Response(HTTP_200=PagedSnapshot, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def snapshot() -> dict[str, Any]:
    """The first page of my agency's inbox (as map points) and the event `seq` it corresponds
    to (after `resync`); `next_cursor` pages on through `/inbox`."""
    with staff_unit_of_work(AGENCY_STAFF) as (session, actor):
        seq = latest_seq(session)  # read first: later changes arrive as events
        page = list_agency_inbox(session, agency_id=agency_id_of(actor), limit=MAX_PAGE_SIZE)
        return {
            "seq": seq,
            "reports": [map_point(r) for r in page.items],
            "next_cursor": page.next_cursor,
        }
