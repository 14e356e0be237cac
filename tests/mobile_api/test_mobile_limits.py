"""Abuse limits on submissions: per citizen and per IP address, and no outage from Redis."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask

from ioc.app import create_app
from ioc.feedback.report_models import Report
from ioc.web.limits import limiter
from tests.conftest import redis_url_or_skip
from tests.mobile_api.helpers import citizen_of, count, submit

PER_CITIZEN_PER_MINUTE = 10  # SUBMIT_PER_CITIZEN
PER_IP_PER_MINUTE = 30  # SUBMIT_PER_IP


def _from(ip: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": ip}}


def test_the_eleventh_submission_in_a_minute_from_one_citizen_is_refused_with_429(
    client, world, session, lan
):
    # From a different address each time, so only the per-citizen limit can apply.
    statuses = [
        submit(client, lan, **_from(f"10.0.0.{n}")).status_code
        for n in range(PER_CITIZEN_PER_MINUTE)
    ]

    response = submit(client, lan, **_from("10.0.1.1"))

    assert statuses == [201] * PER_CITIZEN_PER_MINUTE
    assert response.status_code == 429
    assert response.get_json()["error"] == {
        "code": "too_many_requests",
        "message": "Bạn gửi quá nhiều yêu cầu, vui lòng thử lại sau",
    }
    assert response.headers["X-RateLimit-Limit"] == str(PER_CITIZEN_PER_MINUTE)
    assert "Retry-After" in response.headers
    assert count(session, Report) == PER_CITIZEN_PER_MINUTE


def test_the_429_message_is_english_with_accept_language_en(client, world, lan):
    for _ in range(PER_CITIZEN_PER_MINUTE):
        submit(client, lan)

    response = submit(client, lan, headers={"Accept-Language": "en"})

    assert response.status_code == 429
    assert response.get_json()["error"]["message"] == "too many requests, please try again later"


def test_one_citizen_reaching_the_limit_does_not_stop_another(client, world, lan, minh):
    for _ in range(PER_CITIZEN_PER_MINUTE + 1):
        submit(client, lan)

    assert submit(client, minh).status_code == 201


def test_the_31st_submission_in_a_minute_from_one_address_is_refused_with_429(
    client, world, session, app
):
    citizens = [citizen_of(app, f"uid-ip-{n}", f"Người {n}", f"+8490000000{n}") for n in range(4)]
    statuses = [
        submit(client, citizens[n % 3], **_from("203.0.113.7")).status_code
        for n in range(PER_IP_PER_MINUTE)
    ]

    # A citizen who has sent nothing yet: only the address is over its limit.
    response = submit(client, citizens[3], **_from("203.0.113.7"))

    assert statuses == [201] * PER_IP_PER_MINUTE
    assert response.status_code == 429
    assert response.headers["X-RateLimit-Limit"] == str(PER_IP_PER_MINUTE)
    assert count(session, Report) == PER_IP_PER_MINUTE


def _app(engine, session_factory, tmp_path, **overrides) -> Flask:
    """An app like the ``app`` fixture's, with ``overrides``."""
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            **overrides,
        }
    )
    app.extensions["ioc"].session_factory = session_factory
    return app


def test_submissions_go_through_when_redis_is_down(
    engine, session_factory, session, world, tmp_path, monkeypatch, caplog
):
    # The limiter is one object per process; put back its "storage is dead" flag afterwards so
    # the next test's app does not start in fallback mode.
    monkeypatch.setattr(limiter, "_storage_dead", limiter._storage_dead)
    app = _app(engine, session_factory, tmp_path, redis_url="redis://127.0.0.1:1/0")
    citizen = citizen_of(app, "uid-lan-7Qx2", "Nguyễn Thị Lan", "+84905123456")

    response = submit(app.test_client(), citizen)

    assert response.status_code == 201
    assert count(session, Report) == 1
    assert "falling back to in-memory storage" in caplog.text  # Redis really was tried


def test_a_new_app_starts_with_fresh_counters(engine, session_factory, world, tmp_path):
    """Each test builds its own app, so submissions in one test never count in the next."""
    first = _app(engine, session_factory, tmp_path)
    citizen = citizen_of(first, "uid-lan-7Qx2", "Nguyễn Thị Lan", "+84905123456")
    client = first.test_client()
    for _ in range(PER_CITIZEN_PER_MINUTE):
        submit(client, citizen)
    assert submit(client, citizen).status_code == 429

    second = _app(engine, session_factory, tmp_path)

    assert submit(second.test_client(), citizen).status_code == 201


@pytest.mark.parametrize("path", ["/api/mobile/v1/categories", "/api/mobile/v1/reports/mine"])
def test_reading_is_not_limited_like_submitting(client, world, lan, path):
    statuses = {
        client.get(path, headers=lan.headers).status_code for _ in range(PER_CITIZEN_PER_MINUTE + 1)
    }

    assert statuses == {200}


def test_processes_sharing_redis_share_the_citizen_limit(engine, session_factory, world, tmp_path):
    """Two app processes behind a load balancer count one citizen's submissions together."""
    url = redis_url_or_skip()
    first = _app(engine, session_factory, tmp_path, redis_url=url)
    second = _app(engine, session_factory, tmp_path, redis_url=url)
    # A uid and an address no earlier run has used, since Redis keeps counters between runs.
    run = uuid.uuid4()
    citizen = citizen_of(first, f"uid-{run.hex}", "Trần Văn Minh", "+84905000001")
    address = _from(f"10.{run.bytes[0]}.{run.bytes[1]}.{run.bytes[2]}")
    half = PER_CITIZEN_PER_MINUTE // 2
    for app in [first] * half + [second] * (PER_CITIZEN_PER_MINUTE - half):
        assert submit(app.test_client(), citizen, **address).status_code == 201

    assert submit(first.test_client(), citizen, **address).status_code == 429
    assert submit(second.test_client(), citizen, **address).status_code == 429
