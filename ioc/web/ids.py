"""Row ids and cursors in URLs, bounded by what the database columns hold.

Ids are PostgreSQL ``integer`` columns: a number past 2³¹−1 in a path or a query cannot name
a row, and comparing it with one fails in the database (out of range) instead of finding
nothing. A path id out of range matches no route (404); a query id out of range is a field
error naming it.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

#: The largest value of a PostgreSQL ``integer`` column.
MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a positive number no larger than :data:`MAX_ID`."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
