"""Routes of the mobile API. Each parses, calls one use case, and shapes the answer."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, request, url_for
from spectree import Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ioc.errors import MalformedRequest
from ioc.extensions import services
from ioc.feedback import citizen_actions, idempotency, tracking
from ioc.feedback.citizen_actions import Rating
from ioc.feedback.models import Category
from ioc.feedback.service import StoredPhoto, submit_report
from ioc.feedback.states import Channel
from ioc.web.limits import SUBMIT_PER_CITIZEN, SUBMIT_PER_IP, citizen_key, limiter
from ioc.web.openapi import api
from mobile_api import presenters
from mobile_api.auth import authenticate, citizen_account, language
from mobile_api.intake import Submission, read_submission
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


@bp.before_request
def _refuse_unreadable_json() -> None:
    """A body sent as JSON that does not parse is a 400, before any field is checked."""
    if (
        request.mimetype == "application/json"
        and request.get_data(cache=True)
        and request.get_json(silent=True) is None
    ):
        raise MalformedRequest("the request body is not valid JSON")


SECURED = {"firebase": []}
ERRORS = {"HTTP_401": ErrorOut, "HTTP_404": ErrorOut, "HTTP_422": ErrorOut}


@bp.get("/categories")
@api.validate(resp=Response(HTTP_200=CategoryList), tags=TAGS)
def list_categories() -> dict[str, Any]:
    """Active categories with their groups, attributes and whether a photo is required."""
    lang = language()
    with services().unit_of_work() as session:
        rows = session.scalars(
            select(Category).where(Category.is_active.is_(True)).order_by(Category.sort_order)
        )
        return {"items": [presenters.category(cat, lang) for cat in rows]}


@bp.post("/reports")
@limiter.limit(SUBMIT_PER_CITIZEN, key_func=citizen_key)
@limiter.limit(SUBMIT_PER_IP)
@api.validate(
    json=ReportIn,
    form=ReportForm,
    headers=SubmitHeaders,
    resp=Response(HTTP_201=ReportOut, HTTP_200=ReportOut, HTTP_429=ErrorOut, **ERRORS),
    tags=TAGS,
    security=SECURED,
)
def create_report() -> Any:
    """Submit a report (JSON, or multipart with photos). Needs an `Idempotency-Key` header:
    a retry with the same key and body returns the first answer and creates nothing."""
    identity = authenticate()
    key = idempotency.check_key(request.context.headers.idempotency_key)  # type: ignore[attr-defined]
    submission = read_submission()
    fingerprint = idempotency.request_fingerprint(
        submission.report.model_dump(mode="json"), submission.raw_digests
    )
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
        earlier = idempotency.find_answer(
            session, user_id=citizen_id, key=key, fingerprint=fingerprint
        )
    if earlier is None:
        try:
            earlier = _file_report(submission, citizen_id, key, fingerprint)
        except IntegrityError:
            # The same key raced in from a parallel retry, which won: answer as it did.
            with services().unit_of_work() as session:
                earlier = idempotency.find_answer(
                    session, user_id=citizen_id, key=key, fingerprint=fingerprint
                )
            if earlier is None:
                raise
    return earlier.body, earlier.status_code, {"Location": earlier.location}


def _file_report(
    submission: Submission, citizen_id: int, key: str, fingerprint: str
) -> idempotency.StoredAnswer:
    report_in = submission.report
    with services().media.staged() as batch:
        stored = [
            StoredPhoto(
                storage_key=batch.put(photo.data),
                thumbnail_key=batch.put(photo.thumbnail),
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                byte_size=len(photo.data),
                sha256=photo.sha256,
            )
            for photo in submission.photos
        ]
        with services().unit_of_work() as session:
            report = submit_report(
                session,
                services().intake,
                category_code=report_in.category,
                lon=report_in.lon,
                lat=report_in.lat,
                accuracy_m=report_in.accuracy_m,
                address=report_in.address,
                description=report_in.description,
                attributes=report_in.attributes,
                channel=Channel.MOBILE,
                reporter_id=citizen_id,
                photos=stored,
            )
            body = presenters.report(report, language(), viewer_id=citizen_id)
            answer = idempotency.StoredAnswer(
                status_code=201,
                body=json.loads(
                    current_app.json.dumps(ReportOut.model_validate(body).model_dump())
                ),
                location=url_for("mobile_api.show_report", ref=report.ref),
            )
            idempotency.remember_answer(
                session, user_id=citizen_id, key=key, fingerprint=fingerprint, answer=answer
            )
    return answer


@bp.get("/reports/mine")
@api.validate(
    query=PageQuery, resp=Response(HTTP_200=ReportPage, **ERRORS), tags=TAGS, security=SECURED
)
def my_reports() -> dict[str, Any]:
    """The caller's reports, newest first; pass `next_cursor` back as `cursor`."""
    identity = authenticate()
    query: PageQuery = request.context.query  # type: ignore[attr-defined]
    lang = language()
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
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
    authenticate()
    query: NearbyQuery = request.context.query  # type: ignore[attr-defined]
    lang = language()
    with services().unit_of_work() as session:
        nearby = tracking.find_nearby_open(
            session, category_code=query.category, lon=query.lon, lat=query.lat
        )
        radius = session.scalar(
            select(Category.duplicate_radius_m).where(Category.code == query.category)
        )
        return {
            "items": [
                {**presenters.summary(r, lang), "distance_m": round(d, 1)} for r, d in nearby
            ],
            "radius_m": radius,
        }


@bp.get("/reports/<ref>")
@api.validate(resp=Response(HTTP_200=ReportDetail, **ERRORS), tags=TAGS, security=SECURED)
def show_report(ref: str) -> dict[str, Any]:
    """Status, public timeline, agency, deadline, and the published result."""
    identity = authenticate()
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        return presenters.report_detail(report, language(), viewer_id=citizen_id)


@bp.post("/reports/<ref>/comments")
@api.validate(
    json=CommentIn,
    resp=Response("HTTP_204", HTTP_403=ErrorOut, **ERRORS),
    tags=TAGS,
    security=SECURED,
)
def comment_on_report(ref: str) -> tuple[str, int]:
    """The reporter adds information for the operators."""
    identity = authenticate()
    body: CommentIn = request.context.json  # type: ignore[attr-defined]
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        citizen_actions.add_comment(session, report=report, citizen_id=citizen_id, text=body.text)
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
    identity = authenticate()
    body: RatingIn = request.context.json  # type: ignore[attr-defined]
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
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
@api.validate(
    resp=Response(HTTP_200=ReportOut, HTTP_409=ErrorOut, **ERRORS), tags=TAGS, security=SECURED
)
def support_report(ref: str) -> dict[str, Any]:
    """ "Me too": follow the report; it counts one more supporter."""
    identity = authenticate()
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
        report = tracking.get_report(session, ref=ref, viewer_id=citizen_id)
        citizen_actions.support_report(session, report=report, citizen_id=citizen_id)
        return presenters.report(report, language(), viewer_id=citizen_id)


@bp.post("/devices")
@api.validate(
    json=DeviceIn, resp=Response(HTTP_201=DeviceOut, **ERRORS), tags=TAGS, security=SECURED
)
def register_device() -> tuple[dict[str, Any], int]:
    """Register an FCM token so the citizen hears about their reports."""
    identity = authenticate()
    body: DeviceIn = request.context.json  # type: ignore[attr-defined]
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
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
    identity = authenticate()
    with services().unit_of_work() as session:
        citizen_id = citizen_account(session, identity).id
        citizen_actions.remove_device(session, user_id=citizen_id, token=token)
    return "", 204
