"""Screens connected through outages end with every event of their audience, once, in order.

The real tier (tests/topology/live_rig.py): two gunicorn gevent app processes and ``ioc
worker`` on PostgreSQL, a private ``redis-server``, screens running the pages' own live code
under Node. Reports are filed all along; then each screen's applied events are compared with
the event log of its audience.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from ioc.db import make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.events.marks import PUBLISHED, passed_through
from ioc.events.models import Event, EventAudience
from ioc.feedback.people.staff_sessions import sign_in
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.topology.live_rig import (
    Filer,
    LiveTier,
    PrivatePostgres,
    PrivateRedis,
    Screen,
    wait_until,
)

pytestmark = pytest.mark.postgis

OPS = ("/ops", "/api/ops/v1/snapshot")
AGENCY = ("/agency", "/api/agency/v1/snapshot")


@pytest.fixture
def database() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_outage") as engine:
        upgrade(engine)
        yield engine


def _tokens(engine: Engine) -> dict[str, str]:
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
        return {
            "ops": sign_in(session, username="dieuhanh", password="demo-dieuhanh").token,
            "agency": sign_in(session, username="sxd.canbo", password="demo-sxd-officer").token,
        }


def _log_of(engine: Engine, audience: str, after: int) -> list[int]:
    with unit_of_work(make_session_factory(engine)) as session:
        return list(
            session.scalars(
                select(EventAudience.seq)
                .where(EventAudience.audience == audience, EventAudience.seq > after)
                .order_by(EventAudience.seq)
            )
        )


def _all_published(engine: Engine) -> bool:
    with unit_of_work(make_session_factory(engine)) as session:
        published = passed_through(session, PUBLISHED)
        return session.scalar(select(Event.seq).where(Event.seq > published)) is None


def _assert_complete(engine: Engine, screens: dict[str, list[Screen]], starts: dict) -> None:
    wait_until(lambda: _all_published(engine), timeout=30, what="every event published")
    for audience, group in screens.items():
        for screen in group:
            expected = _log_of(engine, audience, starts[id(screen)])
            wait_until(
                lambda screen=screen, expected=expected: len(screen.applied) >= len(expected),
                timeout=30,
                what=f"a screen of {audience} to catch up",
            )
            assert screen.applied == expected  # every event, once, in order


def _snapshot_seq(screen: Screen) -> int:
    wait_until(lambda: not screen.lines.empty(), timeout=10, what="the snapshot")
    for line in list(screen.lines.queue):
        if "snapshot" in line:
            return int(line["snapshot"])
    raise AssertionError("no snapshot")


def _run_tier(tmp_path: Path, engine: Engine, redis: PrivateRedis) -> LiveTier:
    url = engine.url.render_as_string(hide_password=False)
    return LiveTier(url, redis, tmp_path).start()


def _screens(
    tier: LiveTier, tokens: dict[str, str], *, agency_on: int
) -> tuple[dict[str, list[Screen]], dict[int, int]]:
    """An operators' screen on each app process and the SXD agency's on ``agency_on``, by
    audience, and the snapshot seq each started from."""
    screens = {
        "ops": [
            tier.screen(0, OPS[0], tokens["ops"], OPS[1]),
            tier.screen(1, OPS[0], tokens["ops"], OPS[1]),
        ],
        "agency:SXD": [tier.screen(agency_on, AGENCY[0], tokens["agency"], AGENCY[1])],
    }
    return screens, {id(s): _snapshot_seq(s) for group in screens.values() for s in group}


def test_screens_miss_nothing_while_redis_is_down_for_15_seconds(tmp_path, database):
    tokens = _tokens(database)
    redis = PrivateRedis(tmp_path).start()
    tier = _run_tier(tmp_path, database, redis)
    try:
        screens, starts = _screens(tier, tokens, agency_on=1)
        with Filer(tier) as filer:
            time.sleep(3)
            redis.stop()
            time.sleep(15)
            redis.start()
            time.sleep(4)
        assert filer.statuses
        assert set(filer.statuses) == {201}
        _assert_complete(database, screens, starts)
    finally:
        tier.stop()
        redis.stop()


def test_screens_miss_nothing_while_postgresql_restarts(tmp_path):
    from sqlalchemy import create_engine, text

    from ioc.db import make_engine

    postgres = PrivatePostgres(tmp_path)
    request_cleanup = postgres.stop
    try:
        postgres.start()
    except Exception:
        request_cleanup()
        raise
    server = create_engine(
        postgres.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text("CREATE DATABASE ioc"))
    server.dispose()
    database = make_engine(postgres.url)
    upgrade(database)
    tokens = _tokens(database)
    redis = PrivateRedis(tmp_path).start()
    tier = _run_tier(tmp_path, database, redis)
    try:
        screens, starts = _screens(tier, tokens, agency_on=0)
        with Filer(tier) as filer:
            time.sleep(3)
            postgres.restart()
            time.sleep(6)
        assert 201 in filer.statuses
        database.dispose()
        _assert_complete(database, screens, starts)
    finally:
        tier.stop()
        redis.stop()
        database.dispose()
        postgres.stop()


def _serving_process(master: int) -> int | None:
    """The gunicorn worker (the process serving requests and websockets) under ``master``."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return None
    return int(children[0]) if children else None


def test_screens_miss_nothing_when_an_app_process_is_killed(tmp_path, database):
    tokens = _tokens(database)
    redis = PrivateRedis(tmp_path).start()
    tier = _run_tier(tmp_path, database, redis)
    try:
        screens, starts = _screens(tier, tokens, agency_on=0)
        master = tier.processes[0].pid
        killed = _serving_process(master)
        assert killed is not None
        with Filer(tier) as filer:
            time.sleep(3)
            # SIGKILL: no shutdown, no goodbye to the screens, a transaction possibly half done
            # and the publishing turn possibly held. gunicorn's master starts a new worker on
            # the same port; the screens of the dead one reconnect to it and resume.
            os.kill(killed, signal.SIGKILL)
            wait_until(
                lambda: _serving_process(master) not in (None, killed),
                timeout=30,
                what="gunicorn to start a new app process",
            )
            time.sleep(6)
        assert 201 in filer.statuses
        cut_off = screens["ops"][0], screens["agency:SXD"][0]
        assert all("offline" in screen.statuses for screen in cut_off)
        assert "offline" not in screens["ops"][1].statuses  # the other process served on
        _assert_complete(database, screens, starts)
    finally:
        tier.stop()
        redis.stop()
