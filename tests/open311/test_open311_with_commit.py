"""An Open311 create whose rows go with its COMMIT (PostgreSQL): the app commits for real here,
on a database of its own, so what the COMMIT carries is what the database keeps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.db import make_session_factory, statements_held_for_commit, unit_of_work
from ioc.events.audiences import citizen_audience
from ioc.events.models import Event, EventAudience
from ioc.feedback.citizen_models import IdempotencyRecord, ReportFollower
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.intake.report_insert import NEW_REPORT_REPORTER_ID
from ioc.feedback.models import User
from ioc.feedback.people.callers import caller_lookup
from ioc.feedback.reads.figure_rollups import ReportFigure
from ioc.feedback.report_models import Report, ReportArea, ReportHistory
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import Channel
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.open311.conftest import IN_A, World, build_world, pothole_form
from tests.open311.helpers import BASE, json_of

pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def own_engine() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_with_commit") as engine:
        upgrade(engine)
        yield engine


@pytest.fixture
def committed(own_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that commit for real; every table is emptied afterwards."""
    factory = make_session_factory(own_engine)
    yield factory
    with own_engine.begin() as connection:
        tables = connection.exec_driver_sql(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename NOT IN ('alembic_version', "
            "'spatial_ref_sys')"
        ).scalar_one()
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture
def own_world(committed: sessionmaker[Session]) -> World:
    with unit_of_work(committed) as session:
        return build_world(session)


@pytest.fixture
def own_app(own_engine: Engine, own_world: World, policy: SlaPolicy, tmp_path) -> Iterator[Flask]:
    app = create_app(
        {
            "env": "test",
            "database_url": own_engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
        }
    )
    services = app.extensions["ioc"]
    services.policy = policy
    services.intake = replace(services.intake, policy=policy)
    yield app
    services.engine.dispose()


def _file(app: Flask, world: World, **overrides: str) -> str:
    form = pothole_form(world, **{"first_name": "Hoàng", "last_name": "Văn Đức", **overrides})
    answer = app.test_client().post(f"{BASE}/requests.json", data=form)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    ref: str = json_of(answer)[0]["service_request_id"]
    return ref


def _report(committed: sessionmaker[Session], ref: str) -> Report:
    with committed() as session:
        return session.scalars(select(Report).where(Report.ref == ref)).one()


def test_the_report_its_reporter_follower_and_event_are_all_written(own_app, own_world, committed):
    ref = _file(own_app, own_world)

    with committed() as session:
        report = session.scalars(select(Report).where(Report.ref == ref)).one()
        reporter = session.get_one(User, report.reporter_id)
        assert reporter.phone == "+84913555666"
        assert [(h.action, h.actor_id) for h in report.history] == [("submitted", reporter.id)]
        assert [a.area.code for a in sorted(report.areas, key=lambda a: a.depth)] == ["A", "P"]
        followers = session.scalars(
            select(ReportFollower.user_id).where(ReportFollower.report_id == report.id)
        ).all()
        assert followers == [reporter.id]
        created = session.scalars(select(Event).where(Event.type == "report.created")).one()
        assert created.report_id == report.id
        assert created.payload["ref"] == ref
        assert created.audiences[-1] == citizen_audience(reporter.id)
        rooms = session.scalars(
            select(EventAudience.audience).where(EventAudience.seq == created.seq)
        ).all()
        assert sorted(rooms) == sorted(created.audiences)


def test_an_anonymous_report_has_no_follower_and_no_citizen_room(own_app, own_world, committed):
    ref = _file(own_app, own_world, first_name="", last_name="", phone="")

    with committed() as session:
        report = session.scalars(select(Report).where(Report.ref == ref)).one()
        assert report.reporter_id is None
        assert session.scalar(select(func.count()).select_from(ReportFollower)) == 0
        created = session.scalars(select(Event)).one()
        assert not [a for a in created.audiences if a.startswith("citizen:")]
        rooms = session.scalars(select(EventAudience.audience)).all()
        assert sorted(rooms) == sorted(created.audiences)


def test_a_media_link_is_noted_after_the_filing(own_app, own_world, committed):
    ref = _file(own_app, own_world, media_url="https://lgsp.example.vn/anh/123.jpg")

    report = _report(committed, ref)
    with committed() as session:
        notes = session.execute(
            select(ReportHistory.action, ReportHistory.note, ReportHistory.is_public)
            .where(ReportHistory.report_id == report.id)
            .order_by(ReportHistory.id)
        ).all()
    assert [tuple(note) for note in notes] == [
        ("submitted", None, True),
        ("media_link", "https://lgsp.example.vn/anh/123.jpg", False),
    ]


def test_a_code_a_report_filed_meanwhile_took_is_drawn_again(own_app, own_world, committed):
    taken = _file(own_app, own_world)
    draws = iter([taken, "PA2612-AGA1N0"])
    services = own_app.extensions["ioc"]
    services.intake = replace(services.intake, draw_ref=lambda _at: next(draws))

    ref = _file(own_app, own_world, phone="+84913000111")

    assert ref == "PA2612-AGA1N0"
    with committed() as session:
        assert session.scalars(select(Report.ref).order_by(Report.id)).all() == [taken, ref]
        assert session.scalar(select(func.count()).select_from(Event)) == 2
        assert session.scalar(select(func.count()).select_from(ReportFollower)) == 2
        assert session.scalar(select(func.count()).select_from(ReportArea)) == 4


def test_a_create_sends_nothing_before_its_commit(own_app, own_world):
    _file(own_app, own_world)  # the key, the catalogue and the area index are read now
    sent: list[str] = []
    engine = own_app.extensions["ioc"].engine

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        _file(own_app, own_world, phone="+84913000222")
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert sent == []


def test_a_create_sends_two_statements_with_its_commit_and_every_row_is_kept(
    own_app, own_world, committed
):
    """The idempotency record and the counter change ride in the event's statement: the
    COMMIT carries the report's statement and that one, and the database keeps every row."""
    _file(own_app, own_world)  # the key, the catalogue and the area index are read now
    engine = own_app.extensions["ioc"].engine
    carried: list[int] = []

    def count(connection: Any) -> None:
        carried.append(statements_held_for_commit(connection))

    event.listen(engine, "commit", count)
    try:
        answer = own_app.test_client().post(
            f"{BASE}/requests.json",
            data=pothole_form(own_world, phone="+84913000333"),
            headers={"Idempotency-Key": "once-only-7"},
        )
    finally:
        event.remove(engine, "commit", count)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert carried == [2]
    with committed() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 2
        assert (
            session.scalar(select(func.count()).where(IdempotencyRecord.key == "once-only-7")) == 1
        )
        assert session.scalar(select(func.count()).select_from(Event)) == 2
        # Read through the rollups, which fold the waiting changes first: both are counted.
        assert session.scalar(select(func.sum(ReportFigure.received))) == 2
    # The same key again gets the same answer, from the record the COMMIT kept.
    again = own_app.test_client().post(
        f"{BASE}/requests.json",
        data=pothole_form(own_world, phone="+84913000333"),
        headers={"Idempotency-Key": "once-only-7"},
    )
    assert json_of(again) == json_of(answer)


def _file_held(session: Session, intake: Intake, **extra: Any) -> Report:
    """A pothole filed in commune A with its rows held for the COMMIT."""
    return submit_report(
        session,
        intake,
        category_code="o_ga",
        lon=IN_A[0],
        lat=IN_A[1],
        channel=Channel.OPEN311,
        attributes={"pothole_size": "small"},
        with_commit=True,
        **extra,
    )


def test_a_statement_before_the_commit_finds_the_report_written(own_world, committed, intake):
    with unit_of_work(committed) as session:
        caller = caller_lookup(name="Lê Thị Hoa", phone="+84905000333", email=None)
        report = _file_held(session, intake, reporter=caller)
        assert report.id is None  # held for the COMMIT

        found = session.execute(
            select(Report.id, Report.reporter_id).where(Report.ref == report.ref)
        ).one()

        assert report.id == found.id
        assert report.reporter_id == found.reporter_id is not None
    assert _report(committed, report.ref).id == found.id


def test_without_a_commit_nothing_is_written(own_world, committed, intake):
    with committed() as session:
        report = _file_held(session, intake)
        session.rollback()

    with committed() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
        assert session.scalar(select(func.count()).select_from(Event)) == 0
    assert report.id is None


def test_the_rows_that_follow_the_report_find_it_by_its_key(own_engine, own_world):
    """The reporter is looked up by the report's key, not by reading every report: at a
    million reports each filing would otherwise read them all."""
    with own_engine.begin() as connection:
        connection.exec_driver_sql("SELECT nextval(pg_get_serial_sequence('report', 'id'))")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            connection.exec_driver_sql(f"EXPLAIN SELECT {NEW_REPORT_REPORTER_ID}").scalars()
        )

    assert "Seq Scan" not in plan, plan
    assert "Index" in plan, plan
