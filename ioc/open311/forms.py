"""Reading GeoReport v2 requests: query filters, the form-encoded POST and the language."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import request

from ioc.errors import InvalidInput
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from ioc.open311.domain import RequestQuery
from ioc.open311.intake import Open311Submission
from ioc.open311.render import without_control_characters

_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def language() -> str:
    """``locale`` (``en``, ``en_US``, ``vi``…) when given, else ``Accept-Language``;
    Vietnamese by default."""
    locale = request.values.get("locale", "").strip().lower()[:2]
    if locale in SUPPORTED_LANGUAGES:
        return locale
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default=DEFAULT_LANGUAGE)


def request_query(timezone: ZoneInfo) -> RequestQuery:
    """The filters of GET requests.

    Raises:
        InvalidInput: a date that is not W3C date-time (``2026-11-01T00:00:00+07:00``).
    """
    args = request.args
    return RequestQuery(
        service_request_ids=_comma_list(args.get("service_request_id")),
        service_codes=_comma_list(args.get("service_code")),
        statuses=[s.lower() for s in _comma_list(args.get("status"))],
        start=_moment(args.get("start_date"), "start_date", timezone),
        end=_moment(args.get("end_date"), "end_date", timezone),
    )


def submission() -> Open311Submission:
    """The POST form as the spec names it; ``attribute[code]`` and ``attribute[code][]``
    (several values of a multivaluelist) are gathered into ``attributes``."""
    form = request.form
    attributes: dict[str, str | list[str]] = {}
    for key in form:
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        code, is_list = match.group(1), bool(match.group(2))
        values = [without_control_characters(v) for v in form.getlist(key)]
        attributes[code] = values if is_list else values[-1]

    def text(name: str) -> str | None:
        value = without_control_characters(form.get(name, "")).strip()
        return value or None

    texts = {f.name: text(f.name) for f in fields(Open311Submission) if f.name != "attributes"}
    return Open311Submission(**texts, attributes=attributes)


def _comma_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _moment(value: str | None, field: str, timezone: ZoneInfo) -> datetime | None:
    if not value or not value.strip():
        return None  # the spec treats an empty parameter as an absent one
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a W3C date-time",
            details={"fields": {field: "must be like 2026-11-01T00:00:00+07:00"}},
        ) from None
    # A date without an offset is read in the province's time zone.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone)
