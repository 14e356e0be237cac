"""Bulk-loading the scale benchmark's reports: a year of history ending now, each report with
the event its filing wrote, in batches of plain rows (executemany on SQLite, ``COPY`` on
PostgreSQL), never the ORM per row; then the rollups are recounted from the reports, as after
any write that bypasses the ORM."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scale_life import Life, Rows
from scale_world import read_world
from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlalchemy.orm import Session

from ioc.db import Base, make_session_factory, unit_of_work
from ioc.events.marks import DISPATCHED, PUBLISHED, advance_mark
from ioc.events.models import Event
from ioc.feedback.reads.figure_rollups import rebuild_figure_rollups
from ioc.feedback.reads.hotspots import rebuild_cell_weeks
from ioc.feedback.reads.rollups import rebuild_rollups
from ioc.feedback.report_models import Report, ReportHistory
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import DISMISSED_STATES

BATCH = 5000
DISMISSED = frozenset(status.value for status in DISMISSED_STATES)
HISTORY_DAYS = 365
#: Reports per hour of the local day (people report on their way to work and after it).
HOURLY = (1, 1, 1, 1, 1, 2, 5, 8, 9, 9, 8, 7, 6, 6, 7, 7, 8, 8, 7, 6, 4, 3, 2, 1)
#: Fewer reports at weekends (Saturday, Sunday), and growth over the year as the service is
#: adopted (the last month has about twice the reports of the first).
WEEKEND = 0.7
GROWTH = 1.0


@dataclass(frozen=True)
class LoadResult:
    reports: int
    history: int
    returns: int
    seconds: float
    rollup_seconds: float


def received_times(
    n: int, *, now: datetime, earliest: datetime, timezone: Any, rng: random.Random
) -> Iterator[datetime]:
    """``n`` filing instants over the last year (not before ``earliest``), in order: per local
    day a share of ``n`` by weekday and growth, spread over the day's hours."""
    start = max(now - timedelta(days=HISTORY_DAYS), earliest)
    first_day = start.astimezone(timezone).date()
    days = (now.astimezone(timezone).date() - first_day).days + 1
    weights = []
    for number in range(days):
        day = first_day + timedelta(days=number)
        weekday = WEEKEND if day.weekday() >= 5 else 1.0
        weights.append(weekday * (1 + GROWTH * number / max(days, 1)))
    total, cumulative, emitted = sum(weights), 0.0, 0
    for number, weight in enumerate(weights):
        cumulative += weight
        count = round(n * cumulative / total) - emitted
        emitted += count
        midnight = datetime.combine(first_day + timedelta(days=number), datetime.min.time())
        local = midnight.replace(tzinfo=timezone)
        moments = sorted(
            local
            + timedelta(
                hours=rng.choices(range(24), weights=HOURLY)[0], seconds=rng.random() * 3600
            )
            for _ in range(count)
        )
        for moment in moments:
            moment = moment.astimezone(start.tzinfo)
            # The edges of the range: the first day's early hours and today's future ones.
            yield min(max(moment, start), now - timedelta(seconds=1))


