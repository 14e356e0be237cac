"""A database that cannot answer now is a 503 with Retry-After, never a 500, and nothing of the
request is stored: unreachable, out of free connections, or a statement that ran too long."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, delete, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ioc.app import create_app
from ioc.db import insert_at_commit, make_engine, send_with_commit, statements_held_for_commit
from ioc.events.log import record_event_at_commit
from ioc.events.models import Event
from ioc.feedback.citizen_models import IdempotencyRecord, ReportFollower
from ioc.feedback.intake.idempotency import Caller, StoredAnswer, remember_answer
from ioc.feedback.intake.submission import file_once
from ioc.feedback.reads.counter_rows import CounterChange
from ioc.feedback.reads.figure_rollups import ReportFigureWeek
from ioc.feedback.report_models import Report
from ioc.integrations.api_clients import create_api_client
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule
from tests.mobile_api.helpers import API, citizen_of, report_body

EMULATOR_HOST = "127.0.0.1:9099"


@pytest.fixture(autouse=True)
def firebase_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", EMULATOR_HOST)


_APPS: list[Flask] = []


@pytest.fixture(autouse=True)
def _dispose_apps() -> Iterator[None]:
    """Close each app's pooled connections when its test ends."""
    yield
    while _APPS:
        _APPS.pop().extensions["ioc"].engine.dispose()


def _app(database_url: str, tmp_path: Path, **settings: Any) -> Flask:
    app = create_app(
        {
            "env": "test",
            "database_url": database_url,
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            **settings,
        }
    )
    _APPS.append(app)
    return app


def _post_report(app: Flask, key: str | None = None) -> Any:
    citizen = citizen_of(app, "uid-lan-7Qx2", "Nguyễn Thị Lan", "+84905123456")
    return app.test_client().post(
        f"{API}/reports",
        json=report_body(),
        headers={**citizen.headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


def _assert_unavailable(response: Any, code: str, retry_after: str) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == retry_after
    assert response.get_json()["error"]["code"] == code


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port nothing listens on (held, so no other program takes it meanwhile)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


def test_an_unreachable_database_answers_503_with_retry_after(closed_port, tmp_path):
    app = _app(f"postgresql+psycopg://ioc@127.0.0.1:{closed_port}/ioc", tmp_path)

    read = app.test_client().get(f"{API}/categories")
    write = _post_report(app)

    _assert_unavailable(read, "database_unavailable", "5")
    _assert_unavailable(write, "database_unavailable", "5")
    assert "cơ sở dữ liệu" in write.get_json()["error"]["message"]


def test_open311_clients_get_the_503_in_the_specs_error_shape(closed_port, tmp_path):
    app = _app(f"postgresql+psycopg://ioc@127.0.0.1:{closed_port}/ioc", tmp_path)
    client = app.test_client()

    as_json = client.get("/open311/v2/services.json")
    as_xml = client.get("/open311/v2/services.xml")

    assert as_json.status_code == as_xml.status_code == 503
    assert as_json.headers["Retry-After"] == as_xml.headers["Retry-After"] == "5"
    [error] = as_json.get_json()
    assert error["code"] == 503
    assert "cơ sở dữ liệu" in error["description"]
    assert b"<code>503</code>" in as_xml.data


# --- on PostgreSQL -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def province_db() -> Iterator[Engine]:
    """A migrated PostGIS database holding a small province, committed (the apps below use
    their own connection pools, as a serving process does)."""
    with throwaway_postgis_database("ioc_overload") as engine:
        upgrade(engine)
        with Session(engine) as session:
            make_province_with_two_communes(session)
            lighting = make_category(session, "den_duong", name_vi="Đèn đường")
            make_rule(session, lighting, "P", make_agency(session, "SXD"))
            session.commit()
        yield engine


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _stored(engine: Engine) -> dict[Any, int]:
    """How many reports, their followers, events and remembered answers the database holds."""
    return {
        model: _count(engine, model) for model in (Report, ReportFollower, Event, IdempotencyRecord)
    }


def _post_while_locked(app: Flask, engine: Engine, table: str, key: str) -> Any:
    """A report posted while a long job holds ``table`` exclusively."""
    with engine.connect() as holder:
        holder.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        response = _post_report(app, key)
        holder.rollback()
    return response


@pytest.mark.postgis
def test_a_statement_past_the_timeout_is_cancelled_with_503_and_nothing_is_stored(
    province_db, tmp_path
):
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=300)
    before = _stored(province_db)
    key = uuid.uuid4().hex
    # A long maintenance job holds the table of reports.
    response = _post_while_locked(app, province_db, "report", key)

    _assert_unavailable(response, "statement_timeout", "5")
    assert _stored(province_db) == before
    # Nothing half-written stands in the way of the client's retry with the same key.
    assert _post_report(app, key).status_code == 201
    assert _count(province_db, Report) == before[Report] + 1


@pytest.mark.postgis
def test_commands_and_the_worker_run_without_the_web_statement_timeout(province_db, tmp_path):
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=300)

    with app.app_context():
        with app.extensions["ioc"].unit_of_work() as session:
            outside = session.scalar(text("SHOW statement_timeout"))
        with app.test_request_context("/"), app.extensions["ioc"].unit_of_work() as session:
            inside = session.scalar(text("SHOW statement_timeout"))

    assert outside == "0"
    assert inside == "300ms"


