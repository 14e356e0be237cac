"""Adding to counter rows: insert a row, or add its counters to the row already there.

Every rollup (map cells, cell-weeks, figures and their histograms) is kept current this way.
Its after-flush listener hands its changes to :func:`add_to_rows`, which holds them until the
transaction commits: many reports of one transaction, or many flushes, that move the same row
add up to one change.

**On PostgreSQL the counter rows are not written by the filing itself.** Every filing of a day
adds to the same rows (today's figures for its agency, the channel's week): written in each
filing's transaction, they made every concurrent filing wait for the one before it to commit.
Instead the transaction's changes go into one ``counter_change`` row, inserted with its
COMMIT (:func:`ioc.db.insert_at_commit`): a row nobody else touches, so filings never wait on
one another for the counters. :func:`fold_counter_changes` then adds every committed change
to the counter tables in one statement and deletes it, under the row locks of that change, so
each change is added exactly once:

- the worker folds every second (``ioc worker --fold-every``), keeping the queue short;
- a statement that reads or changes a counter table first has everything committed so far
  folded (once per transaction), so a reader sees the counters as exact as before: a report
  that committed is counted;
- a recount of the counter tables from the reports (:func:`recount_counters`, ``ioc rollups
  rebuild``) holds the folds still while it runs, and counts every report exactly once.

Elsewhere (SQLite, a savepoint, a session that joined a transaction it does not commit, test
fixtures that share one connection with the app) the rows are written at once, as upserts
built once per table:

- Changes flushed inside a savepoint are written inside it: a rollback to the savepoint then
  takes them back with the rows that caused them.
- A statement of the same transaction that reads or changes a counter table first has the
  held changes written, so it sees what the commit would.

Rows are written table by table in name order, and in key order within a table (NULL first,
text by code point), by the filings and the folds alike, so two transactions lock shared rows
in the same order and never deadlock.
"""

from __future__ import annotations

import json
import logging
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ClauseElement,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    delete,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.util import find_tables

from ioc.db import AdvisoryLock, Base, Json, insert_at_commit, make_engine, unit_of_work

log = logging.getLogger(__name__)

_PENDING = "ioc_counter_rows"
#: ``session.info`` key: the transaction that wrote counter rows itself (and holds their locks).
_WROTE = "ioc_counter_rows_wrote"
#: ``session.info`` key: the transaction for which committed changes were folded.
_FOLDED = "ioc_counter_rows_folded"

#: ``session.info`` key: set it on a session whose flushed rows other sessions read before it
#: commits (test fixtures that share one connection with the app), so its counters are
#: written at every flush instead of at its commit.
WRITE_AT_FLUSH = "ioc_counter_rows_at_flush"

#: A table's rows to write: key → counters, in the table's counter order.
_ByKey = dict[tuple[Any, ...], list[int]]
#: A table's rows in key order (:func:`_ordered`).
_Items = list[tuple[tuple[Any, ...], list[int]]]


class CounterChange(Base):
    """The counter changes of one committed transaction, not yet added to the counter tables
    (PostgreSQL): ``changes`` maps each table's name to its rows (keys and counters)."""

    __tablename__ = "counter_change"
    # A change lives a second or so: stored as it is up to the most a page allows, not
    # compressed at the filing and decompressed at the fold (migration 0031).
    __table_args__ = ({"postgresql_with": {"toast_tuple_target": 8160}},)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    changes: Mapped[dict[str, list[dict[str, Any]]]] = mapped_column(Json)


@dataclass(frozen=True)
class CounterTable:
    """A table of counters: the columns that name a row, and the counters added to it."""

    table: Table
    keys: tuple[str, ...]
    counters: tuple[str, ...]


#: Every counter table, by name: what a fold adds to.
_TABLES: dict[str, CounterTable] = {}


def counter_table(model: type[Base], keys: Sequence[str], counters: Sequence[str]) -> CounterTable:
    """Declare ``model``'s table a counter table (at import, by the module that keeps it)."""
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    target = CounterTable(table, tuple(keys), tuple(counters))
    _TABLES[table.name] = target
    return target


@dataclass
class _Pending:
    """Counter changes of one transaction, not written yet."""

    transaction: SessionTransaction
    rows: dict[CounterTable, _ByKey] = field(default_factory=dict)
    #: Set once the commit has begun: changes flushed after that are written at once.
    written: bool = False

    def add(self, target: CounterTable, rows: Sequence[dict[str, Any]]) -> None:
        _sum_into(self.rows.setdefault(target, {}), target, rows)


