"""Routes of the operations API: parse, call one use case, answer with the staff view."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from flask import Blueprint, current_app, request, url_for
from flask import Response as FlaskResponse
from pydantic import ValidationError
from spectree import Response
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput, NotFound
from ioc.events.log import latest_seq
from ioc.extensions import services
from ioc.feedback.announce import map_point
from ioc.feedback.citizen_models import InboundMessage
from ioc.feedback.intake.filing import MAX_PHOTOS, StoredPhoto
from ioc.feedback.intake.idempotency import Caller, StoredAnswer, check_key, request_fingerprint
from ioc.feedback.intake.photos import process_photos
from ioc.feedback.intake.submission import file_once
from ioc.feedback.lifecycle import moderation, placement, questions, triage
from ioc.feedback.lifecycle.handling import get_report_for_staff, list_active_agencies
from ioc.feedback.models import User
from ioc.feedback.reads.filters import ReportFilter
from ioc.feedback.reads.inbound import find_waiting_photo, list_waiting_messages, sender_shown_to
from ioc.feedback.reads.kpis import count_ops_kpis
from ioc.feedback.reads.lists import list_reports
from ioc.feedback.reads.queues import list_triage_queue
from ioc.feedback.reads.tracking import list_duplicate_candidates
from ioc.feedback.states import OPS_READERS
from ioc.feedback.surges import decisions as surge_decisions
from ioc.feedback.surges.detection import surge_payload
from ioc.ops.schemas import (
    AgencyList,
    AssignIn,
    CandidateList,
    ClassifyIn,
    DuplicateIn,
    ExtensionDecisionIn,
    GroupedSurgeOut,
    GroupSurgeIn,
    IdempotencyHeaders,
    InboundList,
    InboundOut,
    InboundPhotoOut,
    InboundPhotoQuery,
    InboundQuery,
    KpisOut,
    ModerateIn,
    NoteIn,
    OnBehalfForm,
    OnBehalfIn,
    OpsSnapshot,
    PlaceIn,
    QuestionIn,
    QueueQuery,
    ReasonIn,
    ReportListQuery,
    SurgeList,
    SurgeOut,
    SurgeQuery,
)
from ioc.web import staff_view
from ioc.web.downloads import Download, export_download
from ioc.web.figures import ExportQuery, StatisticsOut, StatisticsQuery, figures_answer
from ioc.web.media import stored_photo
from ioc.web.openapi import api
from ioc.web.periods import day_bounds
from ioc.web.staff_access import (
    STAFF_ERRORS,
    STAFF_SECURITY,
    act_on_report,
    admit_only,
    staff_unit_of_work,
)
from ioc.web.staff_view import StaffReport, StaffReportList
from ioc.web.validated import (
    validated_body,
    validated_form,
    validated_headers,
    validated_query,
)

bp = Blueprint("ops_api", __name__, url_prefix="/api/ops/v1")
admit_only(bp, OPS_READERS)

TAGS = ["operations"]

ACTION = Response(HTTP_200=StaffReport, **STAFF_ERRORS)


@bp.get("/queue")
@api.validate(
    query=QueueQuery,
    resp=Response(HTTP_200=StaffReportList, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def queue() -> dict[str, Any]:
    """The IOC queue: new and returned reports, oldest first, with the receipt deadline; one
    page at a time (follow `next_cursor`)."""
    query = validated_query(QueueQuery)
    criteria = ReportFilter(
        statuses=[query.status] if query.status else [],
        category=query.category,
        area=query.area,
        channel=query.channel,
    )
    with staff_unit_of_work(OPS_READERS) as (session, _):
        page = list_triage_queue(session, criteria=criteria, cursor=query.cursor, limit=query.limit)
        return staff_view.summary_page(page)


@bp.get("/reports")
@api.validate(
    query=ReportListQuery,
    resp=Response(HTTP_200=StaffReportList, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def reports() -> dict[str, Any]:
    """Every report, newest first, narrowed by state(s), category, lead agency, area, channel,
    local receipt days and the start of the reference; one page at a time."""
    query = validated_query(ReportListQuery)
    since, until = day_bounds(query.since, query.until, services().settings.tz)
    criteria = ReportFilter(
        statuses=[s.value for s in query.status],
        category=query.category,
        agency=query.agency,
        area=query.area,
        channel=query.channel,
        since=since,
        until=until,
        ref=query.ref,
    )
    with staff_unit_of_work(OPS_READERS) as (session, _):
        page = list_reports(session, criteria=criteria, cursor=query.cursor, limit=query.limit)
        return staff_view.summary_page(page)


@bp.get("/agencies")
@api.validate(
    resp=Response(HTTP_200=AgencyList, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def agencies() -> dict[str, Any]:
    """Agencies a report can be assigned to."""
    with staff_unit_of_work(OPS_READERS) as (session, _):
        return {
            "items": [
                {"code": a.code, "name": a.name_vi, "area_code": a.area_code}
                for a in list_active_agencies(session)
            ]
        }


@bp.get("/reports/<ref>")
@api.validate(
    resp=Response(HTTP_200=StaffReport, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def show(ref: str) -> dict[str, Any]:
    """Everything about a report; who filed it only for IOC staff (and for viewers where
    `IOC_VIEWERS_SEE_REPORTERS` grants it), each such read audited."""
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        report = get_report_for_staff(session, ref=ref, actor=actor)
        return staff_view.detail(session, report, actor)


def _act(ref: str, use_case: Any, **arguments: Any) -> dict[str, Any]:
    return act_on_report(OPS_READERS, ref, use_case, **arguments)


@bp.post("/reports/<ref>/verify")
@api.validate(json=NoteIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def verify(ref: str) -> dict[str, Any]:
    """Confirm the report is real and complete (xác minh)."""
    return _act(ref, triage.verify_report, note=validated_body(NoteIn).note)


@bp.post("/reports/<ref>/classify")
@api.validate(json=ClassifyIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def classify(ref: str) -> dict[str, Any]:
    """Change the category and/or the deadline tier (phân loại)."""
    body = validated_body(ClassifyIn)
    return _act(
        ref,
        triage.classify_report,
        policy=services().policy,
        category_code=body.category,
        tier=body.tier,
    )


@bp.post("/reports/<ref>/assign")
@api.validate(json=AssignIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def assign(ref: str) -> dict[str, Any]:
    """Send the report to a lead agency (+ supporting ones); the deadline starts (chuyển xử lý)."""
    body = validated_body(AssignIn)
    return _act(
        ref,
        triage.assign_report,
        policy=services().policy,
        agency_code=body.agency,
        supporting_codes=body.supporting,
    )


@bp.post("/reports/<ref>/reject")
@api.validate(json=ReasonIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def reject(ref: str) -> dict[str, Any]:
    """Refuse the report; the reason is public (từ chối)."""
    return _act(
        ref, triage.reject_report, policy=services().policy, reason=validated_body(ReasonIn).reason
    )


@bp.post("/reports/<ref>/duplicate")
@api.validate(json=DuplicateIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def duplicate(ref: str) -> dict[str, Any]:
    """Merge into an earlier report; followers move over (trùng lặp)."""
    return _act(
        ref, triage.mark_duplicate, policy=services().policy, of_ref=validated_body(DuplicateIn).of
    )


@bp.post("/reports/<ref>/extension")
@api.validate(json=ExtensionDecisionIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def decide_extension(ref: str) -> dict[str, Any]:
    """Approve (the deadline moves) or deny the agency's extension request (gia hạn)."""
    body = validated_body(ExtensionDecisionIn)
    return _act(
        ref,
        triage.decide_extension,
        policy=services().policy,
        approve=body.approve,
        note=body.note,
    )