@pytest.mark.postgis
def test_every_request_keeps_the_statement_timeout_whatever_ran_on_its_connection_before(
    province_db, tmp_path
):
    # One pooled connection, so each transaction below reuses the one before it.
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=300, db_pool_size=1)
    services = app.extensions["ioc"]
    sets: list[str] = []
    event.listen(
        services.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: (
            sets.append(statement) if statement.startswith("SET statement_timeout") else None
        ),
    )

    def timeout(*, in_request: bool, fail: bool = False, fail_commit: bool = False) -> str:
        seen = []
        with app.test_request_context("/") if in_request else app.app_context():
            try:
                with services.unit_of_work() as session:
                    seen.append(session.scalar(text("SHOW statement_timeout")))
                    if fail:
                        raise RuntimeError("the use case failed: rolled back")
                    if fail_commit:  # a constraint checked only at COMMIT
                        session.execute(
                            text(
                                "CREATE TEMP TABLE checked_at_commit "
                                "(n int UNIQUE DEFERRABLE INITIALLY DEFERRED)"
                            )
                        )
                        session.execute(text("INSERT INTO checked_at_commit VALUES (1), (1)"))
            except (RuntimeError, IntegrityError):
                pass
        return seen[0]

    observed = [
        timeout(in_request=True),
        timeout(in_request=True, fail=True),
        timeout(in_request=True),
        timeout(in_request=False),
        # A rollback undoes a SET made in its transaction: the next one sets it again.
        timeout(in_request=True, fail=True),
        timeout(in_request=True),
        timeout(in_request=False, fail=True),
        timeout(in_request=False),
        # So does a COMMIT that fails.
        timeout(in_request=True, fail_commit=True),
        timeout(in_request=True),
    ]

    assert observed == [
        "300ms",
        "300ms",
        "300ms",
        "0",
        "300ms",
        "300ms",
        "0",
        "0",
        "300ms",
        "300ms",
    ]
    # Set only when the value changes or a failure undid it: not for each transaction.
    assert len(sets) == 8


@pytest.mark.postgis
def test_a_saturated_pool_answers_503_quickly_and_serves_again_once_a_connection_is_free(
    province_db, tmp_path
):
    app = _app(
        _url(province_db), tmp_path, db_pool_size=1, db_max_overflow=0, db_pool_timeout_ms=200
    )
    engine = app.extensions["ioc"].engine
    client = app.test_client()

    with engine.connect():  # the process's only connection, busy elsewhere
        refused = client.get(f"{API}/categories")
    served = client.get(f"{API}/categories")

    _assert_unavailable(refused, "database_busy", "1")
    assert served.status_code == 200


