"""Recurring hotspots: places where one category is reported again week after week.

Reports are counted per ISO week of receipt (local days, keyed by the week's Monday) × map
cell (the report's own ~600 m cell, :data:`ioc.geo.cells.CELL_ZOOM`) × category, moved by
the report's own commit like the other rollups (:mod:`ioc.feedback.reads.counter_rows`), and
recounted by ``ioc rollups
rebuild`` (:func:`rebuild_cell_weeks`) after writes that bypass the ORM. A hotspot is a cell
and category with reports in at least ``min_weeks`` distinct weeks of the period: reading
the period's rows, never the reports.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ioc.db import Base, on_stored_without_flush
from ioc.feedback.models import Category
from ioc.feedback.reads.counter_rows import add_to_rows, counter_table
from ioc.feedback.reads.figure_rollups import monday_of
from ioc.feedback.reads.grouping import week_start
from ioc.feedback.reads.rollups import value_before_flush
from ioc.feedback.report_models import Report
from ioc.geo.cells import CELL_ZOOM

#: (Monday of the week of receipt, cell x, cell y, category id)
CellWeekKey = tuple[date, int, int, int]

_FIELDS = ("received_on", "cell_x", "cell_y", "category_id")


class ReportCellWeek(Base):
    """How many reports of ``category_id`` received in the week starting on ``week`` lie in
    the cell (``cell_x``, ``cell_y``)."""

    __tablename__ = "report_cell_week"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    cell_x: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell_y: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


def _key(
    received_on: date | None, cell_x: Any, cell_y: Any, category_id: Any
) -> CellWeekKey | None:
    if received_on is None or cell_x is None or cell_y is None or category_id is None:
        return None
    return (monday_of(received_on), int(cell_x), int(cell_y), int(category_id))


def _changes(
    new: Iterable[object], deleted: Iterable[object] = (), dirty: Iterable[object] = ()
) -> Counter[CellWeekKey | None]:
    deltas: Counter[CellWeekKey | None] = Counter()
    for obj in new:
        if isinstance(obj, Report):
            deltas[_key(*(getattr(obj, n) for n in _FIELDS))] += 1
    for obj in deleted:
        if isinstance(obj, Report):
            state = inspect(obj)
            deltas[_key(*(value_before_flush(state, n) for n in _FIELDS))] -= 1
    for obj in dirty:
        if not isinstance(obj, Report):
            continue
        state = inspect(obj)
        if not any(state.attrs[n].history.has_changes() for n in _FIELDS):
            continue
        deltas[_key(*(value_before_flush(state, n) for n in _FIELDS))] -= 1
        deltas[_key(*(getattr(obj, n) for n in _FIELDS))] += 1
    return deltas


_COUNTS = counter_table(ReportCellWeek, ("week", "cell_x", "cell_y", "category_id"), ("count",))


def apply_cell_week_deltas(session: Session, deltas: Counter[CellWeekKey | None]) -> None:
    """Add ``deltas`` to the counts when the transaction commits
    (:mod:`ioc.feedback.reads.counter_rows`)."""
    rows = [(key, d) for key, d in deltas.items() if key is not None and d]
    if not rows:
        return
    add_to_rows(
        session,
        _COUNTS,
        [
            {"week": w, "cell_x": x, "cell_y": y, "category_id": c, "count": d}
            for (w, x, y, c), d in rows
        ],
    )


@event.listens_for(Session, "after_flush")
def _keep_cell_weeks_current(session: Session, _flush_context: Any) -> None:
    apply_cell_week_deltas(session, _changes(session.new, session.deleted, session.dirty))


@on_stored_without_flush
def _count_stored(session: Session, rows: list[Base]) -> None:
    apply_cell_week_deltas(session, _changes(rows))


def rebuild_cell_weeks(session: Session) -> int:
    """Recount every (week, cell, category) row from the reports, in one ``INSERT … SELECT …
    GROUP BY``; returns the rows written."""
    session.execute(delete(ReportCellWeek))
    weeks = (
        select(
            week_start(Report.received_on, session.get_bind().dialect.name).label("week"),
            Report.cell_x.label("cell_x"),
            Report.cell_y.label("cell_y"),
            Report.category_id.label("category_id"),
        )
        .where(*(getattr(Report, n).is_not(None) for n in _FIELDS))
        .subquery()
    )
    keys = [weeks.c.week, weeks.c.cell_x, weeks.c.cell_y, weeks.c.category_id]
    session.execute(
        insert(ReportCellWeek).from_select(
            ["week", "cell_x", "cell_y", "category_id", "count"],
            select(*keys, func.count()).group_by(*keys),
        )
    )
    return session.scalar(select(func.count()).select_from(ReportCellWeek)) or 0


def cell_centre(cell_x: int, cell_y: int, zoom: int = CELL_ZOOM) -> tuple[float, float]:
    """The (lon, lat) of a Web Mercator tile's centre."""
    n = 1 << zoom
    lon = (cell_x + 0.5) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (cell_y + 0.5) / n))))
    return round(lon, 6), round(lat, 6)


