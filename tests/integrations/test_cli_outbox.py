"""``ioc outbox`` and ``ioc webhooks`` on a SQLite file."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from ioc.cli import main
from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.events.audiences import AUDIENCE_OPS
from ioc.events.log import record_event
from ioc.integrations.models import Delivery, DeliveryStatus, WebhookSubscription


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    clean: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IOC_")}
    clean["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert _run(clean, "db", "upgrade").exit_code == 0
    return clean


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def _dead_delivery(env: dict[str, str | None], subscription: str) -> int:
    engine = make_engine(str(env["IOC_DATABASE_URL"]))
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            event = record_event(
                session, "report.resolved", payload={"ref": "PA1"}, audiences=[AUDIENCE_OPS]
            )
            hook = session.scalar(
                select(WebhookSubscription).where(WebhookSubscription.name == subscription)
            )
            delivery = Delivery(
                event_seq=event.seq,
                channel="webhook",
                subscription_id=hook.id,
                payload={},
                status=DeliveryStatus.DEAD,
                attempts=8,
                last_error="HTTP 503: maintenance",
            )
            session.add(delivery)
            session.flush()
            return delivery.id
    finally:
        engine.dispose()


def test_webhooks_add_prints_the_secret_once_and_list_shows_the_filters(env) -> None:
    added = _run(
        env, "webhooks", "add", "lgsp", "https://lgsp.example.vn/hook", "--event", "report.*"
    )
    listed = _run(env, "webhooks", "list")

    assert added.exit_code == 0, added.output
    secret = re.search(r"secret .*: ([0-9a-f]{64})$", added.output.strip())
    assert secret is not None
    assert listed.output.strip() == "lgsp  active  https://lgsp.example.vn/hook  report.*"
    assert secret.group(1) not in listed.output


def test_webhooks_add_refuses_a_bad_url_or_filter_naming_the_field(env) -> None:
    result = _run(env, "webhooks", "add", "x", "ftp://example.vn", "--event", "report resolved")

    assert result.exit_code == 1
    assert "url:" in result.output
    assert "event:" in result.output


def test_webhooks_disable_stops_a_subscription(env) -> None:
    _run(env, "webhooks", "add", "lgsp", "https://lgsp.example.vn/hook")

    disabled = _run(env, "webhooks", "disable", "lgsp")
    unknown = _run(env, "webhooks", "disable", "nobody")

    assert disabled.output.strip() == "webhook lgsp disabled"
    assert "lgsp  disabled" in _run(env, "webhooks", "list").output
    assert unknown.exit_code == 1
    assert "no webhook subscription" in unknown.output


def test_outbox_list_shows_dead_deliveries_and_retry_revives_them(env) -> None:
    _run(env, "webhooks", "add", "lgsp", "https://lgsp.example.vn/hook")
    delivery_id = _dead_delivery(env, "lgsp")

    dead = _run(env, "outbox", "list", "--status", "dead")
    retried = _run(env, "outbox", "retry", "--all-dead")
    pending = _run(env, "outbox", "list", "--status", "pending")

    header, row = dead.output.strip().splitlines()
    assert header.split()[:4] == ["id", "channel", "destination", "event"]
    assert row.split()[:7] == [
        str(delivery_id),
        "webhook",
        "webhook",
        "lgsp",
        "report.resolved",
        "dead",
        "8",
    ]
    assert "HTTP 503: maintenance" in row
    assert retried.output.strip() == "1 delivery will be retried now"
    assert pending.output.splitlines()[1].split()[:6] == [
        str(delivery_id),
        "webhook",
        "webhook",
        "lgsp",
        "report.resolved",
        "pending",
    ]
    assert _run(env, "outbox", "list", "--status", "dead").output.strip() == "no deliveries"


def test_outbox_retry_needs_ids_and_names_unknown_ones(env) -> None:
    assert _run(env, "outbox", "retry").exit_code == 2
    unknown = _run(env, "outbox", "retry", "999")
    assert unknown.exit_code == 1
    assert "no such delivery" in unknown.output
