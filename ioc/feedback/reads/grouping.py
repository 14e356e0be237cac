"""SQL expressions the set-based recounts group by, the same on PostgreSQL and SQLite.

A recount after a bulk load adds a million reports up in the database (``INSERT … SELECT …
GROUP BY``) rather than in Python; these expressions give each row the key, bucket and whole
seconds that the live upkeep computes in Python for the same report, so both always agree
(the rollup tests compare them on both databases). Recounts group by these expressions
through a subquery's columns: PostgreSQL does not match a GROUP BY expression with bound
parameters to the same expression in the select list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Date, Integer, case, cast, func


def month_start(day: Any, dialect: str) -> ColumnElement[Any]:
    """The first day of ``day``'s month (``day`` a DATE column)."""
    if dialect == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    return func.date(day, "start of month")


def week_start(day: Any, dialect: str) -> ColumnElement[Any]:
    """The Monday of ``day``'s ISO week (``day`` a DATE column)."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    # The next Sunday (the day itself when a Sunday), six days back.
    return func.date(day, "weekday 0", "-6 days")


def whole_number(value: Any, dialect: str) -> ColumnElement[int]:
    """``value`` (a float) rounded half up to a whole number, as :func:`round_half_up`."""
    if dialect == "postgresql":
        return cast(func.floor(value + 0.5), BigInteger)
    # SQLite has no floor() unless built with its maths functions: truncate, then step down
    # where truncation went up (negative values).
    shifted = value + 0.5
    truncated = cast(shifted, Integer)
    return truncated - case((shifted < truncated, 1), else_=0)


def round_half_up(value: float) -> int:
    """The whole number nearest ``value``, halves up: the rounding :func:`whole_number` does
    in SQL (Python's ``round`` sends halves to the even number, PostgreSQL's ``round`` of a
    float follows the platform)."""
    return math.floor(value + 0.5)


def bucket_number(value: Any, edges: Sequence[int]) -> ColumnElement[int]:
    """The index of the last edge at or below ``value`` (0 below the first): what
    ``bisect_right(edges, value) - 1`` gives in Python, floored at 0."""
    whens = [(value >= edge, index) for index, edge in reversed(list(enumerate(edges))) if index]
    return case(*whens, else_=0)
