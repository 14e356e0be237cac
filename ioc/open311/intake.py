"""Filing a report that another system sent through Open311 (POST requests).

It goes through the same intake as the mobile app (:func:`ioc.feedback.intake.filing.submit_report`:
routing, deadlines, history, events), with channel ``open311`` and the sending system noted.
The person who reported it becomes a citizen account that only IOC staff see, as for phoned-in
reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ioc.errors import InvalidInput, NotFound
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.people.callers import caller_lookup
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.states import Channel

#: The spec allows 4,000 characters; our intake keeps descriptions to 2,000.
MAX_MEDIA_URL_CHARS = 500


@dataclass(frozen=True)
class Open311Submission:
    """A POST requests form, keys as the spec names them; values still text."""

    api_key: str | None
    service_code: str | None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    media_url: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    #: attribute[code]=value, or a list for attribute[code][]=value (multivaluelist).
    attributes: dict[str, str | list[str]] = field(default_factory=dict)


def file_open311_request(
    session: Session, intake: Intake, form: Open311Submission, *, client_id: int
) -> Report:
    """Check the form, then file the report like any other, noting that the system
    ``client_id`` (whose key the caller has verified) sent it. On PostgreSQL its rows go with
    the transaction's COMMIT: its id (and its reporter's) is set once that succeeded, and a
    COMMIT that finds its reference code taken is to be tried again
    (:func:`ioc.feedback.intake.submission.file_once` does).

    Raises:
        NotFound: ``service_code`` is not a public service.
        InvalidInput: a missing ``service_code`` or point, or anything the intake refuses
            (outside the served area, bad attributes…); ``details["fields"]`` names them.
    """
    if not form.service_code:
        raise InvalidInput(
            "service_code is required", details={"fields": {"service_code": "is required"}}
        )
    category = intake.catalogue.public_category(session, form.service_code)
    if category is None:
        raise NotFound("service_code not found", details={"service_code": form.service_code})
    lon, lat = _point(form)
    # A link into the other system, not a photo we hold: staff can follow it.
    links = (
        [
            ReportHistory(
                action="media_link",
                note=_clip(form.media_url, MAX_MEDIA_URL_CHARS),
                is_public=False,
            )
        ]
        if form.media_url
        else []
    )
    # The answer names the report by its reference code alone: its rows can go with the
    # COMMIT.
    return submit_report(
        session,
        intake,
        category_code=category.code,
        category=category,
        lon=lon,
        lat=lat,
        channel=Channel.OPEN311,
        address=_clip(form.address_string, 300),
        description=form.description or None,
        attributes=_typed_attributes(category.attributes, form.attributes),
        reporter=caller_lookup(**_contact(form)),
        api_client_id=client_id,
        notes=links,
        with_commit=True,
    )


def _point(form: Open311Submission) -> tuple[float, float]:
    if not form.lat or not form.long:
        # The spec also allows an address alone; we route by the point, so we need one.
        reason = "is required: this server places reports by lat and long"
        raise InvalidInput(
            "lat and long are required", details={"fields": {"lat": reason, "long": reason}}
        )
    problems = {}
    values = {}
    for name, text, bound in (("lat", form.lat, 90), ("long", form.long, 180)):
        try:
            values[name] = float(text)
        except ValueError:
            problems[name] = "must be a decimal number (WGS84)"
            continue
        if not -bound <= values[name] <= bound:
            problems[name] = f"must be between -{bound} and {bound}"
    if problems:
        raise InvalidInput("invalid location", details={"fields": problems})
    return values["long"], values["lat"]


def _contact(form: Open311Submission) -> dict[str, str | None]:
    name = " ".join(part for part in (form.first_name, form.last_name) if part) or None
    return {
        "name": _clip(name, 200),
        "phone": _clip(form.phone, 50),
        "email": _clip(form.email, 200),
    }


def _typed_attributes(
    definitions: list[dict[str, Any]], values: dict[str, str | list[str]]
) -> dict[str, Any]:
    """Form values are text: numbers become numbers and lists stay lists, so the intake's
    attribute check sees what the mobile app would have sent."""
    datatypes = {d["code"]: d.get("datatype", "string") for d in definitions}
    typed: dict[str, Any] = {}
    for code, value in values.items():
        datatype = datatypes.get(code)
        if datatype == "number" and isinstance(value, str):
            typed[code] = _number(value)
        elif datatype == "multivaluelist" and isinstance(value, str):
            typed[code] = [value]
        else:
            typed[code] = value
    return typed


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text  # left for the attribute check to name
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() else number


def _clip(text: str | None, limit: int) -> str | None:
    text = (text or "").strip()
    return text[:limit] if text else None
