"""Database plumbing: the declarative base, portable column types, engines and units of work.

Data-access code never commits; :func:`unit_of_work` commits once, at the use-case boundary.
"""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum, unique
from functools import cache
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import (
    MANYTOONE,
    DeclarativeBase,
    Mapper,
    Session,
    SessionTransaction,
    make_transient_to_detached,
    object_mapper,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend.

    SQLite has no timezone type, so values are stored as naive UTC and handed back aware.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: JSON documents: JSONB on PostgreSQL (indexable), plain JSON text elsewhere.
Json = JSON().with_variant(JSONB(), "postgresql")


@unique
class AdvisoryLock(IntEnum):
    """The keys of PostgreSQL's advisory locks, one per kind of turn; kept in one place, so
    that no two kinds share a key (and wait on each other for nothing)."""

    #: The publishers' turn (``ioc.events.outbox``).
    PUBLISHER = 7_301_001
    #: The fan-out's turn (``ioc.integrations.fanout``).
    DISPATCHER = 7_301_002
    #: Surge detection (``ioc.feedback.surges.detection``).
    SURGE_DETECTION = 7_301_003
    #: Folds take it shared; a recount of the counter tables alone
    #: (``ioc.feedback.reads.counter_rows``).
    COUNTERS = 7_301_004


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings IOC relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    # No JIT compilation: IOC's queries are short, and on a large table a poor row estimate
    # made PostgreSQL spend longer compiling a count than running it.
    connect_args = {"options": "-c jit=off", **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    # Several rows for one table (a report's areas, an event's audiences) go as one
    # multi-row INSERT, as they already do when they return their keys. Without this,
    # psycopg sends one execution per row, pipelined: one round trip still, but as many
    # statements for PostgreSQL to run and for psycopg's pipeline to shepherd.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    _send_held_statements_with_commit(engine)
    if not kwargs.get("pool_pre_ping"):
        ping_when_in_doubt(engine)
    return engine


#: ``record.info`` key: statements the transaction under way sends with its COMMIT.
_WITH_COMMIT = "ioc_with_commit"


@dataclass(frozen=True)
class _Held:
    """A statement the transaction sends with its COMMIT (:func:`send_with_commit`)."""

    sql: str
    parameters: Mapping[str, Any]
    #: Called with the statement's first row (None: no row) once the COMMIT succeeded.
    then: Callable[[Any], None] | None = None
    #: Whether every later statement of the transaction must find it done (see
    #: :func:`send_with_commit`).
    precedes: bool = False
    #: For a row held by :func:`insert_at_commit`: what it writes, so that it can ride in
    #: another held statement (:func:`_with_rows_riding`).
    row: _HeldRow | None = None


@dataclass(frozen=True)
class _HeldRow:
    """One row :func:`insert_at_commit` holds: its table, its values (as the driver takes
    them) by column, and the dialect that writes it."""

    table: Table
    values: Mapping[str, Any]
    dialect: Dialect


def send_with_commit(
    session: Session,
    sql: str,
    parameters: Mapping[str, Any],
    *,
    then: Callable[[Any], None] | None = None,
    precedes: bool = False,
) -> bool:
    """Have ``sql`` run as the last statement of the session's transaction, sent together
    with its COMMIT in one round trip (psycopg's pipeline mode), so that the rows it locks
    stay locked for the server's time only, not for the app's next turn. Held statements run
    in the order they were held. False where it cannot (SQLite, a savepoint, a session that
    joined a transaction it does not commit): the caller runs it at once instead.

    ``then`` is called with the statement's first row once the COMMIT succeeded (for the keys
    the database gave the rows it wrote). A statement that ``precedes`` writes rows that
    later statements may read or refer to: if any other statement comes before the COMMIT,
    the held statements are sent first, in one round trip, and their ``then`` is called
    then."""
    if not _commit_can_carry(session):
        return False
    held = _Held(sql, parameters, then, precedes)
    session.connection().connection.info.setdefault(_WITH_COMMIT, []).append(held)
    return True


def _commit_can_carry(session: Session) -> bool:
    """Whether the session's COMMIT can carry held statements: PostgreSQL, no savepoint open,
    and a transaction the session itself commits (it is bound to an engine, not to a
    connection whose transaction it joined)."""
    bind = session.bind or session.get_bind()
    if not isinstance(bind, Engine) or bind.dialect.name != "postgresql":
        return False
    # Bound to an engine, only the session itself can have opened a savepoint.
    return session.get_nested_transaction() is None


def statements_held_for_commit(connection: Connection) -> int:
    """How many statements the transaction under way will send with its COMMIT (for
    benchmarks, which count statements by the cursor's executions and would miss them)."""
    return len(_with_rows_riding(connection.connection.info.get(_WITH_COMMIT, [])))


@dataclass(frozen=True)
class FoundInStatement:
    """A key a statement finds (or adds) for itself on PostgreSQL: ``sql``, a scalar
    subquery answering it, with its ``parameters``, so that finding it costs no round trip
    of its own. Elsewhere, where a statement costs no round trip, ``find`` answers it first."""

    sql: Any
    parameters: Mapping[str, Any]
    find: Callable[[Session], int | None]


def insert_at_commit(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row of ``model`` with the session's COMMIT (:func:`send_with_commit`), for
    a row nothing in the transaction reads back or refers to; ``values`` names every column
    to set (column defaults do not apply). False where it cannot: the caller adds the row
    itself.

    The row does not cost a statement of its own: it is written by the last statement held
    for the COMMIT that can take it, as one more of its CTEs (:func:`_with_rows_riding`)."""
    if not _commit_can_carry(session):
        return False
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    dialect = session.get_bind().dialect
    sql, processors = _insert_statement(dialect, table, tuple(values))
    parameters = {}
    for name, value in values.items():
        process = processors[name]
        parameters[name] = process(value) if process is not None and value is not None else value
    held = _Held(sql, parameters, row=_HeldRow(table, parameters, dialect))
    session.connection().connection.info.setdefault(_WITH_COMMIT, []).append(held)
    return True


@cache
def _insert_statement(
    dialect: Dialect, table: Table, columns: tuple[str, ...], prefix: str = ""
) -> tuple[str, dict[str, Any]]:
    """The INSERT of ``columns`` as the driver takes it (each value's parameter named
    ``prefix`` and the column's name), and each value's conversion for it (JSON to text, …),
    None where the driver takes the value as it is."""
    statement = (
        insert(table).inline().values({name: bindparam(f"{prefix}{name}") for name in columns})
    )
    processors = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    }
    return str(statement.compile(dialect=dialect)), processors


#: The statements a held row can ride in: PostgreSQL takes data-modifying CTEs before an
#: INSERT, UPDATE, DELETE or SELECT, or at the head of a WITH list (not a recursive one,
#: to leave its meaning alone).
_HOST_STARTS = ("WITH ", "INSERT ", "UPDATE ", "DELETE ", "SELECT ")


def _with_rows_riding(held: list[_Held]) -> list[_Held]:
    """``held`` with its rows (:func:`insert_at_commit`) written by one of its other
    statements instead of one statement each.

    Every statement costs the driver and the database its own work (parameters, a message,
    an execution), whatever its size. The rows go as CTEs of the last held statement that
    can take them, or, when none can, all in the last row's statement. Nothing in the
    transaction reads them back or refers to them, so when they are written within the
    COMMIT does not matter; and PostgreSQL runs every data-modifying CTE of a statement
    once, whether its result is read or not. A row that fails (a unique key already taken)
    fails its statement, and so the COMMIT, as its own statement would: with the same
    error, naming the same constraint."""
    rows = [statement for statement in held if statement.row is not None]
    if not rows:
        return held
    others = [statement for statement in held if statement.row is None]
    hosts = [i for i, statement in enumerate(others) if _can_host(statement.sql)]
    if not hosts:
        *riders, last = rows
        return [*others, _ride(last, riders)] if riders else held
    at = hosts[-1]
    return [*others[:at], _ride(others[at], rows), *others[at + 1 :]]


def _can_host(sql: str) -> bool:
    head = sql.lstrip()[:16].upper()
    return head.startswith(_HOST_STARTS) and not head.startswith("WITH RECURSIVE")


def _ride(host: _Held, riders: list[_Held]) -> _Held:
    """``host`` writing ``riders``' rows too, as CTEs named ``held_row_<n>`` with parameters
    prefixed likewise."""
    ctes = []
    parameters = dict(host.parameters)
    for n, rider in enumerate(riders):
        row = rider.row
        assert row is not None
        prefix = f"held_row_{n}_"
        sql, _processors = _insert_statement(row.dialect, row.table, tuple(row.values), prefix)
        ctes.append(f"held_row_{n} AS ({sql})")
        named = {f"{prefix}{name}": value for name, value in row.values.items()}
        assert not named.keys() & parameters.keys(), "a host's parameter named like a row's"
        parameters |= named
    sql = host.sql.lstrip()
    if sql[:5].upper() == "WITH ":
        sql = f"WITH {', '.join(ctes)}, {sql[5:]}"
    else:
        sql = f"WITH {', '.join(ctes)} {sql}"
    return _Held(sql, parameters, host.then, host.precedes)


def stored_values(obj: Base) -> dict[str, Any]:
    """Every column value an INSERT of the new ``obj`` writes, by column name: its own
    attributes, the keys of the objects its many-to-one relationships point to, and the
    column defaults for the rest. Defaults and keys are set on ``obj`` too, so that once
    written by the caller's own statement (:func:`mark_stored`) nothing of it is loaded back.
    A primary key left empty is left out (the database numbers the row)."""
    plan = _storing_plan(object_mapper(obj))
    state = obj.__dict__
    for relationship_key, pairs in plan.references:
        if relationship_key in state:
            target = state[relationship_key]
            for key, remote_key in pairs:
                setattr(obj, key, None if target is None else getattr(target, remote_key))
    values: dict[str, Any] = {}
    for key, column_key, default in plan.columns:
        if key not in state:
            if default is _NUMBERED_BY_DATABASE:
                continue
            setattr(obj, key, default(None) if callable(default) else default)
        values[column_key] = state[key]
    return values


#: A primary key without a default: the database numbers the row.
_NUMBERED_BY_DATABASE = object()


@dataclass(frozen=True)
class _StoringPlan:
    """What :func:`stored_values` reads of a mapper, worked out once per mapper."""

    #: Each many-to-one relationship's key, with the pairs (key attribute, the target's).
    references: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    #: Each column attribute's key, its column's name, and its default (a value, a callable
    #: taking the context, or :data:`_NUMBERED_BY_DATABASE`).
    columns: tuple[tuple[str, str, Any], ...]


@cache
def _storing_plan(mapper: Mapper[Any]) -> _StoringPlan:
    references = tuple(
        (
            relationship.key,
            tuple(
                (
                    mapper.get_property_by_column(local).key,
                    relationship.mapper.get_property_by_column(remote).key,
                )
                for local, remote in relationship.local_remote_pairs
            ),
        )
        for relationship in mapper.relationships
        if relationship.direction is MANYTOONE
    )
    columns = []
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        default = column.default
        if default is None or not hasattr(default, "arg"):
            value = _NUMBERED_BY_DATABASE if column.primary_key else None
        else:
            value = default.arg
        columns.append((attribute.key, column.key, value))
    return _StoringPlan(references, tuple(columns))


def mark_stored(session: Session, obj: Base, parts: Iterable[Base] = ()) -> None:
    """Put the new ``obj`` and its ``parts`` (the rows in its collections), which the caller
    has written with its own statement, into the session as rows loaded from the database:
    the session flushes nothing for them. Every column must be set on them (see
    :func:`stored_values`), their primary keys included."""
    rows = [*parts, obj]
    for row in rows:
        make_transient_to_detached(row)
    session.add(obj)
    written_in = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_STORED_ROWS, []).append((written_in, rows))
    after_stored(session, rows)


def after_stored(session: Session, rows: list[Base]) -> None:
    """Do for new ``rows`` that a caller's own statement writes in the session's transaction
    what a flush would have done for them (:func:`on_stored_without_flush`)."""
    for hook in _STORED_HOOKS:
        hook(session, rows)


#: ``session.info`` key: the rows :func:`mark_stored` put into the session, each list with
#: the transaction (or savepoint) that wrote them.
_STORED_ROWS = "ioc_stored_rows"


@event.listens_for(Session, "after_soft_rollback")
def _forget_rows_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    """Take out of the session the rows :func:`mark_stored` put in that a rollback (of the
    transaction or of a savepoint) took back, as it does with rows it flushed itself:
    otherwise the session would go on answering for reports that do not exist."""
    stored = session.info.get(_STORED_ROWS)
    if not stored:
        return
    kept = []
    for written_in, rows in stored:
        if not _inside(written_in, rolled_back):
            kept.append((written_in, rows))
            continue
        for row in rows:
            if row in session:
                session.expunge(row)
    session.info[_STORED_ROWS] = kept


@event.listens_for(Session, "after_commit")
def _forget_rows_committed(session: Session) -> None:
    session.info.pop(_STORED_ROWS, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


#: What runs for rows :func:`mark_stored` puts into a session: what a flush would have
#: triggered for them (counters kept current from the rows a session writes, for example).
_STORED_HOOKS: list[Callable[[Session, list[Base]], None]] = []


def on_stored_without_flush(
    hook: Callable[[Session, list[Base]], None],
) -> Callable[[Session, list[Base]], None]:
    """Register ``hook`` to be called with the session and the new rows each time
    :func:`mark_stored` puts rows written by a caller's own statement into a session."""
    _STORED_HOOKS.append(hook)
    return hook


def _send_held_statements_with_commit(engine: Engine) -> None:
    """Make the engine's COMMIT send the statements :func:`send_with_commit` held, in one
    pipeline with it. A transaction that ends any other way drops them when its connection
    goes back to the pool (a session gives it back at every commit and rollback)."""
    plain_commit = engine.dialect.do_commit

    def do_commit(dbapi_connection: Any) -> None:
        held = dbapi_connection.info.pop(_WITH_COMMIT, None)
        if not held:
            plain_commit(dbapi_connection)
            return
        _send(dbapi_connection.dbapi_connection, held, commit=True)

    def send_before_the_next(connection: Connection, *_args: Any) -> None:
        # A statement of the transaction comes before its COMMIT: the rows a held statement
        # writes must be there for it to read or refer to.
        info = connection.connection.info
        held = info.get(_WITH_COMMIT)
        if held and any(statement.precedes for statement in held):
            del info[_WITH_COMMIT]
            _send(connection.connection.dbapi_connection, held, commit=False)

    def drop_held_at_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_WITH_COMMIT, None)

    engine.dialect.do_commit = do_commit  # type: ignore[method-assign]
    event.listen(engine, "before_cursor_execute", send_before_the_next)
    event.listen(engine, "checkin", drop_held_at_checkin)


def _send(raw: Any, held: list[_Held], *, commit: bool) -> None:
    """Send ``held`` in one pipeline (with the COMMIT when ``commit``), then hand each its
    first row."""
    held = _with_rows_riding(held)
    if commit and raw.pgconn.transaction_status == TransactionStatus.IDLE:
        cursors = _send_whole_transaction(raw, held)
    else:
        with raw.pipeline():
            cursors = [raw.execute(statement.sql, statement.parameters) for statement in held]
            if commit:
                raw.commit()
    for statement, cursor in zip(held, cursors, strict=True):
        if statement.then is not None:
            statement.then(cursor.fetchone() if cursor.description is not None else None)


def _send_whole_transaction(raw: Any, held: list[_Held]) -> list[Any]:
    """A transaction that has sent nothing yet: ``held`` in one round trip, as one
    transaction. psycopg would send its own ``BEGIN`` and wait for the answer before the
    first statement; in autocommit mode it sends none. The pipeline's statements then make
    one implicit transaction up to its one Sync, which commits it, or rolls all of it back
    when one fails (PostgreSQL's protocol, "Pipelining"): no ``BEGIN`` or ``COMMIT`` to
    send, parse and answer. A failure is raised; a transaction still open is rolled back."""
    raw.autocommit = True
    try:
        with raw.pipeline():
            cursors = [raw.execute(statement.sql, statement.parameters) for statement in held]
    except BaseException:
        if raw.pgconn.transaction_status != TransactionStatus.IDLE:
            raw.execute("ROLLBACK")
        raise
    finally:
        if raw.pgconn.transaction_status == TransactionStatus.IDLE:
            raw.autocommit = False
    return cursors


#: A pooled connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "ioc_idle_since"


def ping_when_in_doubt(engine: Engine) -> None:
    """Hand out a pooled connection only once it is known to work, without a round trip for
    one in steady use: a connection is pinged when it has been idle for more than
    :data:`PING_AFTER_IDLE_SECONDS`, or when the server has written to it while it sat in
    the pool (a restarted PostgreSQL closes its connections, which makes them readable). A
    failed ping makes the pool replace the connection. A ping on every checkout (SQLAlchemy's
    ``pool_pre_ping``) was a round trip per transaction: several percent of a filing's CPU.
    """

    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None:
            return  # a connection just made
        if time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS and not _readable(
            dbapi_connection
        ):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"a pooled connection failed its ping: {exc}") from exc

    event.listen(engine, "checkin", _checked_in)
    event.listen(engine, "checkout", _checked_out)


def _readable(dbapi_connection: Any) -> bool:
    """Whether the server sent something on an idle connection (a closed one reads as EOF)."""
    try:
        ready, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True  # no usable socket: let the ping decide
    return bool(ready)


#: The ``statement_timeout`` (ms) a pooled connection's session has, as this process set it,
#: and whether the transaction under way set it (a rollback would undo that).
_STATEMENT_TIMEOUT = "ioc_statement_timeout"
_SET_IN_THIS_TRANSACTION = "ioc_statement_timeout_set_now"


def limit_statement_time(engine: Engine, milliseconds: int, applies: Callable[[], bool]) -> None:
    """Cancel any statement of a transaction begun while ``applies()`` holds that runs longer
    than ``milliseconds`` (PostgreSQL's ``statement_timeout``); the same pool serves work
    without a limit too. PostgreSQL answers a cancelled statement with SQLSTATE 57014 and the
    transaction is rolled back. SQLite has no such setting (its writers queue on
    ``busy_timeout``).

    The limit is a setting of the connection's session, changed only when a transaction
    wants another value than the connection has: an app process's connections keep the
    requests' limit and the worker's keep none, so neither pays a round trip per
    transaction (``SET LOCAL`` at every begin did, for every request). A transaction that
    set it and then rolls back, or fails to commit, undoes the SET, so the next one sets it
    again.
    """
    if milliseconds <= 0 or engine.dialect.name != "postgresql":
        return

    def _on_begin(connection: Any) -> None:
        wanted = milliseconds if applies() else 0
        known = connection.connection.info
        known[_SET_IN_THIS_TRANSACTION] = known.get(_STATEMENT_TIMEOUT) != wanted
        if known[_SET_IN_THIS_TRANSACTION]:
            connection.exec_driver_sql(f"SET statement_timeout = {int(wanted)}")
            known[_STATEMENT_TIMEOUT] = wanted

    def _on_rollback(connection: Any) -> None:
        if connection.invalidated:
            return  # the connection is replaced anyway
        known = connection.connection.info
        if known.pop(_SET_IN_THIS_TRANSACTION, False):
            known.pop(_STATEMENT_TIMEOUT, None)

    def _on_error(context: Any) -> None:
        # A failed COMMIT ends the transaction without a rollback event, and undoes a SET
        # made in it: after any error, the next transaction sets the value again.
        connection = context.connection
        if connection is not None and not context.is_disconnect and not connection.invalidated:
            connection.connection.info.pop(_STATEMENT_TIMEOUT, None)

    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "rollback", _on_rollback)
    event.listen(engine, "handle_error", _on_error)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy drive transactions (pysqlite's implicit BEGIN breaks SAVEPOINTs), enforce
    # foreign keys, and use WAL so the web process and a simulator thread can read while one
    # writes.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


#: Execution option of a transaction that only reads (see ``_sqlite_on_begin``).
READ_ONLY = "ioc_read_only"


def _sqlite_on_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front, so two writers queue instead of deadlocking on
    # a read-to-write lock upgrade. A read-only transaction begins DEFERRED instead: in WAL
    # mode it reads while another transaction of the same thread holds the write lock (the
    # policy's revision checked in the middle of a request would otherwise wait for the
    # request's own transaction until the busy timeout).
    deferred = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN DEFERRED" if deferred else "BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for one use case: commit if the block succeeds, roll back otherwise."""
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
