"""The scale benchmark's loader (``bench/scale.py``) writes reports the application would
have written: every report filed under its area chain, a history that leads to its status,
deadlines and verdicts consistent with the clock, and rollups equal to a recount.

The loader runs once per backend (a few hundred reports) into a database of its own; the
tests read what it wrote. No timings are asserted.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ioc.db import make_engine, make_session_factory, utcnow
from ioc.events.log import record_event
from ioc.events.marks import DISPATCHED, PUBLISHED, passed_through
from ioc.events.models import Event, EventAudience
from ioc.feedback.intake.attributes import clean_attributes
from ioc.feedback.reads.rollups import ReportCellCount, rollup_key
from ioc.feedback.report_models import Report, ReportArea, ReportHistory, ReportReturn
from ioc.feedback.sla.policy import load_policy
from ioc.feedback.states import (
    DISMISSED_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    TRIAGE_STATES,
    ReportStatus,
)
from ioc.geo.service import AreaLocator
from tests.bench_modules import bench_module
from tests.conftest import BACKENDS, throwaway_postgis_database

REPORTS = 300


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, datetime]]:
    """A database with the demo province and the loader's reports, and the loader's "now"."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("scale") / "scale.sqlite3"
        engine, now = _load(f"sqlite:///{path}")
        yield engine, now
        engine.dispose()
        return
    with throwaway_postgis_database("ioc_scale") as scratch:
        engine, now = _load(scratch.url.render_as_string(hide_password=False))
        yield engine, now
        engine.dispose()


def _load(url: str) -> tuple[Engine, datetime]:
    demo_database = bench_module("demo_database")
    scale_load = bench_module("scale_load")
    demo_database.fresh_demo_database(url).dispose()
    engine = make_engine(url)
    now = utcnow()
    policy = load_policy(_timezone())
    result = scale_load.load_reports(engine, policy, reports=REPORTS, now=now, progress=False)
    assert result.reports == REPORTS
    return engine, now


def _timezone() -> ZoneInfo:
    return ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def session(loaded: tuple[Engine, datetime]) -> Iterator[Session]:
    with make_session_factory(loaded[0])() as session:
        yield session


def test_every_report_is_filed_under_the_area_chain_of_its_point(session: Session) -> None:
    reports = session.scalars(select(Report).order_by(Report.id)).all()
    assert len(reports) == REPORTS
    index = AreaLocator(check_seconds=0).index(session)
    chains: dict[int, list[int]] = {}
    for row in session.execute(
        select(ReportArea.report_id, ReportArea.area_id).order_by(
            ReportArea.report_id, ReportArea.depth
        )
    ):
        chains.setdefault(row.report_id, []).append(row.area_id)
    for report in reports:
        expected = index.locate(report.lon, report.lat, report.received_at)
        assert expected is not None
        assert chains[report.id] == [area.id for area in expected], report.ref


def test_history_leads_step_by_step_to_each_report_status(
    session: Session, loaded: tuple[Engine, datetime]
) -> None:
    now = loaded[1]
    histories: dict[int, list[ReportHistory]] = {}
    for entry in session.scalars(select(ReportHistory).order_by(ReportHistory.id)):
        histories.setdefault(entry.report_id, []).append(entry)
    for report in session.scalars(select(Report)):
        steps = histories[report.id]
        assert steps[0].action == "submitted"
        assert steps[0].occurred_at == report.received_at
        assert steps[-1].to_status == report.status, report.ref
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status, (report.ref, after.action)
            assert before.occurred_at <= after.occurred_at <= now