def add_to_rows(session: Session, target: CounterTable, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows``, or add their counters to the rows of ``target`` already there with
    their keys, when the session's transaction commits (at once inside a savepoint). Every
    row names the key columns and the counters."""
    if not rows:
        return
    pending = _pending(session)
    if (
        pending is None
        or pending.written
        or session.get_nested_transaction() is not None
        or session.info.get(WRITE_AT_FLUSH)
    ):
        _write_now(session, _ordered({target: _sum_into({}, target, rows)}))
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


def _write_now(session: Session, ordered: list[tuple[CounterTable, _Items]]) -> None:
    """Write ``ordered`` (:func:`_ordered`) to the counter tables in the session's
    transaction, which then holds their locks."""
    if ordered:
        _write(session.connection(), ordered)
        session.info[_WROTE] = session.get_transaction()


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    """Write what is held: as a change to fold where the COMMIT can carry it, at once
    otherwise. The hook also runs when a savepoint is released, which it cannot tell from
    the commit of a transaction with a savepoint still open: it writes then too (the rows stay
    either way) and goes on holding what the transaction flushes later."""
    pending = session.info.get(_PENDING)
    if pending is None or pending.transaction is not session.get_transaction():
        return
    session.flush()  # the commit's own flush comes after this hook; its changes count too
    if session.get_nested_transaction() is None:
        pending.written = True
    changes = _changes_to_fold(pending.rows)
    if changes and not insert_at_commit(session, CounterChange, {"changes": changes}):
        _write_now(session, _ordered(pending.rows))
    pending.rows = {}


def _changes_to_fold(rows: dict[CounterTable, _ByKey]) -> dict[str, list[dict[str, Any]]]:
    """``rows`` as one ``counter_change`` holds them, by table: each row's keys, and only the
    counters that move (a filing moves 3 of a figure row's 19). Rows that move nothing are
    left out; the fold puts the rest in key order itself."""
    changes = {}
    for target, by_key in rows.items():
        changed = [
            dict(zip(target.keys, map(_as_json, key), strict=True))
            | {name: count for name, count in zip(target.counters, counts, strict=True) if count}
            for key, counts in by_key.items()
            if any(counts)
        ]
        if changed:
            changes[target.table.name] = changed
    return changes


@event.listens_for(Session, "do_orm_execute")
def _before_reading(execute_state: ORMExecuteState) -> None:
    """A statement that reads or changes a counter table sees the counters as they would be
    committed: every committed change is folded first (once per transaction), then what the
    transaction itself holds is written."""
    statement = execute_state.statement
    if not isinstance(statement, ClauseElement) or not _touches_counters(statement):
        return
    session = execute_state.session
    transaction = session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction the statement would begin
        transaction = session.get_transaction()
    if session.info.get(_FOLDED) is not transaction:
        session.info[_FOLDED] = transaction
        _fold_for(session)
    pending = session.info.get(_PENDING)
    if pending is not None and pending.rows and pending.transaction is transaction:
        _write_now(session, _ordered(pending.rows))
        pending.rows = {}


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending is not None and pending.transaction is transaction:
        del session.info[_PENDING]
    for key in (_WROTE, _FOLDED):
        if session.info.get(key) is transaction:
            del session.info[key]


#: Whether a statement names a counter table, by statement (the prebuilt ones come back).
_NAMES_COUNTERS: weakref.WeakKeyDictionary[ClauseElement, bool] = weakref.WeakKeyDictionary()


def _touches_counters(statement: ClauseElement) -> bool:
    known = _NAMES_COUNTERS.get(statement)
    if known is None:
        tables = find_tables(statement, include_crud=True, include_joins=True)
        known = _NAMES_COUNTERS[statement] = any(
            getattr(table, "name", None) in _TABLES for table in tables
        )
    return known


def _fold_for(session: Session) -> None:
    """Fold the committed changes before the session reads the counters. Through a
    connection of its own, committed at once, so that the counter rows a fold locks are not
    held for the rest of the reader's transaction; through the session's own connection when
    that transaction already holds counter rows itself (the fold would wait for them), or it
    was joined to an outer one (test fixtures: only it sees what they wrote)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if isinstance(bind, Engine) and session.info.get(_WROTE) is not session.get_transaction():
        try:
            with _folding_engine(bind).connect() as connection:
                fold_counter_changes(connection)
        except SQLAlchemyError:
            # A lock waited for too long, the database gone a moment, every reader of this
            # process waiting its turn for too long: the reader still gets an answer,
            # counted as of the last fold.
            log.warning("could not fold the counter changes before a read", exc_info=True)
        return
    fold_counter_changes(session.connection())


#: Per engine of the app, a one-connection engine in autocommit for the readers' folds: one
#: connection a process's folds take turns on, outside the pool its requests draw from (a
#: request waiting for a second connection of a full pool would wait for itself).
_FOLDING: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


_FOLD_LOCK_WAIT_MS = 2000


def _folding_engine(engine: Engine) -> Engine:
    folding = _FOLDING.get(engine)
    if folding is None:
        folding = _FOLDING[engine] = make_engine(
            engine.url.render_as_string(hide_password=False),
            pool_size=1,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
            # A transaction that wrote counter rows itself (a savepoint's, a long import's)
            # holds them until it ends: a reader waits that long at most, then reads the
            # counters as of the last fold.
            connect_args={"options": f"-c jit=off -c lock_timeout={_FOLD_LOCK_WAIT_MS}"},
        )
        event.listen(engine, "engine_disposed", lambda _engine: folding.dispose())
    return folding


def fold_counter_changes(connection: Connection) -> int:
    """Add every committed ``counter_change`` to the counter tables and delete it, in one
    statement; returns how many were folded (always 0 outside PostgreSQL, where changes are
    written at once, and while a recount holds the counters still)."""
    if connection.dialect.name != "postgresql":
        return 0
    targets = tuple(sorted(_TABLES.values(), key=lambda target: target.table.name))
    folded: int = connection.exec_driver_sql(
        _fold_statement(targets, connection.dialect)
    ).scalar_one()
    return folded


_Counted = TypeVar("_Counted")

#: How many times a recount starts again after a conflict with another writer.
_RECOUNT_ATTEMPTS = 3
#: PostgreSQL's code for a transaction that could not see one snapshot to its end.
_SERIALIZATION_FAILURE = "40001"


def recount_counters(
    session_factory: sessionmaker[Session], recount: Callable[[Session], _Counted]
) -> _Counted:
    """Run ``recount``, which rewrites counter tables from the reports, in a transaction of
    its own that counts every committed report exactly once while filings go on.

    On PostgreSQL no fold runs meanwhile: the folds take the counters' lock shared, and this
    holds it alone, on a connection of its own, until the recount has committed. The
    transaction sees one snapshot of the database (``REPEATABLE READ``): it discards the
    committed changes not yet folded, since it counts their reports, and a change that
    commits during the recount, whose report it does not see, is folded after it. A conflict
    with a writer of counter rows that does not fold (a filing inside a savepoint) makes it
    start again, at most :data:`_RECOUNT_ATTEMPTS` times. Elsewhere it is one transaction
    (SQLite writes the counters with each filing, one writer at a time)."""
    engine = session_factory.kw["bind"]
    if engine.dialect.name != "postgresql":
        with unit_of_work(session_factory) as session:
            return recount(session)
    key = {"key": AdvisoryLock.COUNTERS.value}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), key)
        try:
            return _recount_in_one_snapshot(session_factory, recount)
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), key)


