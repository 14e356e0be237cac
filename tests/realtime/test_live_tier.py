"""``ioc live``, the asyncio Socket.IO server, run for real: a database, Redis, the official
JavaScript client (run by Node) on /ops, and events published by the existing publisher (the
worker's, through Redis) from another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.events.marks import PUBLISHED, passed_through
from ioc.events.models import Event, EventAudience
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.people.staff_sessions import sign_in
from ioc.feedback.sla.policy import load_policy
from ioc.geo.service import AreaLocator
from ioc.migrate import upgrade
from ioc.realtime.publisher import publish_pending
from ioc.realtime.queue import QueueUnavailable, reliable_manager
from tests.clock import on_the_test_clock
from tests.conftest import REDIS_CHANNEL, redis_url_or_skip
from tests.realtime.test_live_server import LISTENER, _free_port, _lines, _node, _wait_until
from tests.topology.live_rig import PrivateRedis

ROOT = Path(__file__).resolve().parents[2]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


class Deployment:
    """A database with the demo province, and the worker's way of publishing its events."""

    def __init__(self, folder: Path, redis_url: str) -> None:
        self.database = f"sqlite:///{folder / 'live.sqlite3'}"
        self.engine = make_engine(self.database)
        upgrade(self.engine)
        self.factory = make_session_factory(self.engine)
        with unit_of_work(self.factory) as session:
            seed_demo(session)
            self.token = sign_in(session, username="dieuhanh", password="demo-dieuhanh").token
        self.intake = Intake(
            locator=AreaLocator(check_seconds=0), policy=load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))
        )
        self.emitter = _write_only_emitter(redis_url)

    def file_report(self) -> str:
        with unit_of_work(self.factory) as session:
            return submit_report(
                session,
                self.intake,
                category_code="traffic_light",
                lon=108.74,
                lat=15.57,
                channel="phone",
                attributes={"light_fault": "all_off"},
            ).ref

    def publish(self) -> int:
        return publish_pending(self.factory, self.emitter)

    def unpublished(self) -> int:
        with unit_of_work(self.factory) as session:
            published = passed_through(session, PUBLISHED)
            return session.scalar(select(func.count()).where(Event.seq > published)) or 0

    def ops_events(self) -> int:
        with unit_of_work(self.factory) as session:
            return session.scalar(select(func.count()).where(EventAudience.audience == "ops")) or 0


def _write_only_emitter(redis_url: str) -> Any:
    from flask_socketio import SocketIO

    emitter = SocketIO()
    emitter.init_app(
        None,  # type: ignore[arg-type]
        client_manager=reliable_manager(redis_url, REDIS_CHANNEL, write_only=True),
    )
    return emitter


