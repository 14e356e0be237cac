"""Webhooks: signed requests that the receiver printed in docs/integrations.md accepts, and
what the worker does with each kind of answer."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from ioc.feedback.intake.filing import Intake
from ioc.integrations.fanout import dispatch_events
from ioc.integrations.models import DeliveryStatus
from ioc.integrations.subscriptions import add_subscription, disable_subscription
from ioc.integrations.webhooks import body_of, headers
from tests.integrations.conftest import VN, Cast, deliveries, resolve, submit
from tests.integrations.receiver import WebhookReceiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrations.md"


def _receiver_from_the_documentation() -> dict[str, Any]:
    """The example receiver's code, taken from the page and run as a module (not served)."""
    page = DOC.read_text(encoding="utf-8")
    section = page.split("### Example receiver", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None, "the Example receiver section has no python block"
    namespace: dict[str, Any] = {"__name__": "documented_receiver"}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace


@pytest.fixture
def documented() -> Iterator[tuple[dict[str, Any], str]]:
    """The documented receiver listening on a free port, and its URL."""
    receiver = _receiver_from_the_documentation()
    server = HTTPServer(("127.0.0.1", 0), receiver["Receiver"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _post(url: str, *, secret: str, body: bytes, timestamp: int, sent_body: bytes | None = None):
    signed = headers(delivery_id=7, secret=secret, timestamp=timestamp, body=body)
    return httpx.post(url, headers=signed, content=body if sent_body is None else sent_body)


def test_the_documented_receiver_accepts_what_the_worker_sends(
    session: Session, intake: Intake, cast: Cast, documented, run_worker
) -> None:
    receiver, url = documented
    _, secret = add_subscription(session, name="lgsp", url=url, event_types=["report.*"])
    receiver["SECRET"] = secret.encode()
    report = submit(session, intake, reporter=cast.reporter)
    resolve(session, intake, cast, report, "Đã vá")

    round_ = run_worker()

    sent = deliveries(session, channel="webhook")
    assert round_.sent.delivered == len(sent) == 4
    assert {(d.status, d.response_status) for d in sent} == {(DeliveryStatus.DELIVERED, 204)}
    assert receiver["seen"] == {str(d.id) for d in sent}


def test_the_documented_receiver_refuses_a_tampered_body_an_old_timestamp_or_another_secret(
    documented,
) -> None:
    receiver, url = documented
    receiver["SECRET"] = b"the-real-secret"
    body = body_of({"id": 1, "seq": 1, "type": "report.resolved", "data": {"ref": "PA1"}})
    now = int(time.time())

    assert _post(url, secret="the-real-secret", body=body, timestamp=now).status_code == 204
    tampered = body.replace(b"PA1", b"PA2")
    assert (
        _post(url, secret="the-real-secret", body=body, timestamp=now, sent_body=tampered)
    ).status_code == 401
    assert _post(url, secret="the-real-secret", body=body, timestamp=now - 301).status_code == 401
    assert _post(url, secret="another-secret", body=body, timestamp=now).status_code == 401


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, DeliveryStatus.DELIVERED),
        (500, DeliveryStatus.PENDING),
        (429, DeliveryStatus.PENDING),
        (408, DeliveryStatus.PENDING),
        (400, DeliveryStatus.DEAD),
        (410, DeliveryStatus.DEAD),
    ],
)
def test_the_receivers_answer_decides_between_delivered_retry_and_dead(
    session: Session,
    intake: Intake,
    cast: Cast,
    receiver: WebhookReceiver,
    run_worker,
    status: int,
    outcome: str,
) -> None:
    receiver.status = status
    add_subscription(session, name="back-office", url=receiver.url, event_types=["report.created"])
    submit(session, intake, reporter=None)

    run_worker()

    (delivery,) = deliveries(session, channel="webhook")
    assert (delivery.status, delivery.response_status, delivery.attempts) == (outcome, status, 1)
    if outcome == DeliveryStatus.PENDING:
        assert f"HTTP {status}" in (delivery.last_error or "")


def test_an_unreachable_receiver_is_retried(
    session: Session, intake: Intake, cast: Cast, run_worker
) -> None:
    add_subscription(session, name="down", url="http://127.0.0.1:9/hooks", event_types=[])
    submit(session, intake, reporter=None)

    run_worker()

    (delivery,) = deliveries(session, channel="webhook")
    assert (delivery.status, delivery.response_status) == (DeliveryStatus.PENDING, None)
    assert "ConnectError" in (delivery.last_error or "")


def test_a_disabled_subscription_gets_nothing_more(
    session: Session, intake: Intake, cast: Cast, receiver: WebhookReceiver, run_worker
) -> None:
    add_subscription(session, name="old", url=receiver.url, event_types=[])
    submit(session, intake, reporter=None)
    run_worker()
    submit(session, intake, reporter=None)
    dispatch_events(session, tz=VN)  # owed before the subscription was disabled
    disable_subscription(session, name="old")
    submit(session, intake, reporter=None)

    run_worker(later=timedelta(minutes=1))

    statuses = [d.status for d in deliveries(session, channel="webhook")]
    assert statuses == [DeliveryStatus.DELIVERED, DeliveryStatus.DEAD]
    assert len(receiver.ids()) == 1
