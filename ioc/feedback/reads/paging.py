"""Keyset paging, the one way every list pages.

A page ends with ``next_cursor``: an opaque, URL-safe token holding the sort key of its last
item, or ``None`` on the last page, so a list never stops silently. The next page starts
strictly after that key, so an item is listed once even while reports are filed or change
between pages (an item whose key moves behind the cursor is found by reloading from the first
page, as a moved item would be on any screen).

The token carries the list's name and a checksum and is checked on decoding: an altered or
foreign cursor is an :class:`~ioc.errors.InvalidCursor` (400), never a failed query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

from ioc.errors import InvalidCursor, InvalidInput

#: Items per page unless the caller asks otherwise, and the most a caller may ask for.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")
Kind = Literal["datetime", "int", "bool", "optional_datetime"]
_CHECK_BYTES = 6


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    #: Pass back as ``cursor`` for the next page; ``None`` on the last one.
    next_cursor: str | None


@dataclass(frozen=True)
class Keyset:
    """The sort key of one list: its name (a cursor is valid for that list only) and the kind
    of each key part, checked when a cursor is read back."""

    name: str
    kinds: tuple[Kind, ...]

    def encode(self, values: Sequence[Any]) -> str:
        payload = json.dumps(
            [self.name, *(_dump(kind, v) for kind, v in zip(self.kinds, values, strict=True))],
            separators=(",", ":"),
        ).encode()
        token = _check(payload) + payload
        return base64.urlsafe_b64encode(token).rstrip(b"=").decode("ascii")

    def decode(self, cursor: str) -> tuple[Any, ...]:
        """The key the cursor was made from.

        Raises:
            InvalidCursor: not a cursor this list gave out.
        """
        try:
            token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            check, payload = token[:_CHECK_BYTES], token[_CHECK_BYTES:]
            if check != _check(payload):
                raise ValueError("checksum")
            name, *parts = json.loads(payload)
            if name != self.name or len(parts) != len(self.kinds):
                raise ValueError("another list's cursor")
            return tuple(_load(kind, v) for kind, v in zip(self.kinds, parts, strict=True))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
            raise InvalidCursor(
                "the cursor is not valid for this list; start again from the first page",
                details={"fields": {"cursor": "not a cursor given out by this list"}},
            ) from error


def after(
    columns: Sequence[ColumnElement[Any] | QueryableAttribute[Any]],
    key: Sequence[Any],
    *,
    descending: bool,
) -> ColumnElement[bool]:
    """Rows strictly after ``key`` in the order of ``columns`` (all ascending or all
    descending): one row-value comparison, which both backends answer with an index range."""
    row = tuple_(*columns)
    return row < tuple(key) if descending else row > tuple(key)


def check_page_size(limit: int) -> int:
    """Raises:
    InvalidInput: ``limit`` outside 1…:data:`MAX_PAGE_SIZE`."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(
            "out of range", details={"fields": {"limit": f"between 1 and {MAX_PAGE_SIZE}"}}
        )
    return limit


def take_page(
    session: Session,
    query: Select[T],
    *,
    limit: int,
    keyset: Keyset,
    key_of: Callable[[T], Sequence[Any]],
) -> Page[T]:
    """One page of ``query`` (already ordered and started after the cursor): one more row
    than asked for tells whether another page follows."""
    limit = check_page_size(limit)
    rows = list(session.scalars(query.limit(limit + 1)))
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items, keyset.encode(key_of(items[-1])) if more else None)


def _check(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECK_BYTES, person=b"ioc-cursor").digest()


def _dump(kind: Kind, value: Any) -> Any:
    if kind in ("datetime", "optional_datetime"):
        return None if value is None else value.isoformat()
    return value


def _load(kind: Kind, value: Any) -> Any:
    if kind == "optional_datetime" and value is None:
        return None
    if kind in ("datetime", "optional_datetime"):
        moment = datetime.fromisoformat(value)  # TypeError/ValueError when not a timestamp
        if moment.tzinfo is None:
            raise ValueError("naive timestamp")
        return moment
    expected = {"int": int, "bool": bool}[kind]
    if type(value) is not expected:
        raise TypeError(f"{kind} expected")
    return value
