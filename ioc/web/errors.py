"""One JSON error shape for every failure, in the asker's language."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, request
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ioc.errors import Conflict, IocError, Unavailable
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translate
from ioc.telemetry.metrics import UNAVAILABLE

log = logging.getLogger(__name__)

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
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(PoolTimeout, _database_error)


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
    if isinstance(error, Unavailable):
        headers.update(refusal_headers(error))
    return {"error": body}, error.status, headers


def refusal_headers(error: Unavailable) -> dict[str, str]:
    """The headers of a 503 (counted in the metrics); every adapter answering one uses them."""
    UNAVAILABLE.labels(reason=error.code).inc()
    g.ioc_retry_after = str(error.retry_after)
    return {"Retry-After": g.ioc_retry_after}


def keep_retry_after(response: Response) -> Response:
    """After-request hook: a 503's own Retry-After stands (the rate limiter, whose hook runs
    before this one, would otherwise put the end of its counting window there)."""
    value = g.pop("ioc_retry_after", None)
    if value is not None and response.status_code == 503:
        response.headers["Retry-After"] = value
    return response


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


#: Seconds to wait before asking again when the database cannot be reached (a restart or a
#: failover takes that long at least) or a statement ran too long, and when it was only busy.
DATABASE_RETRY_SECONDS = 5
BUSY_RETRY_SECONDS = 1

#: PostgreSQL states that say "the database is not there now", not "this request is wrong":
#: connection exceptions (08), too many connections or out of resources (53), the server
#: shutting down, crashing or starting up (57P01-57P03).
_UNREACHABLE_CLASSES = ("08", "53")
_UNREACHABLE_STATES = ("57P01", "57P02", "57P03")
_QUERY_CANCELED = "57014"


def database_unavailable(error: Exception) -> Unavailable | None:
    """The 503 a database failure amounts to, or None when it is a fault of ours (a 500).

    The request's unit of work has rolled back when this is asked: nothing it did is stored.
    """
    if isinstance(error, PoolTimeout):
        return Unavailable(
            "the database is busy; nothing was saved, please try again shortly",
            code="database_busy",
            retry_after=BUSY_RETRY_SECONDS,
        )
    if not isinstance(error, DBAPIError):
        return None
    driver_error = error.orig
    state = getattr(driver_error, "sqlstate", None) or getattr(driver_error, "pgcode", None)
    from_postgresql = type(driver_error).__module__.split(".")[0] in ("psycopg", "psycopg2")
    if from_postgresql and state == _QUERY_CANCELED:
        return Unavailable(
            "the request took too long and was cancelled; nothing was saved, please try again",
            code="statement_timeout",
            retry_after=DATABASE_RETRY_SECONDS,
        )
    unreachable = error.connection_invalidated or (
        from_postgresql
        and (
            state is None  # refused, reset or closed before the server said anything
            or state.startswith(_UNREACHABLE_CLASSES)
            or state in _UNREACHABLE_STATES
        )
    )
    if unreachable:
        return Unavailable(
            "the database cannot be reached; nothing was saved, please try again shortly",
            code="database_unavailable",
            retry_after=DATABASE_RETRY_SECONDS,
        )
    if "database is locked" in str(driver_error):  # SQLite: a writer held the lock too long
        return Unavailable(
            "the database is busy; nothing was saved, please try again shortly",
            code="database_busy",
            retry_after=BUSY_RETRY_SECONDS,
        )
    return None


def as_unavailable(error: Exception) -> Unavailable:
    """The 503 for a database failure (logged for the operator); any other failure is raised
    again, to be logged and answered 500 as any fault of ours."""
    unavailable = database_unavailable(error)
    if unavailable is None:
        raise error
    log.warning("answered 503 %s: %s", unavailable.code, getattr(error, "orig", None) or error)
    return unavailable


def _database_error(error: Exception) -> tuple[dict[str, Any], int, dict[str, str]]:
    return _ioc_error(as_unavailable(error))
