"""Shared fixtures: every test runs on a fixed clock; every data test runs on SQLite and, when
configured, on PostGIS.

Each test starts at the same chosen instant (a weekday morning in Vietnam, or ``IOC_TEST_NOW``;
see ``tests/clock.py``), so no result depends on the day or hour the suite runs.

``IOC_TEST_POSTGIS_URL`` names a PostgreSQL server (with PostGIS installed) through one of its
databases; the suite creates throwaway databases beside it and drops them afterwards, so
several runs can share a server. Without it the PostGIS variants are skipped with a reason,
unless ``IOC_TEST_REQUIRE_POSTGIS=1`` (set by CI), which turns the absence into a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.db import make_engine
from ioc.feedback.intake.filing import Intake
from ioc.feedback.reads.counter_rows import WRITE_AT_FLUSH
from ioc.feedback.sla.policy import SlaPolicy
from ioc.geo.service import AreaLocator
from ioc.migrate import upgrade
from tests.clock import chosen_now
from tests.factories import make_policy

POSTGIS_URL = os.environ.get("IOC_TEST_POSTGIS_URL")
REDIS_URL = os.environ.get("IOC_TEST_REDIS_URL")
REQUIRE_REDIS = os.environ.get("IOC_TEST_REQUIRE_REDIS") == "1"
REQUIRE_POSTGIS = os.environ.get("IOC_TEST_REQUIRE_POSTGIS") == "1"
#: The Socket.IO channel of this test run: Redis pub/sub channels are shared by every database
#: of a server, so a fixed name would let other runs' (and other processes') events in.
REDIS_CHANNEL = f"ioc-test-{secrets.token_hex(8)}"
#: How long before the tests' instant shared fixtures are set up (see pytest_fixture_setup).
SHARED_FIXTURE_LEAD = timedelta(minutes=5)

BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


def pytest_report_header() -> list[str]:
    clock = f"Test clock: every test starts at {chosen_now().isoformat()} (IOC_TEST_NOW)"
    if POSTGIS_URL:
        return [clock, f"PostGIS tests: on ({POSTGIS_URL.rsplit('@', 1)[-1]})"]
    return [clock, "PostGIS tests: off (set IOC_TEST_POSTGIS_URL to run them)"]


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[time_machine.Traveller]:
    """Every test starts at the chosen instant, whatever the day; the clock ticks from there.

    A test may travel further itself (``time_machine.travel`` nests) or move this traveller.
    """
    with time_machine.travel(chosen_now(), tick=True) as traveller:
        yield traveller


class SharedFixturesOnTheTestClock:
    """Fixtures shared by several tests (module, package, session) are set up on the test clock
    too, ``SHARED_FIXTURE_LEAD`` before the tests' instant: what they create is in the past of
    every test that uses it, as data a test finds in the database always is."""

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[object]
    ) -> Generator[None, object, object]:
        if fixturedef.scope == "function":
            return (yield)
        with time_machine.travel(chosen_now() - SHARED_FIXTURE_LEAD, tick=True):
            return (yield)


def pytest_configure(config: pytest.Config) -> None:
    chosen_now()  # a malformed IOC_TEST_NOW stops the run here, once, with its reason
    # A plugin, not a hook of this file: session fixtures are set up through the hooks of the
    # root directory, which a conftest.py under tests/ does not reach.
    config.pluginmanager.register(SharedFixturesOnTheTestClock(), "ioc-shared-fixture-clock")


@pytest.fixture(scope="session", autouse=True)
def _redis_channel() -> Iterator[None]:
    """Apps built in this process and processes started from it use this run's channel."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOC_REDIS_CHANNEL", REDIS_CHANNEL)
        yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostGIS half of the suite ran."""
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "postgis" in getattr(report, "keywords", {}) and report.when in ("call", "setup"):
                if report.when == "setup" and outcome == "passed":
                    continue
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    summary = ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items()) or "none"
    terminalreporter.write_line(f"PostGIS tests: {summary}")


def postgis_url_or_skip() -> str:
    if POSTGIS_URL:
        return POSTGIS_URL
    if REQUIRE_POSTGIS:
        pytest.fail("IOC_TEST_REQUIRE_POSTGIS=1 but IOC_TEST_POSTGIS_URL is not set")
    pytest.skip("no PostGIS database: set IOC_TEST_POSTGIS_URL")


def redis_url_or_skip() -> str:
    """A reachable Redis for tests that need one (``IOC_TEST_REDIS_URL``); required in CI."""
    import redis

    url = REDIS_URL or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if REQUIRE_REDIS:
            pytest.fail(f"Redis at {url} is required but unreachable: {exc}")
        pytest.skip(f"no Redis at {url}: set IOC_TEST_REDIS_URL")
    return url


@contextmanager
def throwaway_postgis_database(prefix: str) -> Iterator[Engine]:
    """A brand-new, empty PostgreSQL database on the test server, dropped afterwards."""
    url = make_url(postgis_url_or_skip())
    name = f"{prefix}_{secrets.token_hex(6)}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
        try:
            yield engine
        finally:
            engine.dispose()
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("db") / "ioc-test.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgis_engine() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_test") as engine:
        upgrade(engine)
        yield engine


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated database, once per backend."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions inside one outer transaction that is rolled back after the test.

    Code under test may commit: its commits release savepoints, never the outer transaction.
    """
    connection = engine.connect()
    outer = connection.begin()
    yield sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    outer.rollback()
    connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """The test's own session: what it flushes, the app's sessions on the same connection
    see as already there, rollup counters included."""
    with session_factory() as session:
        session.info[WRITE_AT_FLUSH] = True
        yield session


@pytest.fixture
def locator() -> AreaLocator:
    return AreaLocator(check_seconds=0)


@pytest.fixture
def policy() -> SlaPolicy:
    """The shipped SLA policy without public holidays (tests choose their own dates)."""
    return make_policy()


@pytest.fixture
def intake(locator: AreaLocator, policy: SlaPolicy) -> Intake:
    return Intake(locator=locator, policy=policy)


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings the ``app`` fixture's app takes on top of the test defaults; a test changes
    them with ``@pytest.mark.parametrize("app_settings", [{...}])``."""
    return {}


@pytest.fixture
def app(
    engine: Engine,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    policy: SlaPolicy,
    app_settings: dict[str, Any],
) -> Iterator[Flask]:
    """An app on the test database whose units of work stay inside the test's transaction,
    counting deadlines with the same policy as the tests' own use cases (no holidays). The
    app's own engine is disposed afterwards, so no connection it opened is left to the
    garbage collector."""
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            **app_settings,
        }
    )
    services = app.extensions["ioc"]
    services.session_factory = session_factory
    services.policy = policy
    services.intake = replace(services.intake, policy=policy)
    yield app
    services.engine.dispose()


@pytest.fixture
def client(app: Flask):
    return app.test_client()