@bp.post("/reports/<ref>/reopen")
@api.validate(json=ReasonIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def reopen(ref: str) -> dict[str, Any]:
    """Reopen a report the citizen rated unsatisfied; a new deadline starts (mở lại). The
    policy caps how often: past the limit the answer is 409 naming it."""
    body = validated_body(ReasonIn)
    return _act(ref, triage.reopen_report, policy=services().policy, reason=body.reason)


@bp.post("/reports/<ref>/decline-reopen")
@api.validate(json=ReasonIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def decline_reopen(ref: str) -> dict[str, Any]:
    """Refuse the citizen's request to reopen, with a public reason; the report closes."""
    body = validated_body(ReasonIn)
    return _act(ref, triage.decline_reopen, reason=body.reason)


@bp.post("/reports/<ref>/close")
@api.validate(json=NoteIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def close(ref: str) -> dict[str, Any]:
    """Close a resolved report (đóng), rated or not; the note is public."""
    body = validated_body(NoteIn)
    return _act(ref, triage.close_report, note=body.note)


@bp.post("/reports/<ref>/moderate")
@api.validate(json=ModerateIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def moderate(ref: str) -> dict[str, Any]:
    """Replace the public text and hide photos (audited)."""
    body = validated_body(ModerateIn)
    return _act(
        ref,
        moderation.moderate_report,
        description=body.description,
        hide_photos=body.hide_photos,
    )


@bp.post("/reports")
@api.validate(
    json=OnBehalfIn,
    form=OnBehalfForm,
    headers=IdempotencyHeaders,
    resp=Response(HTTP_201=StaffReport, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def file_for_citizen() -> tuple[dict[str, Any], int]:
    """File a report for a citizen who phoned, wrote on Zalo or emailed (channel recorded):
    JSON, or multipart with the report as JSON text in `report` and up to 5 `photos`. The
    caller's name and phone stay inside the operations centre. With an `Idempotency-Key`
    header, a retry with the same key and body answers as the first request and files
    nothing; the same key with another body is refused (422)."""
    headers = validated_headers(IdempotencyHeaders)
    key = check_key(headers.idempotency_key) if headers.idempotency_key is not None else None
    with staff_unit_of_work(OPS_READERS) as (_, actor):
        actor_id = actor.id
    body, raws = _on_behalf_upload()
    photos = process_photos(raws)
    answer = file_once(
        services().session_factory,
        services().media,
        caller=Caller(user_id=actor_id),
        key=key,
        fingerprint=request_fingerprint(
            body.model_dump(mode="json"), [hashlib.sha256(raw).hexdigest() for raw in raws]
        ),
        photos=photos,
        file=functools.partial(_file_on_behalf, body, actor_id),
    )
    return answer.body, answer.status_code


def _on_behalf_upload() -> tuple[OnBehalfIn, list[bytes]]:
    form = validated_form(OnBehalfForm)
    if form is None:
        return validated_body(OnBehalfIn), []
    if form.report is None:
        raise InvalidInput("invalid request", details={"fields": {"report": "is required"}})
    try:
        body = OnBehalfIn.model_validate_json(form.report)
    except ValidationError as exc:
        fields = {
            ".".join(["report", *(str(part) for part in problem["loc"])]): problem["msg"]
            for problem in exc.errors()
        }
        raise InvalidInput("invalid request", details={"fields": fields}) from None
    uploads = request.files.getlist("photos")
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(
            "too many photos", details={"fields": {"photos": f"at most {MAX_PHOTOS}"}}
        )
    return body, [upload.read() for upload in uploads]


def _file_on_behalf(
    body: OnBehalfIn, actor_id: int, session: Session, photos: list[StoredPhoto]
) -> StoredAnswer:
    actor = session.get_one(User, actor_id)
    report = moderation.file_for_citizen(
        session,
        services().intake,
        actor=actor,
        channel=body.channel,
        caller_name=body.caller.name,
        caller_phone=body.caller.phone,
        caller_email=body.caller.email,
        category_code=body.category,
        lon=body.lon,
        lat=body.lat,
        address=body.address,
        description=body.description,
        attributes=body.attributes,
        photos=photos,
    )
    detail = staff_view.detail(session, report, actor)
    # Stored as the exact JSON sent, so a replay is the first answer.
    return StoredAnswer(201, json.loads(current_app.json.dumps(detail)), None)


@bp.get("/inbound")
@api.validate(
    query=InboundQuery,
    resp=Response(HTTP_200=InboundList, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def inbound_waiting() -> dict[str, Any]:
    """Messages waiting for a place (e-mails without a geotagged photo), oldest first, one
    page at a time; an operator places each one to file it. The sender is shown as a report's
    reporter is (IOC staff; viewers where the province grants it), and audited."""
    query = validated_query(InboundQuery)
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        page = list_waiting_messages(session, cursor=query.cursor, limit=query.limit)
        return {
            "items": [_inbound_view(session, message, actor) for message in page.items],
            "next_cursor": page.next_cursor,
        }


def _inbound_view(session: Session, message: InboundMessage, actor: User) -> dict[str, Any]:
    sender = sender_shown_to(
        session,
        message=message,
        actor=actor,
        viewers_see_reporters=services().settings.viewers_see_reporters,
    )
    photo_url = functools.partial(url_for, "ops_api.inbound_photo", message_id=message.id)
    return InboundOut(
        id=message.id,
        channel=message.channel,
        subject=message.subject,
        description=message.description,
        received_at=message.received_at,
        sender_name=sender.display_name if sender else None,
        sender_email=sender.email if sender else None,
        photos=[
            InboundPhotoOut(
                url=photo_url(number=number),
                thumbnail_url=photo_url(number=number, size="thumbnail"),
                width=photo["width"],
                height=photo["height"],
            )
            for number, photo in enumerate(message.photos, start=1)
        ],
    ).model_dump(mode="json")


@bp.get("/inbound/<int:message_id>/photos/<int:number>")
@api.validate(
    query=InboundPhotoQuery,
    resp=Response("HTTP_200", **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def inbound_photo(message_id: int, number: int) -> FlaskResponse:
    """Photo `number` (from 1) of a message waiting for a place, metadata already stripped: for the
    operations centre's readers only, never cached by a shared cache. Once the message is
    filed its photos are the report's (`/media/...`), and this answers 404."""
    query = validated_query(InboundPhotoQuery)
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        photo = find_waiting_photo(
            session,
            viewer=actor,
            message_id=message_id,
            index=number - 1,
            thumbnail=query.size == "thumbnail",
        )
    if photo is None:
        raise NotFound("no such photo")
    return stored_photo(photo.key, photo.content_type, is_public=False)


@bp.post("/inbound/<int:message_id>/place")
@api.validate(
    json=PlaceIn,
    resp=Response(HTTP_201=StaffReport, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def place_inbound(message_id: int) -> tuple[dict[str, Any], int]:
    """Put a waiting message on the map: it files as a report there, routed like any other,
    and keeps its channel, sender and arrival time."""
    body = validated_body(PlaceIn)
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        report = placement.place_message(
            session,
            services().intake,
            message_id=message_id,
            actor=actor,
            lon=body.lon,
            lat=body.lat,
            category_code=body.category,
            attributes=body.attributes,
        )
        return staff_view.detail(session, report, actor), 201


@bp.get("/statistics")
@api.validate(
    query=StatisticsQuery,
    resp=Response(HTTP_200=StatisticsOut, HTTP_304=None, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def figures() -> FlaskResponse:
    """Received, verified, assigned, resolved, rejected, on-time % and late, receipt on-time %,
    overdue now, median handling time (working hours), satisfaction, reopen rate, reports
    extended, returns and the working time lost with the wrong agency, per agency, area,
    category or channel, summed from the daily figures (whole local days). Carries an ETag
    (`Cache-Control: private, no-cache`): send it back in `If-None-Match` and an unchanged
    answer is a 304 without a body."""
    query = validated_query(StatisticsQuery)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        return figures_answer(session, query, scope="ops")


@bp.get("/exports/reports.<fmt>")
@api.validate(
    query=ExportQuery, resp=Response("HTTP_200", **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def export_reports(fmt: str) -> Download:
    """Filtered reports as CSV or XLSX, streamed (no reporter identity; cells that would be
    formulas begin with `'`). Every export is recorded in the audit log."""
    return export_download(OPS_READERS, fmt, validated_query(ExportQuery))


@bp.post("/reports/<ref>/ask-citizen")
@api.validate(json=QuestionIn, resp=ACTION, tags=TAGS, security=STAFF_SECURITY)
def ask_citizen(ref: str) -> dict[str, Any]:
    """Ask the reporter for more information; the deadline clock pauses until they answer."""
    return _act(ref, questions.ask_citizen, question=validated_body(QuestionIn).question)


@bp.get("/snapshot")
@api.validate(
    resp=Response(HTTP_200=OpsSnapshot, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def snapshot() -> dict[str, Any]:
    """The event `seq` a live screen resumes after, with the exact KPIs at that point: a
    screen told to `resync` loads this (and its viewport's reports from `/map/reports` and
    `/map/cells`), then applies live events with a higher `seq`."""
    with staff_unit_of_work(OPS_READERS) as (session, _):
        seq = latest_seq(session)  # read first: later changes arrive as events
        kpis = count_ops_kpis(session, at=utcnow(), timezone=services().settings.tz)
        return {"seq": seq, "kpis": kpis.to_dict()}


@bp.get("/kpis")
@api.validate(resp=Response(HTTP_200=KpisOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def kpis() -> dict[str, Any]:
    """Exact counters for the wall map's tiles: open reports by status, overdue now (receipt
    and resolution clocks apart; a paused report is never overdue) and received today."""
    with staff_unit_of_work(OPS_READERS) as (session, _):
        return count_ops_kpis(session, at=utcnow(), timezone=services().settings.tz).to_dict()


@bp.get("/reports/<ref>/candidates")
@api.validate(
    resp=Response(HTTP_200=CandidateList, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY
)
def candidates(ref: str) -> dict[str, Any]:
    """Duplicate candidates: open reports of the same category within the category's
    duplicate radius, nearest first. Every report within the radius is listed."""
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        report = get_report_for_staff(session, ref=ref, actor=actor)
        found = list_duplicate_candidates(session, report=report)
        return {
            "radius_m": found.radius_m,
            "items": [{**map_point(r), "distance_m": round(d, 1)} for r, d in found.reports],
        }


@bp.get("/surges")
@api.validate(
    query=SurgeQuery,
    resp=Response(HTTP_200=SurgeList, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def surges() -> dict[str, Any]:
    """Surges of reports (one category, one commune, a short window), newest first."""
    query = validated_query(SurgeQuery)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        found = surge_decisions.list_surges(session, status=query.status, limit=query.limit)
        return {"items": [surge_payload(session, s) for s in found]}


@bp.post("/surges/<int:surge_id>/group")
@api.validate(
    json=GroupSurgeIn,
    resp=Response(HTTP_200=GroupedSurgeOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def group_surge(surge_id: int) -> dict[str, Any]:
    """Keep one report as the incident and merge the others into it as duplicates."""
    body = validated_body(GroupSurgeIn)
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        surge = surge_decisions.get_surge(session, surge_id)
        grouping = surge_decisions.group_surge(
            session,
            policy=services().policy,
            surge=surge,
            actor=actor,
            primary_ref=body.primary_ref,
        )
        return {
            **surge_payload(session, surge),
            "merged": [r.ref for r in grouping.merged],
            "left": [r.ref for r in grouping.left],
        }


@bp.post("/surges/<int:surge_id>/dismiss")
@api.validate(resp=Response(HTTP_200=SurgeOut, **STAFF_ERRORS), tags=TAGS, security=STAFF_SECURITY)
def dismiss_surge(surge_id: int) -> dict[str, Any]:
    """Not one incident after all: close the alert and leave the reports as they are."""
    with staff_unit_of_work(OPS_READERS) as (session, actor):
        surge = surge_decisions.get_surge(session, surge_id)
        surge_decisions.dismiss_surge(session, surge=surge, actor=actor)
        return surge_payload(session, surge)
