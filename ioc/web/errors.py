"""One JSON error shape for every failure, in the asker's language."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ioc.errors import Conflict, IocError
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translate

#: Statuses whose framework text is replaced by a message of ours (Flask's are English only).
_MESSAGES = {
    404: "not found",
    405: "method not allowed",
    429: "too many requests, please try again later",
}


class ErrorOut(BaseModel):
    """The one error shape: ``{"error": {"code", "message", "details"}}``."""

    error: dict[str, Any]


#: Answers any endpoint may give whatever it does: a body that cannot be read, nested too
#: deeply or holding text no database stores (400, ``body_guard``/``text_guard``), too large
#: (413), in a format the route does not read (415), a field refused (422) or too many
#: requests (429).
REQUEST_ERRORS: dict[str, type[BaseModel]] = {
    "HTTP_400": ErrorOut,
    "HTTP_413": ErrorOut,
    "HTTP_415": ErrorOut,
    "HTTP_422": ErrorOut,
    "HTTP_429": ErrorOut,
}


def init_app(app: Flask) -> None:
    app.register_error_handler(IocError, _ioc_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, _concurrent_change)


def _language() -> str:
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default=DEFAULT_LANGUAGE)


def _ioc_error(error: IocError) -> tuple[dict[str, Any], int, dict[str, str]]:
    language = _language()
    body = error.to_dict()
    body["message"] = translate(error.message, language)
    fields = body.get("details", {}).get("fields")
    if isinstance(fields, dict):
        body["details"]["fields"] = {
            name: translate(reason, language) if isinstance(reason, str) else reason
            for name, reason in fields.items()
        }
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    return {"error": body}, error.status, headers


def _http_error(error: HTTPException) -> tuple[dict[str, Any], int, list[tuple[str, str]]]:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    message = _MESSAGES.get(status)
    text = translate(message, _language()) if message else (error.description or code)
    # The exception's own headers (``Allow`` on a 405, ``Retry-After`` on a 429/503) stay.
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    return {"error": {"code": code, "message": text}}, status, headers


def _concurrent_change(_error: StaleDataError) -> tuple[dict[str, Any], int, dict[str, str]]:
    # Two people acted on one report at once; the other change won (optimistic locking).
    return _ioc_error(Conflict("the report was changed by someone else; reload and try again"))