@contextmanager
def live_process(world: Deployment, redis_url: str, folder: Path) -> Iterator[str]:
    """``ioc live`` on the deployment's database and ``redis_url``; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "IOC_DATABASE_URL": world.database,
        "IOC_REDIS_URL": redis_url,
        "IOC_REDIS_CHANNEL": REDIS_CHANNEL,
        "IOC_LIVE_PORT": str(port),
        "IOC_ENV": "development",
        "IOC_MEDIA_DIR": str(folder / "media"),
    }
    live = subprocess.Popen(
        [sys.executable, "-m", "ioc.cli", "live"],
        cwd=ROOT,
        env=on_the_test_clock(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(
            lambda: _healthy(base) or live.poll() is not None,
            timeout=90,  # starting takes a few seconds, many more on a busy machine
            what="ioc live to answer /healthz",
        )
        assert live.poll() is None, live.stderr.read().decode()
        yield base
    finally:
        live.terminate()
        live.wait(timeout=15)
        live.stderr.close()


@pytest.fixture
def deployment(tmp_path) -> Iterator[tuple[Deployment, str]]:
    redis_url = redis_url_or_skip()
    world = Deployment(tmp_path, redis_url)
    try:
        with live_process(world, redis_url, tmp_path) as base:
            yield world, base
    finally:
        world.engine.dispose()


def _listen(base: str, token: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [_node(), str(LISTENER), base, "/ops", token, *args],
        cwd=ROOT / "frontend",
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_screen_without_a_valid_token_is_refused(deployment):
    _world, base = deployment
    result = subprocess.run(
        [_node(), str(LISTENER), base, "/ops", "not-a-token"],
        cwd=ROOT / "frontend",
        capture_output=True,
        text=True,
        timeout=30,
    )

    refusal = json.loads(result.stdout.splitlines()[0])
    assert "please sign in" in json.dumps(refusal)


def test_a_screen_gets_what_it_missed_then_the_publishers_live_events_in_order(deployment):
    world, base = deployment
    missed_refs = [world.file_report(), world.file_report()]
    world.publish()  # nobody listens yet: the screen will catch these up
    live_ref = world.file_report()  # published once the screen is connected
    wanted = world.ops_events()

    listener = _listen(base, world.token, "0", str(wanted))
    try:
        lines = _lines(listener)
        # The client hands on what came with the connection before it reports "connected".
        caught_up = [lines.get(timeout=20) for _ in range(wanted - 1)]
        assert lines.get(timeout=20) == {"connected": True}
        world.publish()
        live = lines.get(timeout=20)
    finally:
        listener.kill()
        listener.wait()
        listener.stdout.close()

    events = [*caught_up, live]
    seqs = [event["seq"] for event in events]
    assert seqs == sorted(set(seqs)), "every event once, oldest first"
    refs = [e["payload"].get("ref") for e in events if e["type"] == "report.created"]
    assert refs == [*missed_refs, live_ref]
    assert "prev" not in caught_up[0], "replayed events come from the database"
    assert live["prev"] == caught_up[-1]["seq"], "the live event follows the replayed ones"


def test_a_screen_that_says_nothing_of_its_past_gets_only_live_events(deployment):
    world, base = deployment
    world.file_report()
    world.publish()
    listener = _listen(base, world.token, "", "1")
    try:
        lines = _lines(listener)
        assert lines.get(timeout=20) == {"connected": True}
        ref = world.file_report()
        world.publish()
        event = lines.get(timeout=20)
    finally:
        listener.kill()
        listener.wait()
        listener.stdout.close()

    assert event["type"] == "report.created"
    assert event["payload"]["ref"] == ref


def test_only_pages_of_the_site_itself_may_open_a_websocket_behind_nginx():
    from ioc.realtime.live import site_origins

    behind_nginx = {
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "ioc.tinh.gov.vn",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "ioc.tinh.gov.vn",
        "HTTP_X_FORWARDED_PORT": "443",
    }
    assert "https://ioc.tinh.gov.vn" in site_origins(behind_nginx, 1)
    assert "https://evil.example" not in site_origins(behind_nginx, 1)
    # Not behind a trusted proxy, the forwarded headers are anyone's: they are ignored.
    assert site_origins(behind_nginx, 0) == {"http://ioc.tinh.gov.vn"}
    on_a_port = {**behind_nginx, "HTTP_X_FORWARDED_PROTO": "http", "HTTP_X_FORWARDED_PORT": "8080"}
    assert "http://ioc.tinh.gov.vn:8080" in site_origins(on_a_port, 1)


def test_after_a_redis_outage_the_server_hears_the_publisher_again_at_once(tmp_path):
    """The screen stays connected through the outage (its websocket does not go through
    Redis); what the publisher sends soon after Redis returns reaches it."""
    redis = PrivateRedis(tmp_path).start()
    world = Deployment(tmp_path, redis.url)
    try:
        with live_process(world, redis.url, tmp_path) as base:
            listener = _listen(base, world.token, "", "10")
            try:
                lines = _lines(listener)
                assert lines.get(timeout=20) == {"connected": True}
                redis.stop()
                # Long enough for the stock listener's back-off (1, 2, 4, 8 s …) to run past it.
                time.sleep(8)
                redis.start()
                time.sleep(1.5)  # the listener is back within a second (LISTEN_RETRY_SECONDS)
                ref = world.file_report()
                world.publish()
                event = lines.get(timeout=20)
            finally:
                listener.kill()
                listener.wait()
                listener.stdout.close()
    finally:
        redis.stop()
        world.engine.dispose()

    assert event["type"] == "report.created"
    assert event["payload"]["ref"] == ref


def test_a_round_redis_refuses_stays_unpublished_and_goes_out_whole_once_redis_is_back(
    tmp_path,
):
    """The publisher sends a round's messages to Redis together: refused, none of the round's
    events counts as published; once Redis is back, the next round sends them all, in order,
    to every room they belong to."""
    redis = PrivateRedis(tmp_path).start()
    world = Deployment(tmp_path, redis.url)
    try:
        refs = [world.file_report() for _ in range(3)]
        redis.stop()
        with pytest.raises(QueueUnavailable):
            world.publish()
        assert world.unpublished() == 3
        redis.start()
        heard = _subscriber(redis.url)
        assert world.publish() == 3
        messages = _messages(heard, until_quiet=1.0)
    finally:
        redis.stop()
        world.engine.dispose()

    assert world.unpublished() == 0
    to_ops = [m["data"][0] for m in messages if m["room"] == "ops"]
    assert [m["payload"]["ref"] for m in to_ops] == refs
    assert [m["seq"] for m in to_ops] == sorted(m["seq"] for m in to_ops)
    assert len(messages) == 3 * len({m["room"] for m in messages})  # every room, every event


def _subscriber(redis_url: str) -> Any:
    import redis

    pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(REDIS_CHANNEL)
    return pubsub


def _messages(pubsub: Any, *, until_quiet: float) -> list[dict[str, Any]]:
    """The Socket.IO emits heard on the channel, until none came for ``until_quiet`` s."""
    heard = []
    quiet_from = time.monotonic()
    while time.monotonic() - quiet_from < until_quiet:
        # None also stands for the subscription's own confirmation: go on until quiet.
        message = pubsub.get_message(timeout=0.1)
        if message is not None:
            heard.append(json.loads(message["data"]))
            quiet_from = time.monotonic()
    return [m for m in heard if m.get("method") == "emit"]