@dataclass(frozen=True)
class Hotspot:
    lon: float
    lat: float
    category: str
    category_name: str
    weeks: int  # distinct weeks of the period with at least one report
    reports: int
    first_week: date
    last_week: date

    def to_dict(self) -> dict[str, object]:
        return {
            "lon": self.lon,
            "lat": self.lat,
            "category": self.category,
            "category_name": self.category_name,
            "weeks": self.weeks,
            "reports": self.reports,
            "first_week": self.first_week.isoformat(),
            "last_week": self.last_week.isoformat(),
        }


@dataclass(frozen=True)
class HotspotPage:
    items: list[Hotspot]
    total: int  # every hotspot of the period, of which ``items`` are the strongest


def list_hotspots(
    session: Session,
    *,
    first_week: date,
    end_week: date,
    min_weeks: int,
    category_code: str | None = None,
    limit: int = 200,
) -> HotspotPage:
    """Cells and categories reported in at least ``min_weeks`` distinct weeks of
    [first_week, end_week) (Mondays), most recurring first, with how many there are in all."""
    t = ReportCellWeek
    conditions = [t.week >= first_week, t.week < end_week, t.count > 0]
    if category_code is not None:
        conditions.append(
            t.category_id
            == select(Category.id).where(Category.code == category_code).scalar_subquery()
        )
    weeks = func.count(t.week)
    grouped = (
        select(
            t.cell_x,
            t.cell_y,
            t.category_id,
            weeks.label("weeks"),
            func.sum(t.count).label("reports"),
            func.min(t.week),
            func.max(t.week),
        )
        .where(*conditions)
        .group_by(t.cell_x, t.cell_y, t.category_id)
        .having(weeks >= min_weeks)
    ).subquery()
    total = session.execute(select(func.count()).select_from(grouped)).scalar_one()
    rows = session.execute(
        select(grouped)
        .order_by(
            grouped.c.weeks.desc(),
            grouped.c.reports.desc(),
            grouped.c.cell_x,
            grouped.c.cell_y,
            grouped.c.category_id,
        )
        .limit(limit)
    ).all()
    categories = {
        row.id: (row.code, row.name_vi)
        for row in session.execute(
            select(Category.id, Category.code, Category.name_vi).where(
                Category.id.in_({r[2] for r in rows})
            )
        )
    }
    items = []
    for cell_x, cell_y, category_id, n_weeks, reports, first, last in rows:
        lon, lat = cell_centre(cell_x, cell_y)
        code, name = categories.get(category_id, ("?", "?"))
        items.append(
            Hotspot(lon, lat, code, name, int(n_weeks), int(reports), _day(first), _day(last))
        )
    return HotspotPage(items, int(total))


def _day(value: date | str) -> date:
    # SQLite answers MIN/MAX of a date column as text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def weeks_between(first: date, end: date) -> tuple[date, date]:
    """The Mondays bounding whole weeks that cover the days [first, end)."""
    start = monday_of(first)
    stop = monday_of(end - timedelta(days=1)) + timedelta(days=7)
    return start, stop
