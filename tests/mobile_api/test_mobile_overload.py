"""Overload: a request that waited past its deadline in front of the app, or that finds the
process full, is refused with 503 and Retry-After before any of its work is done."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import SlaPolicy
from ioc.web.overload import request_start
from tests.mobile_api.helpers import API, Citizen, citizen_of, count, submit

MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(
    engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path, policy: SlaPolicy
) -> MakeApp:
    """Apps like the ``app`` fixture's, with the overload settings a test chooses."""

    def build(**settings: Any) -> Flask:
        app = create_app(
            {
                "env": "test",
                "database_url": engine.url.render_as_string(hide_password=False),
                "media_dir": tmp_path / "media",
                "area_index_check_seconds": 0,
                **settings,
            }
        )
        services = app.extensions["ioc"]
        services.session_factory = session_factory
        services.policy = policy
        services.intake = replace(services.intake, policy=policy)
        return app

    return build


def _citizen(app: Flask) -> Citizen:
    return citizen_of(app, "uid-lan-7Qx2", "Nguyễn Thị Lan", "+84905123456")


def _started(seconds_ago: float) -> dict[str, str]:
    return {"X-Request-Start": f"t={time.time() - seconds_ago:.3f}"}


def test_a_report_that_waited_past_its_deadline_behind_the_proxy_is_refused_and_not_filed(
    make_app, world, session
):
    app = make_app(trusted_proxies=1, request_deadline_ms=1000)
    client = app.test_client()

    response = submit(client, _citizen(app), headers=_started(5))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "deadline_exceeded"
    assert "thử lại" in response.get_json()["error"]["message"]  # Vietnamese first
    assert count(session, Report) == 0


def test_a_report_handed_over_in_time_is_filed(make_app, world, session):
    app = make_app(trusted_proxies=1, request_deadline_ms=1000)

    response = submit(app.test_client(), _citizen(app), headers=_started(0.2))

    assert response.status_code == 201
    assert count(session, Report) == 1


def test_a_request_start_sent_by_a_client_without_a_trusted_proxy_is_ignored(
    make_app, world, session
):
    app = make_app(trusted_proxies=0, request_deadline_ms=1000)

    response = submit(app.test_client(), _citizen(app), headers=_started(3600))

    assert response.status_code == 201
    assert count(session, Report) == 1


def test_the_refusal_is_in_english_for_who_asks_in_english(make_app, world):
    app = make_app(trusted_proxies=1, request_deadline_ms=1000)

    response = app.test_client().get(
        f"{API}/categories", headers={**_started(10), "Accept-Language": "en"}
    )

    assert response.status_code == 503
    assert response.get_json()["error"]["message"].startswith("the request waited too long")


def test_a_refused_request_is_not_counted_against_the_rate_limit_nor_validated(make_app, world):
    app = make_app(trusted_proxies=1, request_deadline_ms=1000)
    client = app.test_client()

    # A body no validation would accept is still only "try again later".
    response = client.post(
        f"{API}/reports", json={"nonsense": True}, headers={**_started(5), **_citizen(app).headers}
    )

    assert response.status_code == 503
    assert "X-RateLimit-Remaining" not in response.headers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("t=1700000000.123", 1700000000.123),
        ("1700000000123", 1700000000.123),  # milliseconds
        ("t=1700000000123456", 1700000000.123456),  # microseconds
        ("t=abc", None),
        ("t=-5", None),
        ("t=inf", None),
        ("t=nan", None),
        ("", None),
        (None, None),
    ],
)
def test_request_start_values_are_read_in_the_usual_units(value, expected):
    found = request_start(value)
    assert found == pytest.approx(expected) if expected is not None else found is None


def test_every_operation_of_the_api_document_says_it_may_answer_503_with_retry_after(client):
    document = client.get("/openapi.json").get_json()

    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]

    assert operations
    for path, method, operation in operations:
        unavailable = operation["responses"].get("503")
        assert unavailable, f"{method.upper()} {path} does not document 503"
        assert "Retry-After" in unavailable.get("headers", {}), f"{method.upper()} {path}"
