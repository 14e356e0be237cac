"""Routes of the mobile API. Each parses, calls one use case, and shapes the answer."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request, url_for
from spectree import Response
from sqlalchemy.orm import object_session

from ioc.errors import MalformedRequest
from ioc.extensions import services
from ioc.feedback.intake import idempotency
from ioc.feedback.intake.submission import Draft, Submission, submit_once
from ioc.feedback.lifecycle import citizen_actions
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.reads import tracking
from ioc.feedback.report_models import Report
from ioc.feedback.states import Channel
from ioc.geo.index import AreaRef
from ioc.web.errors import REQUEST_ERRORS
from ioc.web.limits import (
    COMMENTS_PER_CITIZEN,
    DEVICES_PER_CALLER,
    SUBMIT_PER_CITIZEN,
    SUBMIT_PER_IP,
    SUPPORT_PER_CITIZEN,
    caller_key,
    limiter,
)
from ioc.web.openapi import api
from ioc.web.validated import validated_body, validated_headers, validated_query
from mobile_api import presenters
from mobile_api.auth import admit_citizens, as_citizen, language, signed_in_citizen_id
from mobile_api.intake import read_upload
from mobile_api.schemas import (
    CategoryList,
    CommentIn,
    DeviceIn,
    DeviceOut,
    ErrorOut,
    NearbyList,
    NearbyQuery,
    PageQuery,
    RatingIn,
    ReportDetail,
    ReportForm,
    ReportIn,
    ReportOut,
    ReportPage,
    SubmitHeaders,
)

bp = Blueprint("mobile_api", __name__, url_prefix="/api/mobile/v1")

TAGS = ["mobile"]

admit_citizens(bp, open_to_all=frozenset({"list_categories"}))


@bp.before_request
def _refuse_unreadable_json() -> None:
    """A body sent as JSON that does not parse is a 400, before any field is checked."""
    if (
        request.mimetype == "application/json"
        and request.get_data(cache=True)
        and request.get_json(silent=True) is None
    ):
        raise MalformedRequest("the request body is not valid JSON")


SECURED: dict[str, list[str]] = {"firebase": []}
ERRORS = {**REQUEST_ERRORS, "HTTP_401": ErrorOut, "HTTP_404": ErrorOut}


@bp.get("/categories")
@api.validate(resp=Response(HTTP_200=CategoryList, **REQUEST_ERRORS), tags=TAGS)
def list_categories() -> dict[str, Any]:
    """Active categories with their groups, attributes and whether a photo is required."""
    lang = language()
    with services().unit_of_work() as session:
        categories = tracking.list_active_categories(session)
        return {"items": [presenters.category(cat, lang) for cat in categories]}


@bp.post("/reports")
@limiter.limit(SUBMIT_PER_CITIZEN, key_func=caller_key)
@limiter.limit(SUBMIT_PER_IP)
@api.validate(
    json=ReportIn,
    form=ReportForm,
    headers=SubmitHeaders,
    resp=Response(HTTP_201=ReportOut, HTTP_200=ReportOut, **ERRORS),
    tags=TAGS,
    security=SECURED,
)
def create_report() -> Any:
    """Submit a report (JSON, or multipart with photos). Needs an `Idempotency-Key` header:
    a retry with the same key and body returns the first answer and creates nothing."""
    citizen_id = signed_in_citizen_id()
    key = idempotency.check_key(validated_headers(SubmitHeaders).idempotency_key)
    upload = read_upload()
    submission = Submission(
        reporter_id=citizen_id,
        key=key,
        fingerprint=idempotency.request_fingerprint(
            upload.report.model_dump(mode="json"), upload.raw_digests
        ),
        draft=Draft(
            **upload.report.model_dump(exclude={"category"}), category_code=upload.report.category
        ),
        photos=upload.photos,
        channel=Channel.MOBILE,
    )
    answer = submit_once(
        services().session_factory,
        services().media,
        services().intake,
        submission,
        render=lambda report: _created(report, citizen_id),
    )
    return answer.body, answer.status_code, {"Location": answer.location}


def _created(report: Report, citizen_id: int) -> idempotency.StoredAnswer:
    body = ReportOut.model_validate(
        presenters.report(report, language(), viewer_id=citizen_id, areas=_located_in(report))
    )
    return idempotency.StoredAnswer(
        status_code=201,
        # Stored as the exact JSON sent, so a replay is byte-for-byte the first answer.
        body=json.loads(current_app.json.dumps(body.model_dump())),
        location=url_for("mobile_api.show_report", ref=report.ref),
    )


def _located_in(report: Report) -> list[AreaRef] | None:
    """The areas a report just filed was located in, from the in-process area index that
    located it (none read from the database); ``None`` if the index no longer holds one."""
    session = object_session(report)
    assert session is not None  # rendered inside the filing's transaction
    index = services().intake.locator.index(session)
    located: list[AreaRef] = []
    for link in report.areas:
        area = index.area(link.area_id)
        if area is None:
            return None
        located.append(area)
    return located


@bp.get("/reports/mine")
@api.validate(
    query=PageQuery, resp=Response(HTTP_200=ReportPage, **ERRORS), tags=TAGS, security=SECURED
)
def my_reports() -> dict[str, Any]:
    """The caller's reports, newest first; pass `next_cursor` back as `cursor`."""
    query = validated_query(PageQuery)
    lang = language()
    with as_citizen() as (session, citizen_id):
        page = tracking.list_reports_of(
            session, reporter_id=citizen_id, cursor=query.cursor, limit=query.limit
        )
        return {
            "items": [presenters.summary(r, lang) for r in page.items],
            "next_cursor": page.next_cursor,
        }


