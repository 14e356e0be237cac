"""Report counts per map cell × category × status, moved by the report's own commit.

The wall map at province zoom draws counts, not a million points: it groups these rows by a
coarser tile (an integer division of the cell numbers). Every flush that adds a report, deletes
one or changes its status, category or cell moves one unit between rows, and so does a new
report written by its own statement and put into the session (:func:`ioc.db.mark_stored`),
so the counts are exactly the reports that committed. Other writes that bypass the ORM (bulk
loads, benches) call :func:`rebuild_rollups` afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ioc.db import Base, on_stored_without_flush
from ioc.feedback.reads.counter_rows import add_to_rows, counter_table
from ioc.feedback.report_models import Report
from ioc.geo.cells import CELL_ZOOM

#: Zoom of the rollup cells (~2.4 km tiles in Vietnam); coarser views divide further.
ROLLUP_ZOOM = 14
_SHIFT = CELL_ZOOM - ROLLUP_ZOOM

RollupKey = tuple[int, int, int, str]


class ReportCellCount(Base):
    __tablename__ = "report_cell_count"

    cell_x: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_y: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


_COUNTS = counter_table(ReportCellCount, ("cell_x", "cell_y", "category_id", "status"), ("count",))


def rollup_key(cell_x: int, cell_y: int, category_id: int, status: str) -> RollupKey:
    return (cell_x >> _SHIFT, cell_y >> _SHIFT, category_id, status)


def value_before_flush(state: Any, name: str) -> Any:
    """An attribute's value before the changes being flushed (after_flush listeners)."""
    history = state.attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if history.added:
        # A value set where there was none: the history lists no None it replaced.
        return None
    return getattr(state.object, name)


def _changes(
    new: Iterable[object], deleted: Iterable[object] = (), dirty: Iterable[object] = ()
) -> Counter[RollupKey]:
    deltas: Counter[RollupKey] = Counter()
    for obj in new:
        if isinstance(obj, Report):
            deltas[rollup_key(obj.cell_x, obj.cell_y, obj.category_id, obj.status)] += 1
    for obj in deleted:
        if isinstance(obj, Report):
            state = inspect(obj)
            old = [
                value_before_flush(state, n) for n in ("cell_x", "cell_y", "category_id", "status")
            ]
            deltas[rollup_key(*old)] -= 1
    for obj in dirty:
        if not isinstance(obj, Report):
            continue
        state = inspect(obj)
        names = ("cell_x", "cell_y", "category_id", "status")
        if not any(state.attrs[n].history.has_changes() for n in names):
            continue
        deltas[rollup_key(*(value_before_flush(state, n) for n in names))] -= 1
        deltas[rollup_key(obj.cell_x, obj.cell_y, obj.category_id, obj.status)] += 1
    return Counter({key: delta for key, delta in deltas.items() if delta})


def apply_deltas(session: Session, deltas: Counter[RollupKey]) -> None:
    """Add ``deltas`` to the counts when the transaction commits
    (:mod:`ioc.feedback.reads.counter_rows`)."""
    if not deltas:
        return
    add_to_rows(
        session,
        _COUNTS,
        [
            {"cell_x": x, "cell_y": y, "category_id": c, "status": s, "count": delta}
            for (x, y, c, s), delta in deltas.items()
        ],
    )


@event.listens_for(Session, "after_flush")
def _keep_rollups_current(session: Session, _flush_context: Any) -> None:
    apply_deltas(session, _changes(session.new, session.deleted, session.dirty))


@on_stored_without_flush
def _count_stored(session: Session, rows: list[Base]) -> None:
    apply_deltas(session, _changes(rows))


def rebuild_rollups(session: Session) -> int:
    """Recount every cell from the report table (after bulk loads), in one ``INSERT …
    SELECT … GROUP BY``; returns the rows written."""
    session.execute(delete(ReportCellCount))
    # rollup_key's shift, as a division: cell numbers are never negative.
    cells = select(
        (Report.cell_x // (1 << _SHIFT)).label("cell_x"),
        (Report.cell_y // (1 << _SHIFT)).label("cell_y"),
        Report.category_id.label("category_id"),
        Report.status.label("status"),
    ).subquery()
    keys = [cells.c.cell_x, cells.c.cell_y, cells.c.category_id, cells.c.status]
    session.execute(
        insert(ReportCellCount).from_select(
            ["cell_x", "cell_y", "category_id", "status", "count"],
            select(*keys, func.count()).group_by(*keys),
        )
    )
    return session.scalar(select(func.count()).select_from(ReportCellCount)) or 0