def load_reports(
    engine: Engine,
    policy: SlaPolicy,
    *,
    reports: int,
    now: datetime,
    seed: int = 1,
    progress: bool = True,
) -> LoadResult:
    """Add ``reports`` realistic reports (see :mod:`scale_life`) and recount the rollups."""
    rng = random.Random(seed)
    started = time.perf_counter()
    world = read_world(engine, citizens=min(max(reports // 8, 10), 50_000), now=now)
    factory = make_session_factory(engine)
    with engine.connect() as connection:
        report_id = (connection.scalar(select(func.max(Report.id))) or 0) + 1
        history_id = (connection.scalar(select(func.max(ReportHistory.id))) or 0) + 1
        event_seq = (connection.scalar(select(func.max(Event.seq))) or 0) + 1
    first_id, loaded, histories, returns, rows_written = report_id, 0, 0, 0, 0
    recent: dict[tuple[int, int], tuple[int, str]] = {}
    times = received_times(
        reports, now=now, earliest=world.earliest, timezone=policy.calendar.timezone, rng=rng
    )
    batch = Rows()
    for received_at in times:
        life = Life(
            world,
            policy,
            rng,
            report_id=report_id,
            history_id=history_id,
            event_seq=event_seq,
            received_at=received_at,
            now=now,
        )
        key = (life.kind.id, life.chain[0].id)
        rows = life.live(recent.get(key))
        if rows.report[0]["status"] not in DISMISSED:
            # The newest report of its kind there: what a later one may duplicate.
            recent[key] = (report_id, rows.report[0]["ref"])
        for name, items in rows.tables():
            getattr(batch, name).extend(items)
        report_id += 1
        history_id += len(rows.report_history)
        event_seq += len(rows.event)
        if len(batch.report) >= BATCH:
            histories, returns = _flush(engine, batch, histories, returns)
            loaded += len(batch.report)
            rows_written += batch.count()
            batch = Rows()
            if progress:
                _progress(loaded, reports, rows_written, started)
    if batch.report:
        histories, returns = _flush(engine, batch, histories, returns)
        loaded += len(batch.report)
        rows_written += batch.count()
        if progress:
            _progress(loaded, reports, rows_written, started)
    _after_load(engine)
    load_seconds = time.perf_counter() - started
    with unit_of_work(factory) as session:
        recount(session, policy)
    rollup_seconds = time.perf_counter() - started - load_seconds
    assert report_id - first_id == loaded
    return LoadResult(loaded, histories, returns, load_seconds, rollup_seconds)


def recount(session: Session, policy: SlaPolicy) -> None:
    """Recount the map rollups and the figure rollups (which first fill the report columns
    the figures read from the history the loader wrote)."""
    rebuild_rollups(session)
    rebuild_figure_rollups(session, policy)
    rebuild_cell_weeks(session)


def _progress(loaded: int, wanted: int, rows: int, started: float) -> None:
    seconds = max(time.perf_counter() - started, 1e-9)
    print(
        f"  {loaded:>9,} / {wanted:,} reports  {loaded / seconds:7,.0f} reports/s  "
        f"{rows / seconds:8,.0f} rows/s (all tables)",
        flush=True,
    )


def _flush(engine: Engine, batch: Rows, histories: int, returns: int) -> tuple[int, int]:
    with engine.begin() as connection:
        for name, rows in batch.tables():
            if rows:
                _insert(connection, Base.metadata.tables[name], rows)
    return histories + len(batch.report_history), returns + len(batch.report_return)


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    defaults = _scalar_defaults(table, columns)
    names = ", ".join(f'"{name}"' for name in [*columns, *defaults])
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        extra = tuple(defaults.values())
        for row in rows:
            copy.write_row(tuple(_copy_value(row[name]) for name in columns) + extra)


def _scalar_defaults(table: Table, given: list[str]) -> dict[str, Any]:
    """Python-side scalar defaults of columns the rows leave out (COPY bypasses them)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not getattr(default, "is_scalar", False):
            continue
        defaults[column.name] = _copy_value(getattr(default, "arg", None))
    return defaults


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _after_load(engine: Engine) -> None:
    """Sequences past the explicit ids (PostgreSQL), the loaded events marked passed on (they
    went to screens and deliveries long ago), and fresh planner statistics."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table, key in (
                ("report", "id"),
                ("report_history", "id"),
                ("report_return", "id"),
                ("event", "seq"),
            ):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                        f"(SELECT coalesce(max({key}), 1) FROM {table}))"
                    )
                )
    with unit_of_work(make_session_factory(engine)) as session:
        last = session.scalar(select(func.max(Event.seq))) or 0
        for consumer in (PUBLISHED, DISPATCHED):
            advance_mark(session, consumer, last)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