@pytest.mark.postgis
def test_connections_cut_by_a_database_restart_are_replaced_not_answered_500(province_db, tmp_path):
    app = _app(_url(province_db), tmp_path)
    client = app.test_client()
    assert client.get(f"{API}/categories").status_code == 200
    database = province_db.url.database
    # What a restart does to every open connection (SQLSTATE 57P01, admin shutdown).
    with province_db.connect() as admin:
        cut = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        ).scalar_one()
    assert cut >= 1
    _wait_until_gone(province_db, database)

    assert client.get(f"{API}/categories").status_code == 200
    assert _post_report(app).status_code == 201


def _wait_until_gone(engine: Engine, database: str) -> None:
    """Until the backends told to end have ended, as they have once a restart is over (a
    backend busy with other tests' work may take a moment to act on the signal)."""
    with engine.connect() as admin:
        for _ in range(200):
            others = admin.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).scalar_one()
            if others == 0:
                return
            admin.rollback()  # a transaction sees one snapshot of pg_stat_activity
            threading.Event().wait(0.05)
    raise AssertionError("the terminated connections are still there")


@pytest.mark.postgis
def test_a_connection_lost_in_the_middle_of_a_request_is_a_503_and_stores_nothing(
    province_db, tmp_path
):
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=0)
    reports = _count(province_db, Report)
    database = province_db.url.database
    with province_db.connect() as holder:
        holder.execute(text("LOCK TABLE report IN ACCESS EXCLUSIVE MODE"))
        answer: list[Any] = []

        def run() -> None:
            try:
                answer.append(_post_report(app))
            except BaseException as exc:
                answer.append(exc)

        request = threading.Thread(target=run)
        request.start()
        # Wait until the request's connection waits for the lock, then cut it off.
        with province_db.connect() as admin:
            for _ in range(200):
                waiting = (
                    admin.execute(
                        text(
                            "SELECT pid FROM pg_stat_activity WHERE datname = :db "
                            "AND wait_event_type = 'Lock'"
                        ),
                        {"db": database},
                    )
                    .scalars()
                    .all()
                )
                if waiting:
                    break
                admin.rollback()  # a transaction sees one snapshot of pg_stat_activity
                threading.Event().wait(0.05)
            assert waiting
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting[0]})
        request.join(timeout=30)
        holder.rollback()

    _assert_unavailable(answer[0], "database_unavailable", "5")
    assert _count(province_db, Report) == reports


def _week_received(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.sum(ReportFigureWeek.received))) or 0)


@pytest.mark.postgis
def test_a_filing_does_not_wait_for_a_job_that_holds_the_counters(province_db, tmp_path):
    """A filing leaves its counts to be folded: a long job holding the week's figures delays
    no filing, and once it lets go the counts are exact."""
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=300, db_pool_size=1)
    assert _post_report(app).status_code == 201
    before = _stored(province_db)
    received = _week_received(province_db)

    response = _post_while_locked(app, province_db, "report_figure_week", uuid.uuid4().hex)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert _stored(province_db) == {model: count + 1 for model, count in before.items()}
    assert _week_received(province_db) == received + 1


@pytest.mark.postgis
def test_a_reader_waits_for_a_job_holding_the_counters_only_a_moment(province_db, tmp_path):
    """While a job holds a counter row, a reader cannot fold the latest filings into it: it
    answers after a short wait, with the counts as of the last fold, and the next reader after
    the job counts everything."""
    app = _app(_url(province_db), tmp_path)
    assert _post_report(app).status_code == 201
    received = _week_received(province_db)
    with province_db.connect() as holder:
        holder.execute(text("SELECT 1 FROM report_figure_week FOR UPDATE")).all()
        assert _post_report(app).status_code == 201

        assert _week_received(province_db) == received

        holder.rollback()
    assert _week_received(province_db) == received + 1


