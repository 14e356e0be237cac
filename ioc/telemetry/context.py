"""The id of the request (or job) being handled, carried through logs and outbox rows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

#: What a caller may send as ``X-Request-Id``: short, printable, no spaces or separators that
#: would let it forge log fields or headers.
_SANE = re.compile(r"[A-Za-z0-9._:@-]{8,64}")

_current: ContextVar[str | None] = ContextVar("ioc_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(candidate: str | None) -> str | None:
    """``candidate`` when it is safe to log and echo, else None."""
    if candidate and _SANE.fullmatch(candidate):
        return candidate
    return None


def current_request_id() -> str | None:
    """The id of the request this code runs for, or None outside any."""
    return _current.get()


def bind_request_id(request_id: str | None) -> object:
    """Make ``request_id`` current; returns a token for :func:`unbind_request_id`."""
    return _current.set(request_id)


def unbind_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


@contextmanager
def request_id_bound(request_id: str | None) -> Iterator[None]:
    """Log lines written inside the block carry ``request_id`` (the worker, per delivery)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)
