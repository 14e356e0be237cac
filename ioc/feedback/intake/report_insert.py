"""A new report's rows written in one statement: the report, its areas, its first history
entry, the supporting agencies' parts and its reporter's follower row.

The ORM would send one INSERT per table, each a round trip, and check the reference code
with another. On PostgreSQL all of it is one statement of data-modifying CTEs, in which the
reference code's uniqueness is the insert's own conflict: a code already taken writes
nothing, and a new code is drawn. Elsewhere (SQLite, in process, where a statement costs no
round trip) the session writes the rows as usual.

A filing whose caller reads nothing of the new report back before the COMMIT (Open311's
answer names it by its reference code) holds the statement for the COMMIT instead, in one
round trip with the rows that follow the report (its follower, its event, its counters, the
idempotency record), which name it by :data:`NEW_REPORT_ID`. A code already taken then fails
the COMMIT, and the filing is tried again (:func:`is_taken_ref`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import CTE, Dialect, Select, Table, bindparam, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ioc.db import (
    Base,
    FoundInStatement,
    after_stored,
    mark_stored,
    send_with_commit,
    stored_values,
)
from ioc.feedback.citizen_models import ReportFollower
from ioc.feedback.intake.refs import new_ref, unused_ref
from ioc.feedback.report_models import Report, ReportArea, ReportHistory, SupportPart


def store_new_report(
    session: Session,
    report: Report,
    *,
    draw: Callable[[datetime], str] = new_ref,
    reporter: FoundInStatement | None = None,
    with_commit: bool = False,
) -> bool:
    """Write the new ``report`` (with a fresh reference code) and the rows of its areas,
    history and supporting agencies' parts, and its reporter's follower row (none for an
    anonymous report); its photos' rows go with the session's next flush. Afterwards the
    report is in the session as if loaded, with its id set (unless its rows go with the
    COMMIT, below).

    With ``reporter``, the statement finds (or adds) the reporter's account itself: it
    becomes the report's reporter and the actor of the history entries written with it.

    With ``with_commit``, for a caller that reads nothing of the new report back before the
    transaction commits, the statement goes with the COMMIT where it can (PostgreSQL, no
    photos; :func:`ioc.db.send_with_commit`), and True says so. The report then stays out of
    the session, and its id (and ``reporter``'s) is set once the COMMIT succeeded: until
    then, later statements of the transaction name the report with :data:`NEW_REPORT_ID`. A
    reference code already taken fails the COMMIT (:func:`is_taken_ref`): file again."""
    if session.get_bind().dialect.name != "postgresql":
        if reporter is not None:
            _set_reporter(report, reporter.find(session))
        report.ref = unused_ref(session, report.received_at, draw=draw)
        session.add(report)
        session.flush()
        if report.reporter_id is not None:
            session.add(
                ReportFollower(
                    report_id=report.id,
                    user_id=report.reporter_id,
                    is_supporter=False,
                    created_at=report.received_at,
                )
            )
        return False
    session.flush()  # rows the report refers to that the session still holds come first
    if reporter is not None:
        _set_reporter(report, None)  # the statement writes them
    photos, report.attachments = list(report.attachments), []
    areas, history, parts = list(report.areas), list(report.history), list(report.support_parts)
    report.ref = draw(report.received_at)
    # Columns left empty are left out (NULL): the statement stays short, with few
    # parameters, so the driver keeps its parsed form (it does not past 50 parameters).
    written = {name: value for name, value in stored_values(report).items() if value is not None}
    values = {f"r_{name}": value for name, value in written.items()}
    kinds = []
    for rows, prefix in ((areas, "a"), (history, "h"), (parts, "p")):
        columns, parameters = _rows_written(rows, prefix)
        kinds.append(_Kind(columns, len(rows)))
        values |= parameters
    if reporter is not None:
        values |= reporter.parameters
    values["f_created_at"] = report.received_at
    held = with_commit and not photos
    statement = _statement(
        tuple(written), *kinds, reporter.sql if reporter else None, redraw_taken=not held
    )

    def stored(row: Any) -> None:
        report.id = row[0]
        if reporter is not None:
            _set_reporter(report, row[1])
        for entry, entry_id in zip(history, row[2] or (), strict=True):
            entry.id = entry_id
        for area in areas:
            area.report_id = report.id
        for entry in history:
            entry.report_id = report.id
        for part in parts:
            part.report_id = report.id

    if held:
        driver = _for_driver(statement, session.get_bind().dialect)
        parameters = driver.parameters(values)
        if send_with_commit(session, driver.sql, parameters, then=stored, precedes=True):
            after_stored(session, [*areas, *history, *parts, report])
            return True
    connection = session.connection()
    while (found := connection.execute(statement, values).first()) is None:
        values["r_ref"] = report.ref = draw(report.received_at)
    stored(found)
    mark_stored(session, report, [*areas, *history, *parts])
    report.attachments.extend(photos)
    return False


#: The new report's id in a later statement of the transaction that holds it for its COMMIT
#: (:func:`store_new_report` ``with_commit``): the last value its statement drew from the
#: report ids' sequence in this database session. A subquery, so that it is read once per
#: statement: ``currval`` is volatile, and ``id = currval(…)`` would read every report.
NEW_REPORT_ID = "(SELECT currval(pg_get_serial_sequence('report', 'id')))"

#: Its reporter's account, likewise (NULL for an anonymous report).
NEW_REPORT_REPORTER_ID = f"(SELECT reporter_id FROM report WHERE id = {NEW_REPORT_ID})"


def is_taken_ref(error: IntegrityError) -> bool:
    """Whether a COMMIT failed because the reference code of a report it wrote was taken
    (by a report filed meanwhile): filing again draws another."""
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None) == "uq_report_ref"


@dataclass(frozen=True)
class _DriverStatement:
    """A statement as the driver takes it: its text, and its parameters from values by bind
    name (defaults filled in, each converted as its column's type says)."""

    sql: str
    compiled: Compiled
    processors: Mapping[str, Callable[[Any], Any] | None]

    def parameters(self, values: dict[str, Any]) -> dict[str, Any]:
        parameters = dict(self.compiled.construct_params(values) or {})
        for name, process in self.processors.items():
            if process is not None and parameters.get(name) is not None:
                parameters[name] = process(parameters[name])
        return parameters


@lru_cache(maxsize=256)  # as many as there are statements (_statement)
def _for_driver(statement: Select[Any], dialect: Dialect) -> _DriverStatement:
    compiled = statement.compile(dialect=dialect)
    processors = {
        bind.key: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for bind in compiled.binds.values()
    }
    return _DriverStatement(str(compiled), compiled, processors)


def _set_reporter(report: Report, reporter_id: int | None) -> None:
    report.reporter_id = reporter_id
    for entry in report.history:
        entry.actor_id = reporter_id


@dataclass(frozen=True)
class _Kind:
    """The rows of one kind (areas, history, parts) a statement writes: the columns that
    have a value in some row (the others are NULL), and how many rows."""

    columns: tuple[str, ...]
    rows: int


def _rows_written(rows: Sequence[Base], prefix: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The columns with a value in some of ``rows``, and every row's values for them."""
    values = [
        {name: value for name, value in stored_values(row).items() if name not in _OWN_KEYS}
        for row in rows
    ]
    columns = (
        tuple(name for name in values[0] if any(v[name] is not None for v in values))
        if values
        else ()
    )
    parameters = {f"{prefix}{i}_{name}": v[name] for i, v in enumerate(values) for name in columns}
    return columns, parameters


#: Columns the statement fills in itself: the report's number, and each row's own number.
_OWN_KEYS = frozenset({"id", "report_id"})


@lru_cache(maxsize=256)
def _statement(
    written: tuple[str, ...],
    areas: _Kind,
    history: _Kind,
    parts: _Kind,
    reporter: Any,
    *,
    redraw_taken: bool = True,
) -> Select[Any]:
    """The statement for a report whose ``written`` columns have a value (the others are
    NULL) and with such rows of each kind; ``reporter``, when not None, is the scalar
    subquery that finds the reporter (and the actor of the history entries). It answers the
    report's id, its reporter's and its history entries' ids; with ``redraw_taken``, no row
    when the reference code is already taken (without, the unique code refuses it)."""
    report = _table(Report)
    columns: dict[str, Any] = {
        name: bindparam(f"r_{name}", type_=report.c[name].type) for name in written
    }
    if reporter is not None:
        columns["reporter_id"] = reporter
    insert = pg_insert(report).values(columns)
    if redraw_taken:
        insert = insert.on_conflict_do_nothing(index_elements=[report.c.ref])
    new_report = insert.returning(report.c.id, report.c.reporter_id).cte("new_report")
    from_report = {"actor_id": new_report.c.reporter_id} if reporter is not None else {}
    new_history = _children(
        new_report, _table(ReportHistory), "h", history, returning=True, from_report=from_report
    )
    statement = select(
        new_report.c.id,
        new_report.c.reporter_id,
        select(func.array_agg(new_history.c.id)).scalar_subquery().label("history_ids")
        if new_history is not None
        else literal(None).label("history_ids"),
    )
    for table, prefix, kind in ((ReportArea, "a", areas), (SupportPart, "p", parts)):
        children = _children(new_report, _table(table), prefix, kind, returning=False)
        if children is not None:
            statement = statement.add_cte(children)
    return statement.add_cte(_follower(new_report))


def _follower(new_report: CTE) -> CTE:
    """The INSERT of the reporter's follower row, when the new report has a reporter."""
    table = _table(ReportFollower)
    reporter = new_report.c.reporter_id
    source = select(
        new_report.c.id,
        reporter,
        literal(False),
        bindparam("f_created_at", type_=table.c.created_at.type),
    ).where(reporter.is_not(None))
    insert = pg_insert(table).from_select(
        ["report_id", "user_id", "is_supporter", "created_at"], source
    )
    return insert.cte("new_report_follower")


def _children(
    new_report: CTE,
    table: Table,
    prefix: str,
    kind: _Kind,
    *,
    returning: bool,
    from_report: dict[str, Any] | None = None,
) -> CTE | None:
    """The INSERT of the rows of ``table`` that belong to the new report (none when the
    report was not written); ``from_report`` names columns every row takes from the new
    report's row."""
    if not kind.rows:
        return None
    taken = from_report or {}
    rows = [
        select(
            new_report.c.id,
            *taken.values(),
            *(bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type) for name in kind.columns),
        )
        for i in range(kind.rows)
    ]
    source = rows[0] if kind.rows == 1 else union_all(*rows)
    insert = pg_insert(table).from_select(["report_id", *taken, *kind.columns], source)
    name = f"new_{table.name}"
    return insert.returning(table.c.id).cte(name) if returning else insert.cte(name)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    return table
