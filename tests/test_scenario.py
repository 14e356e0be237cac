"""The scripted life of a report (examples/scenario.py) through the app, on both backends."""

from __future__ import annotations

import importlib.util
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from ioc.demo.seed import seed_demo
from ioc.events.models import Event
from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import SlaPolicy, load_policy

SCRIPT = Path(__file__).resolve().parents[1] / "examples" / "scenario.py"


@pytest.fixture
def policy() -> SlaPolicy:
    """The shipped policy with the shipped holidays: the scenario runs as a province would."""
    return load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def scenario() -> Any:
    spec = importlib.util.spec_from_file_location("scenario", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _emulator(monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")


def _sender(client):
    def send(method, path, headers, body, form):
        if form is not None:
            data = {
                name: [(io.BytesIO(item), f"{name}{i}.jpg") for i, item in enumerate(value)]
                if isinstance(value, list)
                else value
                for name, value in form.items()
            }
            response = client.open(
                path, method=method, headers=headers, data=data, content_type="multipart/form-data"
            )
        else:
            response = client.open(path, method=method, headers=headers, json=body)
        return response.status_code, response.get_json()

    return send


def test_the_whole_life_of_a_report_closes_it_with_every_step_recorded(scenario, client, session):
    seed_demo(session)
    lines: list[str] = []

    ref = scenario.run(_sender(client), echo=lines.append)

    session.expire_all()
    report = session.scalar(select(Report).where(Report.ref == ref))
    assert report.status == "closed"
    assert report.rating == "satisfied"
    assert [h.action for h in report.history] == [
        "submitted",
        "verify",
        "assign",
        "accept",
        "request_extension",
        "approve_extension",
        "resolve",
        "reopen_requested",
        "reopen",
        "accept",
        "resolve",
        "rated",
    ]
    events = session.scalars(
        select(Event.type).where(Event.report_id == report.id).order_by(Event.seq)
    ).all()
    assert events == [
        "report.created",
        "report.verified",
        "report.assigned",
        "report.accepted",
        "report.extension_requested",
        "report.extension_granted",
        "report.resolved",
        "report.rated",
        "report.reopened",
        "report.accepted",
        "report.resolved",
        "report.rated",
    ]
    assert sum(1 for a in report.attachments if a.purpose == "after") == 2
    assert len(lines) == 8


def test_the_public_scorecard_counts_the_finished_report(scenario, client, session):
    seed_demo(session)
    scenario.run(_sender(client), echo=lambda line: None)

    card = client.get("/api/public/v1/scorecard").get_json()

    [sxd] = [row for row in card["agencies"] if row["key"] == "SXD"]
    assert sxd["received"] == 1
    assert sxd["resolved"] == 1
    assert sxd["on_time_percent"] == 100.0
    assert sxd["satisfaction"] == {"satisfied": 1, "acceptable": 0, "unsatisfied": 0}
    assert sxd["reopen_rate_percent"] == 100.0
    assert sxd["median_handling_working_hours"] is not None
    assert "Nguyễn Văn An" not in str(card)


def test_deadlines_skip_the_weekend_and_the_holidays(scenario, client, session):
    """Assigned on Friday 24 April 2026 at 16:00: the weekend, the Giỗ Tổ Hùng Vương day off
    (Monday 27), 30 April and 1 May do not count. 24 working hours = Fri 1 h + Tue 7.5 h +
    Wed 7.5 h + Mon 4 May 7.5 h + Tue 5 May 0.5 h, due Tuesday 5 May at 08:00."""
    seed_demo(session)
    friday_4pm = datetime(2026, 4, 24, 16, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    with time_machine.travel(friday_4pm, tick=False):
        ref = scenario.run(_sender(client), echo=lambda line: None)

    session.expire_all()
    report = session.scalar(select(Report).where(Report.ref == ref))
    # The last deadline is the one set when the IOC reopened the report (at the same instant).
    assert report.due_at == datetime(2026, 5, 5, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
