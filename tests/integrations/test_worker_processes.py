"""Real worker processes and threads: at least once through a SIGKILL, never twice at once on
PostgreSQL, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.events.audiences import AUDIENCE_OPS
from ioc.events.log import record_event
from ioc.integrations.deliveries import Senders
from ioc.integrations.models import Delivery, DeliveryStatus
from ioc.integrations.subscriptions import add_subscription
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import run_once
from ioc.migrate import upgrade
from tests.clock import on_the_test_clock
from tests.conftest import throwaway_postgis_database
from tests.integrations.conftest import VN
from tests.integrations.receiver import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgis() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_outbox") as engine:
        upgrade(engine)
        yield engine


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _owe(engine: Engine, receiver: WebhookReceiver, count: int) -> None:
    """``count`` committed events, each owed to one webhook subscription."""
    with unit_of_work(make_session_factory(engine)) as session:
        add_subscription(session, name="lgsp", url=receiver.url, event_types=["report.*"])
        for n in range(count):
            record_event(
                session, "report.created", payload={"ref": f"PA-{n}"}, audiences=[AUDIENCE_OPS]
            )


def _delivered_ids(engine: Engine) -> set[int]:
    with make_session_factory(engine)() as session:
        return set(
            session.scalars(select(Delivery.id).where(Delivery.status == DeliveryStatus.DELIVERED))
        )


def _count(engine: Engine, status: str) -> int:
    with make_session_factory(engine)() as session:
        return session.scalar(select(func.count()).where(Delivery.status == status)) or 0


def _wait_until(condition: Callable[[], bool], *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _start_worker(database_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}
    env["IOC_DATABASE_URL"] = database_url
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ioc.cli",
            "worker",
            "--deliver-every",
            "0.1",
            "--sweep-every",
            "3600",
            "--surge-every",
            "3600",
        ],
        cwd=ROOT,
        env=on_the_test_clock(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.postgis
def test_a_worker_killed_mid_batch_loses_nothing_and_resends_nothing_acknowledged(
    postgis: Engine,
) -> None:
    receiver = WebhookReceiver(delay=0.05).start()
    try:
        _owe(postgis, receiver, 60)
        worker = _start_worker(_url(postgis))
        try:
            assert _wait_until(lambda: len(_delivered_ids(postgis)) >= 15, timeout=60)
        finally:
            worker.kill()
            worker.communicate(timeout=30)
        acknowledged = _delivered_ids(postgis)
        received_before_restart = len(receiver.ids())

        restarted = _start_worker(_url(postgis))
        try:
            assert _wait_until(lambda: len(_delivered_ids(postgis)) == 60, timeout=90)
        finally:
            restarted.send_signal(signal.SIGTERM)
            output, _ = restarted.communicate(timeout=30)
        assert restarted.returncode == 0, output
    finally:
        receiver.stop()

    received = receiver.ids()
    assert set(received) == _delivered_ids(postgis)
    assert len(set(received)) == 60
    assert 15 <= len(acknowledged) < 60
    assert not set(received[received_before_restart:]) & acknowledged


@pytest.mark.postgis
def test_two_workers_never_deliver_the_same_row(postgis: Engine) -> None:
    receiver = WebhookReceiver().start()
    _owe(postgis, receiver, 200)
    errors: list[BaseException] = []

    def work() -> None:
        engine = make_engine(_url(postgis))
        factory = make_session_factory(engine)
        sender = HttpWebhookSender()
        try:
            while _count(engine, DeliveryStatus.DELIVERED) < 200:
                run_once(factory, Senders(push=None, webhooks=sender), tz=VN, max_attempts=8)
        except BaseException as exc:  # surfaced in the test's thread
            errors.append(exc)
        finally:
            sender.close()
            engine.dispose()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    receiver.stop()

    assert not errors
    times_received = Counter(receiver.ids())
    assert len(times_received) == 200
    assert set(times_received.values()) == {1}


def test_sigterm_stops_the_worker_after_the_delivery_in_progress(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    receiver = WebhookReceiver(delay=0.3).start()
    try:
        _owe(engine, receiver, 20)
        worker = _start_worker(database)
        try:
            assert _wait_until(lambda: len(receiver.ids()) >= 3, timeout=60)
        finally:
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=30)
    finally:
        receiver.stop()

    assert worker.returncode == 0, output
    assert "worker stopped" in output
    # Whatever reached the receiver was recorded as delivered; the rest waits, untouched.
    assert _delivered_ids(engine) == set(receiver.ids())
    assert _count(engine, DeliveryStatus.PENDING) == 20 - len(receiver.ids()) > 0
    engine.dispose()
