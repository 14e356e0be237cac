"""Adding to counter rows: insert a row, or add its counters to the row already there.

Every rollup (map cells, cell-weeks, figures and their histograms) is kept current this way in
the report's own transaction. Its after-flush listener hands its changes to
:func:`add_to_rows`, which holds them until the transaction commits and then writes them all:

- Many reports of one transaction, or many flushes, that move the same row add up to one write.
- On PostgreSQL every table's rows go in one statement (each table's upsert reads its rows
  from one JSON parameter), sent in one round trip with the transaction's COMMIT
  (:func:`ioc.db.send_with_commit`): the hot rows every report touches (today's figures for
  its agency, the channel's week) stay locked only while the server runs the two, not from
  the report's flush, nor while a busy process gets round to sending the commit.
- On SQLite each table's upsert is built once and run with all its rows as parameters.

Changes flushed inside a savepoint are written at once, inside it: a rollback to the
savepoint then takes them back with the rows that caused them. Changes held for the commit
were flushed outside any savepoint, so no savepoint's rollback concerns them. A statement of
the same transaction that reads or changes a counter table first has the held changes
written, so it sees what the commit would.

Rows are written table by table in name order, and in key order within a table, so two
transactions lock shared rows in the same order and never deadlock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import ClauseElement, Connection, Table, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.util import find_tables

from ioc.db import send_with_commit

_PENDING = "ioc_counter_rows"

#: ``session.info`` key: set it on a session whose flushed rows other sessions read before it
#: commits (test fixtures that share one connection with the app), so its counters are
#: written at every flush instead of at its commit.
WRITE_AT_FLUSH = "ioc_counter_rows_at_flush"

#: A table's rows to write: key → counters, in the table's counter order.
_ByKey = dict[tuple[Any, ...], list[int]]


@dataclass(frozen=True)
class CounterTable:
    """A table of counters: the columns that name a row, and the counters added to it."""

    table: Table
    keys: tuple[str, ...]
    counters: tuple[str, ...]


@dataclass
class _Pending:
    """Counter changes of one transaction, not written yet."""

    transaction: SessionTransaction
    rows: dict[CounterTable, _ByKey] = field(default_factory=dict)
    #: Set once the commit has begun: changes flushed after that are written at once.
    written: bool = False

    def add(self, target: CounterTable, rows: Sequence[dict[str, Any]]) -> None:
        _sum_into(self.rows.setdefault(target, {}), target, rows)


def add_to_rows(
    session: Session,
    table: Table,
    keys: Sequence[str],
    counters: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Insert ``rows``, or add their ``counters`` to the rows already there with their
    ``keys``, when the session's transaction commits (at once inside a savepoint). Every row
    names the key columns and the counters."""
    if not rows:
        return
    target = CounterTable(table, tuple(keys), tuple(counters))
    pending = _pending(session)
    if (
        pending is None
        or pending.written
        or session.get_nested_transaction() is not None
        or session.info.get(WRITE_AT_FLUSH)
    ):
        write_counter_rows(session.connection(), {target: _sum_into({}, target, rows)})
        return
    pending.add(target, rows)


def _sum_into(held: _ByKey, target: CounterTable, rows: Sequence[dict[str, Any]]) -> _ByKey:
    for row in rows:
        key = tuple(row[name] for name in target.keys)
        counts = held.setdefault(key, [0] * len(target.counters))
        for i, name in enumerate(target.counters):
            counts[i] += row[name]
    return held