def test_fields_agree_with_each_status(session: Session, loaded: tuple[Engine, datetime]) -> None:
    now = loaded[1]
    for report in session.scalars(select(Report)):
        status = ReportStatus(report.status)
        assert report.receipt_due_at is not None
        assert report.clock_started_at is not None
        if status in HANDLING_STATES:
            assert report.lead_agency_id is not None
            assert report.due_at is not None
        if status in TRIAGE_STATES:
            assert report.lead_agency_id is None
        if status in OPEN_STATES:
            assert report.closed_at is None
            assert report.resolved_at is None
            deadline = report.receipt_due_at if status in TRIAGE_STATES else report.due_at
            assert deadline is not None
            assert (report.overdue_announced_at is not None) == (deadline < now)
        if status in DISMISSED_STATES:
            assert report.closed_at is not None
            assert report.resolved_at is None
        if status == ReportStatus.DUPLICATE:
            assert report.duplicate_of_id is not None
            assert report.duplicate_of_id < report.id
            original = session.get(Report, report.duplicate_of_id)
            assert original is not None
            assert original.status not in DISMISSED_STATES
        if status in (ReportStatus.RESOLVED, ReportStatus.CLOSED):
            assert report.resolved_at is not None
            assert report.due_at is not None
            assert report.resolved_on_time == (report.resolved_at <= report.due_at)
        if status == ReportStatus.CLOSED:
            assert report.closed_at is not None
            assert report.closed_at >= report.resolved_at


def test_statuses_come_in_plausible_proportions(session: Session) -> None:
    counts = Counter(session.scalars(select(Report.status)))
    total = sum(counts.values())
    is_open = sum(counts[s] for s in OPEN_STATES)
    assert counts[ReportStatus.CLOSED] > total / 2
    assert 0 < is_open < total / 5
    assert counts[ReportStatus.REJECTED] > 0
    channels = set(session.scalars(select(Report.channel).distinct()))
    assert {"mobile", "zalo", "phone"} <= channels


def test_returns_record_the_wrong_agency_and_the_time_it_held_the_report(
    session: Session,
) -> None:
    policy = load_policy(_timezone())
    returned = session.scalars(select(ReportReturn)).all()
    history_returns = session.scalar(
        select(func.count()).select_from(ReportHistory).where(ReportHistory.action == "return")
    )
    assert len(returned) == history_returns
    for row in returned:
        report = session.get(Report, row.report_id)
        assert report is not None
        assert report.lead_agency_id != row.agency_id
        assert row.assigned_at < row.returned_at
        assert row.hours_held <= policy.rules.returns.window_working_hours


def test_map_rollups_equal_a_recount_of_the_reports(session: Session) -> None:
    recount: Counter[tuple[int, int, int, str]] = Counter()
    for report in session.scalars(select(Report)):
        recount[rollup_key(report.cell_x, report.cell_y, report.category_id, report.status)] += 1
    stored = {
        (row.cell_x, row.cell_y, row.category_id, row.status): row.count
        for row in session.scalars(select(ReportCellCount))
        if row.count
    }
    assert stored == dict(recount)


def test_attributes_pass_the_intake_check_of_their_category(session: Session) -> None:
    for report in session.scalars(select(Report)):
        definitions = report.category.attributes
        assert clean_attributes(definitions, report.attributes) == report.attributes, report.ref


def test_each_report_comes_with_its_filing_event_already_passed_on(session: Session) -> None:
    """The event log is as long as the reports make it, and the screens' publishers and the
    deliveries start from its end: nothing from the loaded year goes out again."""
    reports = {r.id: r for r in session.scalars(select(Report))}
    events = session.scalars(select(Event).order_by(Event.seq)).all()
    filed = [event for event in events if event.report_id in reports]
    assert sorted(event.report_id for event in filed) == sorted(reports)
    assert [event.occurred_at for event in filed] == sorted(event.occurred_at for event in filed)
    rooms: dict[int, set[str]] = {}
    for row in session.execute(select(EventAudience.seq, EventAudience.audience)):
        rooms.setdefault(row.seq, set()).add(row.audience)
    for event in filed:
        report = reports[event.report_id]
        assert event.type == "report.created"
        assert event.occurred_at == report.received_at
        assert event.payload["ref"] == report.ref
        assert rooms[event.seq] == set(event.audiences)
        assert "ops" in event.audiences
        if report.reporter_id is not None:
            assert f"citizen:{report.reporter_id}" in event.audiences
    newest = events[-1].seq
    assert passed_through(session, PUBLISHED) == newest
    assert passed_through(session, DISPATCHED) == newest


def test_the_next_event_is_numbered_after_the_loaded_ones(session: Session) -> None:
    newest = session.scalar(select(func.max(Event.seq)))
    event = record_event(session, "report.updated", payload={}, audiences=["ops"])
    assert event.seq == newest + 1
    session.rollback()
