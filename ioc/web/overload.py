"""Overload protection: refuse quickly what cannot be served in time, never half-serve it.

* A request that already waited longer than ``IOC_REQUEST_DEADLINE_MS`` in front of the app
  is refused with 503 before any of its work starts: its client has likely given up, and a
  report filed for nobody only makes the queue longer. The wait is read from the
  ``X-Request-Start: t=<seconds since 1970>`` header nginx adds (``deploy/nginx.conf``) when
  it hands the request over; the header is believed only when the app runs behind trusted
  proxies (``IOC_TRUSTED_PROXIES``), since a client could send any value itself.
* At most ``IOC_MAX_IN_FLIGHT`` requests are worked on at once in a process; one more waits
  up to ``IOC_ADMISSION_WAIT_MS`` for a place and is refused with 503 if none frees up
  (under gevent every accepted connection is a greenlet, so without a bound the CPU is
  shared by ever more requests and all of them get slow; a waiting request costs nothing,
  and a short wait absorbs a burst that a few answers later will have room for). Health
  checks, metrics and websockets are never refused or counted.
* Each transaction a web request begins on PostgreSQL is cancelled after
  ``IOC_DB_STATEMENT_TIMEOUT_MS`` (:func:`ioc.db.limit_statement_time`); commands, the worker
  and migrations run without that limit.

Every refusal is a 503 in the error envelope with ``Retry-After`` (:mod:`ioc.web.errors`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, has_request_context, request
from werkzeug.wsgi import ClosingIterator

from ioc.config import Settings
from ioc.db import limit_statement_time
from ioc.errors import Unavailable
from ioc.web.errors import keep_retry_after

#: Paths never refused nor counted: load balancers must see the truth about the process, and a
#: websocket holds its request for the whole life of the connection.
EXEMPT_PREFIXES = ("/socket.io/", "/healthz", "/readyz", "/metrics")
#: Where the middleware tells the app why a request is refused (read by ``_refuse``).
REFUSAL_KEY = "ioc.refusal"
#: Where the app tells the middleware that its answer is made while it is sent (an export).
STREAMING_KEY = "ioc.streaming"
#: Seconds a refused client is asked to wait before trying again.
SHED_RETRY_SECONDS = 2

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request_start(value: str | None) -> float | None:
    """The Unix time in an ``X-Request-Start`` value (``t=1700000000.123`` as nginx's
    ``$msec`` gives it; milliseconds and microseconds are recognised too), or None."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("t="):
        text = text[2:]
    try:
        stamp = float(text)
    except ValueError:
        return None
    if not stamp > 0 or stamp == float("inf"):
        return None
    if stamp > 1e14:  # microseconds
        return stamp / 1e6
    if stamp > 1e11:  # milliseconds
        return stamp / 1e3
    return stamp


class Shedder:
    """WSGI middleware: marks requests to refuse (the app answers them in its error envelope)
    and holds an in-flight slot for each request it lets through until its answer is sent."""

    def __init__(
        self,
        app: WsgiApp,
        *,
        max_in_flight: int,
        deadline_ms: int,
        trust_request_start: bool,
        admission_wait_ms: int = 0,
    ) -> None:
        self.app = app
        self.admission_wait = admission_wait_ms / 1000
        self.deadline = deadline_ms / 1000 if deadline_ms > 0 else None
        self.trust_request_start = trust_request_start
        self.slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight > 0 else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(EXEMPT_PREFIXES):
            return self.app(environ, start_response)
        if self.deadline is not None and self.trust_request_start:
            started = request_start(environ.get("HTTP_X_REQUEST_START"))
            if started is not None and time.time() - started > self.deadline:
                environ[REFUSAL_KEY] = "deadline_exceeded"
                return self.app(environ, start_response)
        slots = self.slots
        if slots is None:
            return self.app(environ, start_response)
        admitted = (
            slots.acquire(timeout=self.admission_wait)
            if self.admission_wait > 0
            else slots.acquire(blocking=False)
        )
        if not admitted:
            environ[REFUSAL_KEY] = "overloaded"
            return self.app(environ, start_response)
        # A list, not a flag: the app may be handed a copy of the environ (Socket.IO's layer).
        streaming: list[bool] = []
        environ[STREAMING_KEY] = streaming
        try:
            body = self.app(environ, start_response)
        except BaseException:
            slots.release()
            raise
        if not streaming:
            slots.release()  # the answer is made; sending it is the server's (and nginx's) job
            return body
        return _Releasing(body, slots.release)


class _Releasing:
    """A streamed answer's body (an export written as it is read from the database): its slot
    is held until the last part is made or the server closes it, whichever comes first."""

    def __init__(self, body: Iterable[bytes], release: Callable[[], Any]) -> None:
        self._parts = iter(body)
        self._body = body
        self._release: Callable[[], Any] | None = release

    def __iter__(self) -> _Releasing:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._parts)
        except StopIteration:
            self._done()
            raise

    def close(self) -> None:
        try:
            ClosingIterator(self._body).close()
        finally:
            self._done()

    def _done(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


_REFUSALS = {
    "deadline_exceeded": "the request waited too long before the server could take it; "
    "nothing was saved, please try again",
    "overloaded": "the server is busy; nothing was saved, please try again shortly",
}


def init_app(app: Flask, settings: Settings) -> None:
    """Install the shedding middleware, the refusal hook (call before any other hook that
    does work: rate limits, body checks) and the web requests' statement timeout."""
    app.wsgi_app = Shedder(  # type: ignore[method-assign]
        app.wsgi_app,
        max_in_flight=settings.max_in_flight,
        deadline_ms=settings.request_deadline_ms,
        trust_request_start=settings.trusted_proxies > 0,
        admission_wait_ms=settings.admission_wait_ms,
    )
    app.before_request(_refuse)
    app.after_request(_note_streaming)
    # Registered before the rate limiter's, so it runs after it (Flask runs them in reverse).
    app.after_request(keep_retry_after)
    limit_statement_time(
        app.extensions["ioc"].engine, settings.db_statement_timeout_ms, has_request_context
    )


def _refuse() -> None:
    reason = request.environ.get(REFUSAL_KEY)
    if reason in _REFUSALS:
        raise Unavailable(_REFUSALS[reason], code=reason, retry_after=SHED_RETRY_SECONDS)


def _note_streaming(response: Response) -> Response:
    # A file is sent by the server itself; a generator still works while it is sent.
    streaming = request.environ.get(STREAMING_KEY)
    if isinstance(streaming, list) and response.is_streamed and not response.direct_passthrough:
        streaming.append(True)
    return response