def _pending(session: Session) -> _Pending | None:
    transaction = session.get_transaction()
    if transaction is None:
        return None
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is None or pending.transaction is not transaction:
        pending = session.info[_PENDING] = _Pending(transaction)
    return pending


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """Write what is held. The hook also runs when a savepoint is released, which it cannot
    tell from the commit of a transaction with a savepoint still open: it writes then too
    (the rows stay either way) and goes on holding what the transaction flushes later."""
    pending = session.info.get(_PENDING)
    if pending is None or pending.transaction is not session.get_transaction():
        return
    session.flush()  # the commit's own flush comes after this hook; its changes count too
    if session.get_nested_transaction() is None:
        pending.written = True
    if pending.rows:
        write_counter_rows(session.connection(), pending.rows, session=session)
        pending.rows = {}


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading(execute_state: ORMExecuteState) -> None:
    """A statement of the transaction itself that reads or changes a counter table sees the
    counters as they would be committed: what is held is written first."""
    session = execute_state.session
    pending = session.info.get(_PENDING)
    if pending is None or not pending.rows or pending.transaction is not session.get_transaction():
        return
    statement = execute_state.statement
    if not isinstance(statement, ClauseElement):
        return
    tables = set(find_tables(statement, include_crud=True, include_joins=True))
    if any(target.table in tables for target in pending.rows):
        write_counter_rows(session.connection(), pending.rows)
        pending.rows = {}


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending is not None and pending.transaction is transaction:
        del session.info[_PENDING]


def write_counter_rows(
    connection: Connection, rows: dict[CounterTable, _ByKey], *, session: Session | None = None
) -> None:
    """Add the counters of ``rows`` (per table: key → counters) to their rows; rows whose
    counters add up to nothing are left out. Given the ``session`` whose commit is under
    way, they go with its COMMIT where the database allows."""
    ordered = [
        (target, sorted(((k, c) for k, c in by_key.items() if any(c)), key=_sort_key))
        for target, by_key in sorted(rows.items(), key=lambda item: item[0].table.name)
    ]
    ordered = [(target, items) for target, items in ordered if items]
    if not ordered:
        return
    if connection.dialect.name == "postgresql":
        _write_in_one_statement(connection, ordered, session)
        return
    for target, items in ordered:
        statement = _upsert(connection.dialect.name, target)
        parameters = [_as_row(target, key, counts) for key, counts in items]
        connection.execute(statement, parameters[0] if len(parameters) == 1 else parameters)


_Items = list[tuple[tuple[Any, ...], list[int]]]


def _write_in_one_statement(
    connection: Connection, ordered: list[tuple[CounterTable, _Items]], session: Session | None
) -> None:
    sql = _upserts_from_json(tuple(target for target, _ in ordered), connection.dialect)
    parameters = {
        f"t{t}": json.dumps(
            [_as_row(target, tuple(map(_plain, key)), counts) for key, counts in items],
            default=str,  # dates, as ISO text
        )
        for t, (target, items) in enumerate(ordered)
    }
    if session is None or not send_with_commit(session, sql, parameters):
        connection.exec_driver_sql(sql, parameters)


@cache
def _upserts_from_json(targets: tuple[CounterTable, ...], dialect: Any) -> str:
    """``WITH t0 AS (INSERT … SELECT … FROM json_populate_recordset(…) ON CONFLICT … DO
    UPDATE …), t1 AS … SELECT 1``: one statement that upserts into every table, reading each
    one's rows from one JSON array (one parameter per table, read with the table's own
    column types)."""
    quote = dialect.identifier_preparer.quote
    parts = []
    for t, target in enumerate(targets):
        columns = ", ".join(map(quote, (*target.keys, *target.counters)))
        table = quote(target.table.name)
        additions = ", ".join(
            f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in target.counters
        )
        parts.append(
            f"t{t} AS (INSERT INTO {table} ({columns}) "
            f"SELECT {columns} FROM json_populate_recordset(NULL::{table}, %(t{t})s::json) "
            f"ON CONFLICT ({', '.join(map(quote, target.keys))}) DO UPDATE SET {additions})"
        )
    return f"WITH {', '.join(parts)} SELECT 1"


def _as_row(target: CounterTable, key: tuple[Any, ...], counts: list[int]) -> dict[str, Any]:
    return dict(zip(target.keys, key, strict=True)) | dict(
        zip(target.counters, counts, strict=True)
    )


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _sort_key(item: tuple[tuple[Any, ...], list[int]]) -> tuple[tuple[bool, Any], ...]:
    return tuple((value is not None, _plain(value)) for value in item[0])


@cache
def _upsert(dialect: str, target: CounterTable) -> Insert:
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(target.table)
    return statement.on_conflict_do_update(
        index_elements=list(target.keys),
        set_={name: target.table.c[name] + statement.excluded[name] for name in target.counters},
    )