def _recount_in_one_snapshot(
    session_factory: sessionmaker[Session], recount: Callable[[Session], _Counted]
) -> _Counted:
    attempt = 1
    while True:
        try:
            with unit_of_work(session_factory) as session:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                # The first statement: the snapshot the whole recount sees.
                session.execute(delete(CounterChange))
                return recount(session)
        except DBAPIError as error:
            sqlstate = getattr(error.orig, "sqlstate", None)
            if sqlstate != _SERIALIZATION_FAILURE or attempt == _RECOUNT_ATTEMPTS:
                raise
            log.warning("counter recount met another writer; starting again (%d)", attempt)
            attempt += 1


@cache
def _fold_statement(targets: tuple[CounterTable, ...], dialect: Any) -> str:
    """``WITH turn AS (…), changes AS (DELETE FROM counter_change WHERE (SELECT mine FROM
    turn) RETURNING changes), t0 AS (INSERT … SELECT keys, sum(…) FROM changes,
    jsonb_populate_recordset(…) GROUP BY keys ORDER BY keys ON CONFLICT … DO UPDATE …), …
    SELECT count(*) FROM changes``. Each table's rows are grouped before the first is
    written, so the DELETE has taken every change it folds before any counter row is locked:
    two folds never hold what the other waits for. ``turn`` tries the counters' lock, shared
    with the other folds: while a recount holds it alone, the fold takes nothing, and waits
    for nothing."""
    quote = dialect.identifier_preparer.quote
    parts = [
        f"turn AS (SELECT pg_try_advisory_xact_lock_shared({AdvisoryLock.COUNTERS.value}) AS mine)",
        "changes AS (DELETE FROM counter_change WHERE (SELECT mine FROM turn) RETURNING changes)",
    ]
    for t, target in enumerate(targets):
        table = quote(target.table.name)
        keys = ", ".join(f"r.{quote(n)}" for n in target.keys)
        # A change leaves out the counters it does not move (:func:`_changes_to_fold`).
        sums = ", ".join(f"coalesce(sum(r.{quote(n)}), 0)" for n in target.counters)
        nonzero = " OR ".join(f"sum(r.{quote(n)}) <> 0" for n in target.counters)
        order = ", ".join(_in_key_order(target, n, quote) for n in target.keys)
        columns = ", ".join(map(quote, (*target.keys, *target.counters)))
        parts.append(
            f"t{t} AS (INSERT INTO {table} ({columns}) "
            f"SELECT {keys}, {sums} FROM changes, "
            f"jsonb_populate_recordset(NULL::{table}, changes.changes -> '{target.table.name}') r "
            f"GROUP BY {keys} HAVING {nonzero} ORDER BY {order} {_adding(target, quote)})"
        )
    return f"WITH {', '.join(parts)} SELECT count(*) FROM changes"