@bp.get("/reports/nearby")
@api.validate(
    query=NearbyQuery, resp=Response(HTTP_200=NearbyList, **ERRORS), tags=TAGS, security=SECURED
)
def nearby_reports() -> dict[str, Any]:
    """Open reports of a category within its duplicate radius ("already reported?")."""
    query = validated_query(NearbyQuery)
    lang = language()
    with as_citizen() as (session, _):
        nearby = tracking.find_nearby_open(
            session, category_code=query.category, lon=query.lon, lat=query.lat
        )
        return {
            "items": [
                {**presenters.summary(r, lang), "distance_m": round(d, 1)}
                for r, d in nearby.reports
            ],
            "radius_m": nearby.radius_m,
        }


@bp.get("/reports/<ref>")
@api.validate(resp=Response(HTTP_200=ReportDetail, **ERRORS), tags=TAGS, security=SECURED)
def show_report(ref: str) -> dict[str, Any]:
    """Status, public timeline, agency, deadline, and the published result."""
    with as_citizen() as (session, citizen_id):
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        return presenters.report_detail(report, language(), viewer_id=citizen_id)


@bp.post("/reports/<ref>/comments")
@limiter.limit(COMMENTS_PER_CITIZEN, key_func=caller_key)
@api.validate(
    json=CommentIn,
    resp=Response("HTTP_204", HTTP_403=ErrorOut, **ERRORS),
    tags=TAGS,
    security=SECURED,
)
def comment_on_report(ref: str) -> tuple[str, int]:
    """The reporter adds information for the operators."""
    body = validated_body(CommentIn)
    with as_citizen() as (session, citizen_id):
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        citizen_actions.add_comment(
            session,
            report=report,
            citizen_id=citizen_id,
            text=body.text,
            policy=services().policy,
        )
    return "", 204


@bp.post("/reports/<ref>/rating")
@api.validate(
    json=RatingIn,
    resp=Response(HTTP_200=ReportDetail, HTTP_403=ErrorOut, HTTP_409=ErrorOut, **ERRORS),
    tags=TAGS,
    security=SECURED,
)
def rate_report(ref: str) -> dict[str, Any]:
    """Rate the result once it is resolved; `unsatisfied` asks the IOC to reopen it."""
    body = validated_body(RatingIn)
    with as_citizen() as (session, citizen_id):
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        citizen_actions.rate_report(
            session,
            report=report,
            citizen_id=citizen_id,
            rating=Rating(body.rating),
            comment=body.comment,
        )
        return presenters.report_detail(report, language(), viewer_id=citizen_id)


@bp.post("/reports/<ref>/support")
@limiter.limit(SUPPORT_PER_CITIZEN, key_func=caller_key)
@api.validate(
    resp=Response(HTTP_200=ReportOut, HTTP_409=ErrorOut, **ERRORS), tags=TAGS, security=SECURED
)
def support_report(ref: str) -> dict[str, Any]:
    """ "Me too": follow the report; it counts one more supporter."""
    with as_citizen() as (session, citizen_id):
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        citizen_actions.support_report(session, report=report, citizen_id=citizen_id)
        return presenters.report(report, language(), viewer_id=citizen_id)


@bp.post("/devices")
@limiter.limit(DEVICES_PER_CALLER, key_func=caller_key)
@api.validate(
    json=DeviceIn, resp=Response(HTTP_201=DeviceOut, **ERRORS), tags=TAGS, security=SECURED
)
def register_device() -> tuple[dict[str, Any], int]:
    """Register an FCM token so the citizen hears about their reports."""
    body = validated_body(DeviceIn)
    with as_citizen() as (session, citizen_id):
        device = citizen_actions.register_device(
            session,
            user_id=citizen_id,
            token=body.token,
            platform=body.platform,
            locale=body.locale,
        )
        return {"token": device.token, "platform": device.platform, "locale": device.locale}, 201


@bp.delete("/devices/<path:token>")
@api.validate(resp=Response("HTTP_204", **ERRORS), tags=TAGS, security=SECURED)
def remove_device(token: str) -> tuple[str, int]:
    """Stop push notifications to this device."""
    with as_citizen() as (session, citizen_id):
        citizen_actions.remove_device(session, user_id=citizen_id, token=token)
    return "", 204
