"""Web push on the citizen page: with a Firebase web configuration (push keys) and the test
token source at the FCM stand-in, the page registers its token; staff asking the citizen a
question then reaches that token through firebase-admin's FCM v1 request, with the report link.

Not covered (Google's servers are unreachable): Firebase's token service and FCM carrying the
message to the browser's push service."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.feedback.citizen_models import Device
from ioc.integrations.deliveries import Senders
from ioc.integrations.push import FirebasePushSender
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import run_once
from ioc.migrate import upgrade
from tests.browser.conftest import (
    PHONE,
    LiveServer,
    _free_port,
    _watched_page,
    new_context,
    running_ioc,
    wait_until,
)
from tests.integrations.fcm_standin import FcmStandIn, StaticTokenCredential

PROJECT = "ioc-demo"
READY = "window.iocReport && window.iocReport.ready"


@pytest.fixture
def standin() -> Iterator[FcmStandIn]:
    server = FcmStandIn(PROJECT).start()
    yield server
    server.stop()


@pytest.fixture
def push_server(tmp_path: Path, built_frontend: Path, standin: FcmStandIn) -> Iterator[LiveServer]:
    database = f"sqlite:///{tmp_path / 'ioc.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
    engine.dispose()
    port = _free_port()
    web = {
        "apiKey": "standin-key",
        "projectId": PROJECT,
        "messagingSenderId": "123456789",
        "appId": "1:123456789:web:standin",
        "vapidKey": "BStandinVapidKey",
    }
    env = {
        **os.environ,
        "IOC_ENV": "development",
        "IOC_DATABASE_URL": database,
        "IOC_MEDIA_DIR": str(tmp_path / "media"),
        "IOC_VAR_DIR": str(tmp_path),
        "IOC_RATE_LIMITS_ENABLED": "false",
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
        "IOC_FIREBASE_WEB_CONFIG": json.dumps(web),
        "IOC_WEB_PUSH_TOKEN_SOURCE": f"{standin.url}/web-token",
    }
    for name in ("IOC_REDIS_URL", "IOC_MAP_STYLE_URL"):
        env.pop(name, None)
    arguments = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with running_ioc(arguments, env=env, port=port, log_path=tmp_path / "server.log") as server:
        yield LiveServer(base_url=server.base_url, database_url=database, clock=server.clock)


def _web_tokens(server: LiveServer) -> list[tuple[str, int]]:
    engine = make_engine(server.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            rows = session.execute(
                select(Device.token, Device.user_id).where(Device.platform == "web")
            )
            return [(token, user_id) for token, user_id in rows]
    finally:
        engine.dispose()


def _worker_round(server: LiveServer, standin: FcmStandIn) -> None:
    """One round of ``ioc worker``'s delivery job against the server's database, sending to the
    FCM stand-in, on the server's clock."""
    engine = make_engine(server.database_url)
    sender = FirebasePushSender(PROJECT, credential=StaticTokenCredential(), endpoint=standin.url)
    try:
        run_once(
            make_session_factory(engine),
            Senders(push=sender, webhooks=HttpWebhookSender()),
            tz=ZoneInfo("Asia/Ho_Chi_Minh"),
            max_attempts=3,
            now=server.clock.now,
            push_max_age=timedelta(hours=6),
        )
    finally:
        sender.close()
        engine.dispose()


def test_the_page_registers_for_push_and_a_staff_question_reaches_its_token(
    browser: Any, push_server: LiveServer, standin: FcmStandIn, console
) -> None:
    context = new_context(
        browser, push_server, **{**PHONE, "permissions": ["geolocation", "notifications"]}
    )
    page = _watched_page(context, console)
    try:
        page.goto("/report")
        page.wait_for_function(READY)
        page.locator("[data-push-state][data-push-on=true]").wait_for()
        [(token, _)] = wait_until(
            lambda: _web_tokens(push_server), timeout=20, what="the page's push token"
        )
        assert token.startswith("web-standin-")
        uid = page.evaluate(
            "fetch('/api/dev/v1/citizen-token', {method: 'POST', headers: {'Content-Type': "
            "'application/json'}, body: JSON.stringify({device: localStorage.getItem("
            "'ioc.report.device')})}).then(r => r.json()).then(a => a.uid)"
        )
        ref = push_server.submit_report(citizen=uid)
        push_server.staff(
            "dieuhanh",
            "POST",
            f"/api/ops/v1/reports/{ref}/ask-citizen",
            {"question": "Đèn hỏng ở cột số mấy?"},
        )

        # The worker's round, in a thread of its own: Playwright keeps an asyncio loop running
        # in this one, and firebase-admin runs one of its own when its app is deleted.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(_worker_round, push_server, standin).result(timeout=60)

        asked = [
            m for m in standin.messages_to(token) if m["data"]["event"] == "report.info_requested"
        ]
        assert len(asked) == 1
        assert asked[0]["data"]["link"].endswith(f"/report?ref={ref}")
        assert asked[0]["notification"]["body"].endswith("Đèn hỏng ở cột số mấy?")

        page.goto(f"/report?ref={ref}")
        page.get_by_role("heading", name=ref).wait_for()  # the link opens the report
    finally:
        context.close()
    assert not console.unexpected(), console.unexpected()
