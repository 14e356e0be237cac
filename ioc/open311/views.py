"""Routes of the Open311 GeoReport v2 server (``/open311/v2``): parse, call one function of
:mod:`ioc.open311.domain`, render as ``.json`` or ``.xml``.

The spec, not our OpenAPI document, is the contract here: form-encoded posts, its field
names, and errors as its list of ``{code, description}``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, g, request, url_for
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from ioc.errors import IocError, NotFound, Unavailable
from ioc.extensions import services
from ioc.feedback.intake.idempotency import Caller, StoredAnswer, check_key, request_fingerprint
from ioc.feedback.intake.submission import file_once
from ioc.i18n import translate
from ioc.integrations.api_clients import verify_api_key
from ioc.open311 import domain as open311
from ioc.open311.forms import language, request_query, submission
from ioc.open311.intake import Open311Submission, file_open311_request
from ioc.open311.render import FORMATS, render, render_errors
from ioc.web.errors import as_unavailable, refusal_headers
from ioc.web.limits import caller_key, limiter, open311_submit_per_key, remember_caller

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
#: Where the request keeps the id of the system whose key it proved.
_CLIENT_ID = "ioc_open311_client_id"

#: When the behaviour of this endpoint last changed (the discovery document's changeset).
CHANGESET = datetime(2026, 11, 22, tzinfo=UTC)


@bp.before_request
def _admit_integrators() -> None:
    """A POST proves its ``api_key`` before any field is read (403, never a 400 describing the
    form); the verified system is the one its rate limit counts against."""
    if request.method != "POST":
        return
    key = request.form.get("api_key", "").strip() or None
    client_id = verify_api_key(services().unit_of_work, key)
    setattr(g, _CLIENT_ID, client_id)
    remember_caller("api_client", client_id)


@bp.get("/discovery.<fmt>")
def discovery(fmt: str) -> Response:
    settings = services().settings
    body = open311.discovery(
        # This endpoint's own address without "/discovery.<fmt>": the base clients append to.
        url=url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0],
        contact="Trung tâm điều hành đô thị thông minh (IOC)",
        key_service="Ask the IOC administrators for an api_key (ioc open311 keys create NAME).",
        changeset=CHANGESET,
        timezone=settings.tz,
    )
    return render(body, _format(fmt), root="discovery")


@bp.get("/services.<fmt>")
def services_list(fmt: str) -> Response:
    fmt = _format(fmt)
    with services().unit_of_work() as session:
        body = open311.list_services(session, language=language())
    return render(body, fmt, root="services")


@bp.get("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str) -> Response:
    fmt = _format(fmt)
    with services().unit_of_work() as session:
        body = open311.service_definition(session, service_code=service_code, language=language())
    return render(body, fmt, root="service_definition")


@bp.get("/requests.<fmt>")
def requests_list(fmt: str) -> Response:
    fmt = _format(fmt)
    query = request_query(services().settings.tz)
    with services().unit_of_work() as session:
        shown = open311.list_requests(session, query)
        lang = language()
        body = [_view(item, lang) for item in shown]
    return render(body, fmt, root="service_requests")


@bp.get("/requests/<service_request_id>.<fmt>")
def request_detail(service_request_id: str, fmt: str) -> Response:
    fmt = _format(fmt)
    with services().unit_of_work() as session:
        shown = open311.get_request(session, service_request_id=service_request_id)
        body = [_view(shown, language())]
    return render(body, fmt, root="service_requests")


@bp.post("/requests.<fmt>")
@limiter.limit(open311_submit_per_key, key_func=caller_key)
def create_request(fmt: str) -> Response:
    """File a service request. With an ``Idempotency-Key`` header, a retry with the same key
    and form answers as the first request and files nothing (the same key with another form
    is refused)."""
    fmt = _format(fmt)
    form = submission()
    header = request.headers.get("Idempotency-Key")
    key = check_key(header) if header is not None else None
    client_id: int = g.get(_CLIENT_ID)
    fingerprint = request_fingerprint(
        {name: value for name, value in asdict(form).items() if name != "api_key"}, []
    )
    answer = file_once(
        services().session_factory,
        services().media,
        caller=Caller(api_client_id=client_id),
        key=key,
        fingerprint=fingerprint,
        photos=[],
        file=lambda session, _photos: _filed(session, form, client_id),
    )
    return render(answer.body["service_requests"], fmt, root="service_requests")


def _filed(session: Session, form: Open311Submission, client_id: int) -> StoredAnswer:
    report = file_open311_request(session, services().intake, form, client_id=client_id)
    notice = open311.service_notice(
        open311.PublicRequest.of(report), language=language(), timezone=services().settings.tz
    )
    body = [{"service_request_id": report.ref, "service_notice": notice, "account_id": None}]
    return StoredAnswer(200, {"service_requests": body}, None)


def _view(shown: open311.PublicRequest, lang: str) -> dict[str, Any]:
    media_url = (
        url_for("media.file", key=shown.photo_key, _external=True) if shown.photo_key else None
    )
    return open311.request_view(
        shown, language=lang, timezone=services().settings.tz, media_url=media_url
    )


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound("unknown format: use .json or .xml")
    return fmt


# ---- errors, in the spec's shape ----

#: Our field names as the spec calls them, so an Open311 client recognises its own form.
_FIELD_NAMES = {"category": "service_code", "lon": "long", "address": "address_string"}


@bp.errorhandler(IocError)
def _ioc_error(error: IocError) -> Response:
    lang = language()
    if isinstance(error, Unavailable):  # overloaded or no database: nothing was done
        response = render_errors([(503, translate(error.message, lang))], _requested_format(), 503)
        response.headers.update(refusal_headers(error))
        return response
    status = {403: 403, 404: 404}.get(error.status, 400)
    fields = error.details.get("fields")
    if isinstance(fields, dict) and fields:
        errors = [
            (status, f"{_field_name(name)}: {translate(str(reason), lang)}")
            for name, reason in fields.items()
        ]
    else:
        errors = [(status, translate(error.message, lang))]
    return render_errors(errors, _requested_format(), status)


@bp.errorhandler(DBAPIError)
@bp.errorhandler(PoolTimeout)
def _database_error(error: Exception) -> Response:
    return _ioc_error(as_unavailable(error))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    status = error.code or 400
    description = error.description or error.name
    if status == 429:
        description = translate("too many requests, please try again later", language())
    return render_errors([(status, description)], _requested_format(), status)


def _field_name(name: str) -> str:
    if name.startswith("attributes."):
        return f"attribute[{name.removeprefix('attributes.')}]"
    return _FIELD_NAMES.get(name, name)


def _requested_format() -> str:
    fmt = (request.view_args or {}).get("fmt", "json")
    return fmt if fmt in FORMATS else "json"
