"""``ioc worker`` sweeps deadlines, publishes events and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.events.marks import PUBLISHED, passed_through
from ioc.events.models import Event
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import load_policy
from ioc.geo.service import AreaLocator
from ioc.migrate import upgrade
from tests.clock import on_the_test_clock
from tests.conftest import REDIS_CHANNEL, redis_url_or_skip
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule

ROOT = Path(__file__).resolve().parents[1]


def _wait_until(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_escalates_an_overdue_report_publishes_and_stops_on_sigterm(tmp_path):
    from zoneinfo import ZoneInfo

    database = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    factory = make_session_factory(engine)
    intake = Intake(
        locator=AreaLocator(check_seconds=0), policy=load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))
    )
    with unit_of_work(factory) as session:
        make_province_with_two_communes(session)
        category = make_category(session, "den", sla_tier="urgent", sla_target_hours=1)
        make_rule(session, category, "P", make_agency(session, "SXD"))
        report = submit_report(
            session,
            intake,
            category_code="den",
            lon=108.05,
            lat=16.05,
            channel="phone",
            received_at=utcnow() - timedelta(hours=3),
        )
        report_id = report.id
    env = {
        **os.environ,
        "IOC_DATABASE_URL": database,
        "IOC_REDIS_URL": redis_url_or_skip(),
        "IOC_REDIS_CHANNEL": REDIS_CHANNEL,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "ioc.cli", "worker", "--sweep-every", "0.2"],
        cwd=ROOT,
        env=on_the_test_clock(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def escalated_and_published() -> bool:
        with factory() as session:
            events = session.scalars(select(Event).where(Event.report_id == report_id)).all()
            published = passed_through(session, PUBLISHED)
        return any(e.type == "report.overdue" for e in events) and all(
            e.seq <= published for e in events
        )

    try:
        assert _wait_until(escalated_and_published, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "worker stopped" in output
    with factory() as session:
        assert session.get(Report, report_id).overdue_announced_at is not None
    engine.dispose()
