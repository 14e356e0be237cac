"""A new report's rows written in one statement: the report, its areas, its first history
entry and the supporting agencies' parts.

The ORM would send one INSERT per table, each a round trip, and check the reference code
with another. On PostgreSQL all of it is one statement of data-modifying CTEs, in which the
reference code's uniqueness is the insert's own conflict: a code already taken writes
nothing, and a new code is drawn. Elsewhere (SQLite, in process, where a statement costs no
round trip) the session writes the rows as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import CTE, Column, Select, Table, bindparam, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ioc.db import Base, mark_stored, stored_values
from ioc.feedback.intake.refs import new_ref, unused_ref
from ioc.feedback.report_models import Report, ReportArea, ReportHistory, SupportPart


def store_new_report(
    session: Session, report: Report, *, draw: Callable[[datetime], str] = new_ref
) -> None:
    """Write the new ``report`` (with a fresh reference code) and the rows of its areas,
    history and supporting agencies' parts; its photos' rows go with the session's next
    flush. Afterwards the report is in the session as if loaded, with its id set."""
    if session.get_bind().dialect.name != "postgresql":
        report.ref = unused_ref(session, report.received_at, draw=draw)
        session.add(report)
        session.flush()
        return
    photos, report.attachments = list(report.attachments), []
    areas, history, parts = list(report.areas), list(report.history), list(report.support_parts)
    values = _parameters(report, areas, history, parts)
    statement = _statement(len(areas), len(history), len(parts))
    session.flush()  # rows the report refers to that the session still holds come first
    connection = session.connection()
    while True:
        values["r_ref"] = report.ref = draw(report.received_at)
        stored = connection.execute(statement, values).first()
        if stored is not None:
            break
    report.id = stored.id
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


def _parameters(
    report: Report,
    areas: list[ReportArea],
    history: list[ReportHistory],
    parts: list[SupportPart],
) -> dict[str, Any]:
    values = {f"r_{name}": value for name, value in stored_values(report).items()}
    for rows, prefix in ((areas, "a"), (history, "h"), (parts, "p")):
        for i, row in enumerate(rows):
            row_values = stored_values(row)
            for name, value in row_values.items():
                if name not in _OWN_KEYS:
                    values[f"{prefix}{i}_{name}"] = value
    return values


#: Columns the statement fills in itself: the report's number, and each row's own number.
_OWN_KEYS = frozenset({"id", "report_id"})


@cache
def _statement(areas: int, history: int, parts: int) -> Select[Any]:
    """The statement for a report with so many rows of each kind. It answers the report's
    id and its history entries' ids, or no row when the reference code is already taken."""
    report = _table(Report)
    new_report = (
        pg_insert(report)
        .values({c.key: bindparam(f"r_{c.key}", type_=c.type) for c in _columns(report)})
        .on_conflict_do_nothing(index_elements=[report.c.ref])
        .returning(report.c.id)
        .cte("new_report")
    )
    new_history = _children(new_report, _table(ReportHistory), "h", history, returning=True)
    statement = select(
        new_report.c.id,
        select(func.array_agg(new_history.c.id)).scalar_subquery().label("history_ids")
        if new_history is not None
        else literal(None).label("history_ids"),
    )
    for table, prefix, count in ((ReportArea, "a", areas), (SupportPart, "p", parts)):
        children = _children(new_report, _table(table), prefix, count, returning=False)
        if children is not None:
            statement = statement.add_cte(children)
    return statement


def _children(
    new_report: CTE, table: Table, prefix: str, count: int, *, returning: bool
) -> CTE | None:
    """The INSERT of ``count`` rows of ``table`` that belong to the new report (none when
    the report was not written)."""
    if not count:
        return None
    columns = [c for c in _columns(table) if c.key != "report_id"]
    rows = [
        select(
            new_report.c.id,
            *(bindparam(f"{prefix}{i}_{c.key}", type_=c.type) for c in columns),
        )
        for i in range(count)
    ]
    source = rows[0] if count == 1 else union_all(*rows)
    insert = pg_insert(table).from_select(["report_id", *(c.key for c in columns)], source)
    name = f"new_{table.name}"
    return insert.returning(table.c.id).cte(name) if returning else insert.cte(name)


def _columns(table: Table) -> list[Column[Any]]:
    """The columns an INSERT names: all but the number the database gives a new row."""
    return [c for c in table.columns if c.key != "id"]


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # mapped to a plain table, not a join or a select
    return table
