"""On PostgreSQL a committed filing leaves its counter changes to be folded into the rollups:
filings never wait on one another for the counter rows, and every reader still sees every
committed report counted exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_session_factory, unit_of_work
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.triage import reject_report
from ioc.feedback.models import User
from ioc.feedback.reads.counter_rows import CounterChange, recount_counters
from ioc.feedback.reads.figure_rollups import (
    COUNTERS,
    ReportFigure,
    ReportFigureMonthTotal,
    rebuild_figure_rollups,
)
from ioc.feedback.reads.hotspots import rebuild_cell_weeks
from ioc.feedback.reads.rollups import ReportCellCount, rebuild_rollups
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus, Role
from ioc.integrations.worker import fold_counters_once
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.factories import make_category, make_policy, make_province_with_two_communes
from tests.feedback.reads.cell_counts import cells_of_reports, cells_read

POLICY = make_policy()
IN_A = (108.05, 16.05)
IN_B = (108.15, 16.05)


@pytest.fixture(scope="module")
def committed_engine() -> Iterator[Engine]:
    """A database of its own: these tests commit for real."""
    with throwaway_postgis_database("ioc_counters") as engine:
        upgrade(engine)
        yield engine


@pytest.fixture
def factory(committed_engine: Engine) -> Iterator[sessionmaker[Session]]:
    factory = make_session_factory(committed_engine)
    with unit_of_work(factory) as session:
        session.add(User(role=Role.IOC_OPERATOR, username="operator"))
        make_province_with_two_communes(session)
        make_category(session, "o_ga", is_auto_dispatch=False)
    yield factory
    with committed_engine.begin() as connection:
        tables = ", ".join(
            f'"{name}"'
            for (name,) in connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"
                )
            )
        )
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _file(factory: sessionmaker[Session], intake: Intake, point: tuple[float, float]) -> int:
    with unit_of_work(factory) as session:
        report = submit_report(
            session, intake, category_code="o_ga", lon=point[0], lat=point[1], channel="phone"
        )
        return report.id


def _waiting_changes(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(CounterChange)).scalar_one()


def _cells_as_stored(engine: Engine) -> Counter[tuple[int, int, int, str]]:
    """The cell counts as the table holds them, read without folding first (not a session)."""
    with engine.connect() as connection:
        rows = connection.execute(select(ReportCellCount.__table__)).all()
    return Counter(
        {(r.cell_x, r.cell_y, r.category_id, r.status): r.count for r in rows if r.count}
    )


def test_a_filing_commits_its_counts_as_a_change_and_a_reader_sees_them_folded(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    _file(factory, intake, IN_A)
    _file(factory, intake, IN_B)

    assert _waiting_changes(committed_engine) == 2
    assert _cells_as_stored(committed_engine) == Counter()
    with factory() as session:
        assert sum(cells_read(session).values()) == 2
        assert cells_read(session) == cells_of_reports(session)
        received = session.scalar(select(func.sum(ReportFigure.received)))
    assert received == 2
    assert _waiting_changes(committed_engine) == 0


def test_the_worker_folds_what_nobody_read(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    for point in (IN_A, IN_A, IN_B):
        _file(factory, intake, point)

    assert fold_counters_once(factory) == 3

    assert _waiting_changes(committed_engine) == 0
    with factory() as session:
        assert _cells_as_stored(committed_engine) == cells_of_reports(session)
    assert fold_counters_once(factory) == 0


def test_a_change_names_only_the_counters_it_moves_and_changes_of_either_form_fold(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    _file(factory, intake, IN_A)
    with committed_engine.connect() as connection:
        (changes,) = connection.execute(select(CounterChange.changes)).scalars()
    (figure,) = changes["report_figure"]
    assert figure["received"] == 1
    assert not {"resolved", "handling_seconds"} & figure.keys()
    # A change queued before an upgrade names every counter, zeros included.
    full = {**figure, **{name: 0 for name in COUNTERS if name not in figure}}
    with committed_engine.begin() as connection:
        connection.execute(CounterChange.__table__.insert(), {"changes": {"report_figure": [full]}})

    assert fold_counters_once(factory) == 2

    with factory() as session:
        row = session.execute(select(ReportFigure)).scalar_one()
        assert (row.received, row.resolved, row.handling_seconds) == (2, 0, 0)


def test_a_change_of_a_few_kilobytes_is_stored_as_it_is_not_compressed(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    _file(factory, intake, IN_A)
    with committed_engine.begin() as connection:
        (changes,) = connection.execute(select(CounterChange.changes)).scalars()
        # A filing in a province of many areas and rollups writes a change of this size.
        (figure,) = changes["report_figure"]
        bigger = changes | {
            "report_figure": [figure | {"day": f"2026-12-{d:02}"} for d in (1, 2, 3, 4)] * 6
        }
        connection.execute(CounterChange.__table__.insert(), {"changes": bigger})
        text_size, stored_size = connection.execute(
            text(
                "SELECT octet_length(changes::text), pg_column_size(changes) FROM counter_change "
                "ORDER BY id DESC LIMIT 1"
            )
        ).one()

    # Past the 2 kB at which PostgreSQL compresses long values by default, yet stored whole.
    assert text_size > 2_500
    assert stored_size >= text_size


def test_a_rolled_back_filing_leaves_nothing_to_fold(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    with factory() as session:
        submit_report(
            session, intake, category_code="o_ga", lon=IN_A[0], lat=IN_A[1], channel="phone"
        )
        session.flush()
        session.rollback()

    assert _waiting_changes(committed_engine) == 0
    with factory() as session:
        assert cells_read(session) == Counter()


def test_a_reader_that_changed_reports_sees_its_own_changes_and_the_committed_ones(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    first = _file(factory, intake, IN_A)
    _file(factory, intake, IN_B)
    with factory() as session:
        operator = session.scalars(select(User).where(User.username == "operator")).one()
        reject_report(
            session,
            policy=POLICY,
            report=session.get_one(Report, first),
            actor=operator,
            reason="Không thuộc phạm vi",
        )
        cells = cells_read(session)
        assert cells == cells_of_reports(session)
        assert ReportStatus.REJECTED in {status for (_, _, _, status) in cells}
        session.commit()
    with factory() as session:
        assert cells_read(session) == cells_of_reports(session)


def test_concurrent_filings_folds_and_reads_count_every_report_once(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    writers, per_writer = 4, 12
    done = threading.Event()
    failures: list[BaseException] = []

    def write(point: tuple[float, float]) -> None:
        try:
            for _ in range(per_writer):
                _file(factory, intake, point)
        except BaseException as error:  # reported by the test below
            failures.append(error)

    def fold_and_read() -> None:
        try:
            while not done.is_set():
                fold_counters_once(factory)
                with factory() as session:
                    cells_read(session)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=((IN_A, IN_B)[i % 2],)) for i in range(writers)]
    folders = [threading.Thread(target=fold_and_read) for _ in range(2)]
    for thread in (*threads, *folders):
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in folders:
        thread.join()

    assert failures == []
    with factory() as session:
        assert sum(cells_read(session).values()) == writers * per_writer
        assert cells_read(session) == cells_of_reports(session)
        assert session.scalar(select(func.sum(ReportFigure.received))) == writers * per_writer
        per_channel = session.scalar(
            select(ReportFigureMonthTotal.received).where(
                ReportFigureMonthTotal.dimension == "channel",
                ReportFigureMonthTotal.group_key == "phone",
            )
        )
        assert per_channel == writers * per_writer
    assert _waiting_changes(committed_engine) == 0


def _recount_everything(session: Session) -> None:
    rebuild_rollups(session)
    rebuild_figure_rollups(session, POLICY)
    rebuild_cell_weeks(session)


def _received(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.sum(ReportFigure.received))) or 0


def test_a_recount_counts_once_the_filings_not_yet_folded_and_those_that_commit_meanwhile(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    _file(factory, intake, IN_A)  # committed before the recount, its change not folded
    folds_meanwhile: list[int] = []

    def recount(session: Session) -> None:
        # Filed and committed while the recount runs, then folded by the worker meanwhile.
        _file(factory, intake, IN_B)
        folds_meanwhile.append(fold_counters_once(factory))
        _recount_everything(session)

    recount_counters(factory, recount)

    assert folds_meanwhile == [0]  # the recount held the folds still
    assert _waiting_changes(committed_engine) == 1  # the late filing's, left to fold
    assert _received(factory) == 2
    with factory() as session:
        assert cells_read(session) == cells_of_reports(session)
        assert sum(cells_read(session).values()) == 2
    assert fold_counters_once(factory) == 0  # the reader above folded it


def test_a_recount_of_an_idle_database_leaves_the_counts_as_they_were(
    committed_engine: Engine, factory: sessionmaker[Session], intake: Intake
) -> None:
    for point in (IN_A, IN_A, IN_B):
        _file(factory, intake, point)
    with factory() as session:
        before = (cells_read(session), _month_totals(session))

    recount_counters(factory, _recount_everything)

    with factory() as session:
        assert (cells_read(session), _month_totals(session)) == before
    assert _waiting_changes(committed_engine) == 0
    assert fold_counters_once(factory) == 0


def _month_totals(session: Session) -> list[tuple[object, ...]]:
    rows = session.execute(select(ReportFigureMonthTotal.__table__)).all()
    return sorted((tuple(row) for row in rows), key=repr)
