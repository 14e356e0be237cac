"""A new report's rows written in one statement: the report, its areas, its first history
entry and the supporting agencies' parts.

The ORM would send one INSERT per table, each a round trip, and check the reference code
with another. On PostgreSQL all of it is one statement of data-modifying CTEs, in which the
reference code's uniqueness is the insert's own conflict: a code already taken writes
nothing, and a new code is drawn. Elsewhere (SQLite, in process, where a statement costs no
round trip) the session writes the rows as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import CTE, Select, Table, bindparam, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ioc.db import Base, FoundInStatement, mark_stored, stored_values
from ioc.feedback.intake.refs import new_ref, unused_ref
from ioc.feedback.report_models import Report, ReportArea, ReportHistory, SupportPart


def store_new_report(
    session: Session,
    report: Report,
    *,
    draw: Callable[[datetime], str] = new_ref,
    reporter: FoundInStatement | None = None,
) -> None:
    """Write the new ``report`` (with a fresh reference code) and the rows of its areas,
    history and supporting agencies' parts; its photos' rows go with the session's next
    flush. Afterwards the report is in the session as if loaded, with its id set.

    With ``reporter``, the statement finds (or adds) the reporter's account itself: it
    becomes the report's reporter and the actor of the history entries written with it."""
    if session.get_bind().dialect.name != "postgresql":
        if reporter is not None:
            _set_reporter(report, reporter.find(session))
        report.ref = unused_ref(session, report.received_at, draw=draw)
        session.add(report)
        session.flush()
        return
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
    statement = _statement(tuple(written), *kinds, reporter.sql if reporter else None)
    connection = session.connection()
    while (stored := connection.execute(statement, values).first()) is None:
        values["r_ref"] = report.ref = draw(report.received_at)
    report.id = stored.id
    if reporter is not None:
        _set_reporter(report, stored.reporter_id)
    for entry, entry_id in zip(history, stored.history_ids or (), strict=True):
        entry.id = entry_id
    for area in areas:
        area.report_id = report.id
    for entry in history:
        entry.report_id = report.id
    for part in parts:
        part.report_id = report.id
    mark_stored(session, report, [*areas, *history, *parts])
    report.attachments.extend(photos)


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
    written: tuple[str, ...], areas: _Kind, history: _Kind, parts: _Kind, reporter: Any
) -> Select[Any]:
    """The statement for a report whose ``written`` columns have a value (the others are
    NULL) and with such rows of each kind; ``reporter``, when not None, is the scalar
    subquery that finds the reporter (and the actor of the history entries). It answers the
    report's id, its reporter's and its history entries' ids, or no row when the reference
    code is already taken."""
    report = _table(Report)
    columns: dict[str, Any] = {
        name: bindparam(f"r_{name}", type_=report.c[name].type) for name in written
    }
    if reporter is not None:
        columns["reporter_id"] = reporter
    new_report = (
        pg_insert(report)
        .values(columns)
        .on_conflict_do_nothing(index_elements=[report.c.ref])
        .returning(report.c.id, report.c.reporter_id)
        .cte("new_report")
    )
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
    return statement


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
