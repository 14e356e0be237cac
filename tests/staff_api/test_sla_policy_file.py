"""A province's own SLA policy file (IOC_SLA_POLICY_FILE) governs the deadlines the APIs
show: here, office hours of 08:00–12:00 and 13:00–17:00 instead of the shipped 07:30–11:30 and
13:30–17:00."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE
from tests.mobile_api.helpers import IN_A

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY_3PM = datetime(2026, 3, 13, 15, 0, tzinfo=VN)
SHIFTS = ('["07:30-11:30", "13:30-17:00"]', '["08:00-12:00", "13:00-17:00"]')


def _policy(tmp_path: Path) -> Path:
    path = tmp_path / "tinh_sla.toml"
    path.write_text(DEFAULT_POLICY_FILE.read_text(encoding="utf-8").replace(*SHIFTS), "utf-8")
    return path


@pytest.fixture(params=["shipped", "province"])
def app(
    request: pytest.FixtureRequest,
    engine: Engine,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> Flask:
    overrides: dict[str, object] = {
        "env": "test",
        "database_url": engine.url.render_as_string(hide_password=False),
        "media_dir": tmp_path / "media",
        "area_index_check_seconds": 0,
    }
    if request.param == "province":
        overrides["sla_policy_file"] = _policy(tmp_path)
    app = create_app(overrides)
    app.extensions["ioc"].session_factory = session_factory
    return app


def test_the_policys_office_hours_move_a_friday_afternoon_deadline(client, world, app):
    with time_machine.travel(FRIDAY_3PM, tick=False):
        world.sign_in_again()
        filed = client.post(
            "/api/ops/v1/reports",
            headers=world.headers["ioc_operator"],
            json={
                "channel": "phone",
                "caller": {"name": "Chị Lan"},
                "category": world.lighting.code,
                "lon": IN_A[0],
                "lat": IN_A[1],
            },
        )
    assert filed.status_code == 201, filed.get_json()

    deadline = datetime.fromisoformat(filed.get_json()["clock"]["deadline"])

    # Eight working hours: two on Friday (15:00–17:00), four on Monday morning, two after lunch.
    shipped = app.extensions["ioc"].settings.sla_policy_file is None
    expected = datetime(2026, 3, 16, 15, 30 if shipped else 0, tzinfo=VN)
    assert deadline == expected