@pytest.mark.postgis
def test_a_filing_holds_no_counter_row_until_its_commit_is_sent(province_db, tmp_path):
    """The counter rows every filing adds to (the channel's week, today's figures) are locked
    from the COMMIT's own round trip only: while a busy process has not yet sent it, other
    filings do not queue behind them."""
    app = _app(_url(province_db), tmp_path, db_statement_timeout_ms=0)
    engine = app.extensions["ioc"].engine
    assert _post_report(app).status_code == 201
    received = _week_received(province_db)
    locked_at_commit: list[bool] = []

    def try_the_rows(_connection: Any) -> None:
        with province_db.connect() as other:
            try:
                other.execute(text("SET LOCAL lock_timeout = '50ms'"))
                other.execute(text("SELECT 1 FROM report_figure_week FOR UPDATE")).all()
                locked_at_commit.append(False)
            except OperationalError:
                locked_at_commit.append(True)
            other.rollback()

    event.listen(engine, "commit", try_the_rows)
    try:
        assert _post_report(app).status_code == 201
    finally:
        event.remove(engine, "commit", try_the_rows)

    assert locked_at_commit == [False]
    assert _week_received(province_db) == received + 1


@pytest.mark.postgis
def test_a_statement_held_for_a_commit_that_never_comes_is_dropped(province_db):
    engine = make_engine(_url(province_db), pool_size=1)
    try:
        with Session(engine) as session:
            session.execute(text("CREATE TABLE IF NOT EXISTS held_marks (n int)"))
            session.commit()
            assert send_with_commit(session, "INSERT INTO held_marks VALUES (1)", {})
            session.rollback()
            # The next transaction on the same pooled connection commits only its own work.
            assert send_with_commit(session, "INSERT INTO held_marks VALUES (2)", {})
            session.commit()
            assert session.scalars(text("SELECT n FROM held_marks")).all() == [2]
            session.execute(text("DROP TABLE held_marks"))
            session.commit()
    finally:
        engine.dispose()


@pytest.mark.postgis
def test_rows_held_for_the_commit_with_no_other_statement_go_in_one(province_db):
    """Rows held for the COMMIT and nothing else to ride in: they go as one statement, and
    every one is written."""
    engine = make_engine(_url(province_db), pool_size=1)
    carried: list[int] = []

    def count(connection: Any) -> None:
        carried.append(statements_held_for_commit(connection))

    event.listen(engine, "commit", count)
    try:
        with Session(engine) as session:
            last = session.scalar(select(func.coalesce(func.max(CounterChange.id), 0)))
            for n in (1, 2, 3):
                assert insert_at_commit(session, CounterChange, {"changes": {"test": [{"n": n}]}})
            session.commit()
            written = session.scalars(
                select(CounterChange.changes).where(CounterChange.id > last)
            ).all()
            # Not a real change: gone before anything folds it.
            session.execute(delete(CounterChange).where(CounterChange.id > last))
            session.commit()
    finally:
        engine.dispose()

    assert carried[0] == 1
    assert sorted(change["test"][0]["n"] for change in written) == [1, 2, 3]


@pytest.mark.postgis
def test_a_retry_that_commits_its_key_first_wins_and_the_other_filing_leaves_nothing(
    province_db, tmp_path
):
    """The key's record goes with the COMMIT: when a parallel retry with the same key commits
    first, this commit fails on the unique key, all of its transaction is undone (its event
    included), and the caller gets the answer the retry gave."""
    app = _app(_url(province_db), tmp_path)
    services = app.extensions["ioc"]
    with services.unit_of_work() as session:
        caller = Caller(api_client_id=create_api_client(session, name=uuid.uuid4().hex).client.id)
    key, fingerprint = uuid.uuid4().hex, "f" * 64

    def file_while_the_retry_commits(session: Session, _photos: Any) -> StoredAnswer:
        record_event_at_commit(session, "test.lost_race", payload={}, audiences=["ops"])
        with services.unit_of_work() as retry:
            remember_answer(
                retry,
                caller=caller,
                key=key,
                fingerprint=fingerprint,
                answer=StoredAnswer(201, {"service_request_id": "retry"}, None),
            )
        return StoredAnswer(201, {"service_request_id": "this one"}, None)

    answer = file_once(
        services.session_factory,
        services.media,
        caller=caller,
        key=key,
        fingerprint=fingerprint,
        photos=[],
        file=file_while_the_retry_commits,
    )

    assert answer.body == {"service_request_id": "retry"}
    with Session(province_db) as session:
        assert session.scalar(select(func.count()).where(Event.type == "test.lost_race")) == 0
