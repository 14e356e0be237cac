"""Adding to counter rows: insert a row, or add its counters to the row already there.

Every rollup (map cells, cell-weeks, figures and their histograms) is kept current this way in
the report's own transaction. The upsert is built once per table, key and counters and run
with all of a flush's rows as its parameters: SQLAlchemy compiles it once per process instead
of once per flush, which was the largest share of a report's filing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.dml import Insert


def add_to_rows(
    connection: Connection,
    table: Table,
    keys: Sequence[str],
    counters: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Insert ``rows``, or add their ``counters`` to the rows already there with their
    ``keys``. Every row names the same columns; they are written in the order given, so
    writers that sort their rows lock them in the same order and never deadlock."""
    if not rows:
        return
    statement = _upsert(connection.dialect.name, table, tuple(keys), tuple(counters))
    connection.execute(statement, rows[0] if len(rows) == 1 else list(rows))


@cache
def _upsert(dialect: str, table: Table, keys: tuple[str, ...], counters: tuple[str, ...]) -> Insert:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counters},
    )
