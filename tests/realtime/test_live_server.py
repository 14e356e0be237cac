"""The real thing: gunicorn with the gevent worker serves the app, the official JavaScript
Socket.IO client (run by Node) listens on /ops, and a report submitted over HTTP reaches it
as ``report.created`` with its ``seq``."""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.feedback.people.staff_sessions import sign_in
from ioc.identity import emulator_token
from ioc.migrate import upgrade
from tests.clock import on_the_test_clock
from tests.conftest import REDIS_CHANNEL, redis_url_or_skip

ROOT = Path(__file__).resolve().parents[2]
LISTENER = ROOT / "frontend" / "tests" / "listen.mjs"
REQUIRED = os.environ.get("IOC_TEST_REQUIRE_POSTGIS") == "1"  # set in CI: no skipping there


def _node() -> str:
    node = shutil.which("node")
    client = ROOT / "frontend" / "node_modules" / "socket.io-client"
    if node and client.is_dir():
        return node
    reason = "Node.js and frontend/node_modules (npm ci in frontend/) are needed"
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


def _lines(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(json.loads(line))

    threading.Thread(target=pump, daemon=True).start()
    return lines


@pytest.fixture
def server(tmp_path) -> Iterator[dict]:
    database = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
        token = sign_in(session, username="dieuhanh", password="demo-dieuhanh").token
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "IOC_DATABASE_URL": database,
        "IOC_MEDIA_DIR": str(tmp_path / "media"),
        "IOC_BIND": f"127.0.0.1:{port}",
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
        "IOC_ENV": "development",
    }
    env.pop("IOC_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
        cwd=ROOT,
        env=on_the_test_clock(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(
            lambda: _healthy(base) or process.poll() is not None,
            timeout=30,
            what="gunicorn to answer /healthz",
        )
        assert process.poll() is None, process.stderr.read().decode()
        yield {"base": base, "token": token}
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stderr.close()


def test_a_report_submitted_over_http_reaches_a_javascript_client_on_ops(server):
    node = _node()
    listener = subprocess.Popen(
        [node, str(LISTENER), server["base"], "/ops", server["token"]],
        cwd=ROOT / "frontend",
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _lines(listener)
        assert lines.get(timeout=20) == {"connected": True}

        citizen = emulator_token(project_id="ioc-demo", uid="live-1", name="Lê Văn Live")
        body = {
            "category": "traffic_light",
            "lon": 108.74,
            "lat": 15.57,
            "attributes": {"light_fault": "all_off"},
        }
        request = urllib.request.Request(
            f"{server['base']}/api/mobile/v1/reports",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {citizen}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            ref = json.loads(answer.read())["ref"]

        event = lines.get(timeout=20)
        assert event["type"] == "report.created"
        assert event["payload"]["ref"] == ref
        assert isinstance(event["seq"], int)
        assert "Lê Văn Live" not in json.dumps(event)
    finally:
        listener.kill()
        listener.wait()
        listener.stdout.close()


def test_the_javascript_client_is_refused_without_a_valid_token(server):
    node = _node()
    result = subprocess.run(
        [node, str(LISTENER), server["base"], "/ops", "not-a-token"],
        cwd=ROOT / "frontend",
        capture_output=True,
        text=True,
        timeout=30,
    )

    refusal = json.loads(result.stdout.splitlines()[0])
    assert "connect_error" in refusal
    assert "please sign in" in json.dumps(refusal)


def test_an_event_published_by_another_process_reaches_a_client_through_redis(tmp_path):
    """Process B serves the screen and publishes nothing itself; this test process files a
    report and publishes it through Redis, as a worker on another host would."""
    from flask_socketio import SocketIO

    from ioc.feedback.intake.filing import Intake, submit_report
    from ioc.feedback.sla.policy import load_policy
    from ioc.geo.service import AreaLocator
    from ioc.realtime.publisher import publish_pending

    node = _node()
    redis_url = redis_url_or_skip()
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed_demo(session)
        token = sign_in(session, username="dieuhanh", password="demo-dieuhanh").token
    port = _free_port()
    env = {
        **os.environ,
        "IOC_DATABASE_URL": database,
        "IOC_BIND": f"127.0.0.1:{port}",
        "IOC_REDIS_URL": redis_url,
        "IOC_REDIS_CHANNEL": REDIS_CHANNEL,
        "IOC_PUBLISH_EVENTS": "false",
        "IOC_ENV": "development",
        "IOC_MEDIA_DIR": str(tmp_path / "media"),
    }
    server_b = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
        cwd=ROOT,
        env=on_the_test_clock(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    listener = None
    try:
        _wait_until(lambda: _healthy(base), timeout=30, what="process B to answer /healthz")
        listener = subprocess.Popen(
            [node, str(LISTENER), base, "/ops", token],
            cwd=ROOT / "frontend",
            stdout=subprocess.PIPE,
            text=True,
        )
        lines = _lines(listener)
        assert lines.get(timeout=20) == {"connected": True}

        from zoneinfo import ZoneInfo

        intake = Intake(
            locator=AreaLocator(check_seconds=0),
            policy=load_policy(ZoneInfo("Asia/Ho_Chi_Minh")),
        )
        with unit_of_work(factory) as session:
            ref = submit_report(
                session,
                intake,
                category_code="traffic_light",
                lon=108.74,
                lat=15.57,
                channel="phone",
                attributes={"light_fault": "all_off"},
            ).ref
        publish_pending(factory, SocketIO(message_queue=redis_url, channel=REDIS_CHANNEL))

        event = lines.get(timeout=20)
        assert event["type"] == "report.created"
        assert event["payload"]["ref"] == ref
    finally:
        if listener is not None:
            listener.kill()
            listener.wait()
            listener.stdout.close()
        server_b.terminate()
        server_b.wait(timeout=15)
        engine.dispose()


def test_websockets_are_not_compressed_even_when_the_client_offers_it(server):
    """Per-message deflate would cost each client's message its own compression (the fan-out's
    largest cost); the server leaves the browsers' offer out of the handshake."""
    port = int(server["base"].rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    handshake = (
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(handshake.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            assert chunk, "the server closed the connection during the handshake"
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()

    assert head.startswith("http/1.1 101")
    assert "sec-websocket-extensions" not in head
