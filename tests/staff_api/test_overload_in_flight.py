"""A process works on at most IOC_MAX_IN_FLIGHT requests at once: one more waits up to
IOC_ADMISSION_WAIT_MS for a place and is then refused with 503 and Retry-After, and the place
is free again as soon as an answer is made."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.feedback.sla.policy import SlaPolicy
from tests.staff_api.conftest import World

AGENCY = "/api/agency/v1"


def _app_of_one_place(
    engine: Engine,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
    policy: SlaPolicy,
    *,
    admission_wait_ms: int = 0,
) -> Flask:
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            "max_in_flight": 1,
            "admission_wait_ms": admission_wait_ms,
        }
    )
    services = app.extensions["ioc"]
    services.session_factory = session_factory
    services.policy = policy
    services.intake = replace(services.intake, policy=policy)
    return app


def test_a_full_process_refuses_one_more_request_at_once_and_takes_it_when_one_ends(
    world: World, engine, session_factory, tmp_path, policy
):
    world.assigned("SXD")
    world.session.flush()
    client = _app_of_one_place(engine, session_factory, tmp_path, policy).test_client()
    officer = world.headers["sxd_officer"]
    # An export still being written out holds its place until its last row is sent.
    export = client.get(f"{AGENCY}/exports/reports.csv", headers=officer)
    assert export.status_code == 200

    refused = client.get(f"{AGENCY}/inbox", headers=officer)
    health = client.get("/healthz")
    export.get_data()
    served = client.get(f"{AGENCY}/inbox", headers=officer)

    assert refused.status_code == 503
    assert refused.get_json()["error"]["code"] == "overloaded"
    assert refused.headers["Retry-After"] == "2"
    assert health.status_code == 200  # load balancers still see the truth
    assert served.status_code == 200


def test_answers_made_at_once_free_their_place_whether_or_not_they_are_read(
    world: World, engine, session_factory, tmp_path, policy
):
    client = _app_of_one_place(engine, session_factory, tmp_path, policy).test_client()
    officer = world.headers["sxd_officer"]

    statuses = [client.get(f"{AGENCY}/inbox", headers=officer).status_code for _ in range(5)]

    assert statuses == [200] * 5


def test_a_request_that_finds_the_place_taken_is_served_when_it_frees_within_the_wait(
    world: World, engine, session_factory, tmp_path, policy
):
    world.assigned("SXD")
    world.session.flush()
    app = _app_of_one_place(engine, session_factory, tmp_path, policy, admission_wait_ms=30_000)
    officer = world.headers["sxd_officer"]
    export = app.test_client().get(f"{AGENCY}/exports/reports.csv", headers=officer)
    answers: list[Any] = []
    waiter = threading.Thread(
        target=lambda: answers.append(app.test_client().get(f"{AGENCY}/inbox", headers=officer))
    )

    waiter.start()
    time.sleep(0.2)  # the second request arrives while the export holds the only place
    export.get_data()
    waiter.join(timeout=30)

    assert [answer.status_code for answer in answers] == [200]