def _in_key_order(target: CounterTable, name: str, quote: Any) -> str:
    """``name`` as an ORDER BY term in :func:`_sort_key`'s order: NULL first, text by code
    point."""
    collate = ' COLLATE "C"' if isinstance(target.table.c[name].type, String) else ""
    return f"r.{quote(name)}{collate} NULLS FIRST"


def _write(connection: Connection, ordered: list[tuple[CounterTable, _Items]]) -> None:
    """Add the counters of ``ordered`` (:func:`_ordered`) to their rows at once."""
    if connection.dialect.name == "postgresql":
        sql = _upserts_from_json(tuple(target for target, _ in ordered), connection.dialect)
        parameters = {
            f"t{t}": json.dumps(_json_rows(target, items))
            for t, (target, items) in enumerate(ordered)
        }
        connection.exec_driver_sql(sql, parameters)
        return
    for target, items in ordered:
        statement = _upsert(connection.dialect.name, target)
        rows = [_as_row(target, key, counts) for key, counts in items]
        connection.execute(statement, rows[0] if len(rows) == 1 else rows)


def _ordered(rows: dict[CounterTable, _ByKey]) -> list[tuple[CounterTable, _Items]]:
    """``rows`` table by table in name order, each table's in key order, without the rows
    whose counters add up to nothing (nor the tables left empty)."""
    ordered = [
        (target, sorted(((k, c) for k, c in by_key.items() if any(c)), key=_sort_key))
        for target, by_key in sorted(rows.items(), key=lambda item: item[0].table.name)
    ]
    return [(target, items) for target, items in ordered if items]


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
        parts.append(
            f"t{t} AS (INSERT INTO {table} ({columns}) "
            f"SELECT {columns} FROM json_populate_recordset(NULL::{table}, %(t{t})s::json) "
            f"{_adding(target, quote)})"
        )
    return f"WITH {', '.join(parts)} SELECT 1"


def _adding(target: CounterTable, quote: Any) -> str:
    """The ``ON CONFLICT`` clause that adds an inserted row's counters to the row there."""
    table = quote(target.table.name)
    additions = ", ".join(
        f"{quote(n)} = {table}.{quote(n)} + excluded.{quote(n)}" for n in target.counters
    )
    return f"ON CONFLICT ({', '.join(map(quote, target.keys))}) DO UPDATE SET {additions}"


def _as_row(target: CounterTable, key: tuple[Any, ...], counts: list[int]) -> dict[str, Any]:
    return dict(zip(target.keys, key, strict=True)) | dict(
        zip(target.counters, counts, strict=True)
    )


def _json_rows(target: CounterTable, items: _Items) -> list[dict[str, Any]]:
    """A table's rows as JSON takes them (enums as their values, dates as ISO text)."""
    return [_as_row(target, tuple(map(_as_json, key)), counts) for key, counts in items]


def _as_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return _plain(value)


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
