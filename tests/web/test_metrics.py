"""``/metrics``: the Prometheus series an operator alerts on, served to localhost or with the
metrics token only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from ioc.app import create_app
from ioc.db import utcnow
from ioc.events.log import record_event
from ioc.events.marks import DISPATCHED, PUBLISHED, advance_mark
from ioc.integrations.models import Delivery, DeliveryChannel, DeliveryStatus
from tests.metrics_scrape import value

FAR_AWAY = {"REMOTE_ADDR": "203.0.113.7"}


def _scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_request_latency_is_recorded_by_route_and_status_class(client):
    client.get("/healthz")
    client.get("/khong-co-trang-nay-12345")

    text = _scrape(client)

    assert value(
        text,
        "ioc_http_request_duration_seconds_count",
        route="/healthz",
        method="GET",
        status="2xx",
    )
    assert value(text, "ioc_http_request_duration_seconds_count", route="<unmatched>", status="4xx")
    # A raw path never becomes a label: scanners would make a series each.
    assert "/khong-co-trang-nay-12345" not in text


def test_outbox_lag_is_the_age_of_the_oldest_unpublished_event(client, session, app):
    now = utcnow()
    event = record_event(session, "test.lag", payload={}, audiences=["ops"])
    event.occurred_at = now - timedelta(minutes=5)
    session.commit()

    text = _scrape(client)

    lag = value(text, "ioc_outbox_lag_seconds", stage="publish")
    assert lag is not None
    assert lag >= 5 * 60 - 1
    assert value(text, "ioc_outbox_lag_seconds", stage="dispatch") >= 5 * 60 - 1
    assert value(text, "ioc_database_up") == 1


def test_outbox_lag_is_zero_when_every_event_is_passed_on(client, session):
    event = record_event(session, "test.lag", payload={}, audiences=["ops"])
    session.flush()
    advance_mark(session, PUBLISHED, event.seq)
    advance_mark(session, DISPATCHED, event.seq)
    session.commit()

    text = _scrape(client)

    assert value(text, "ioc_outbox_lag_seconds", stage="publish") == 0
    assert value(text, "ioc_outbox_lag_seconds", stage="dispatch") == 0


def test_pending_and_dead_deliveries_are_counted(client, session):
    event = record_event(session, "test.deliveries", payload={}, audiences=["ops"])
    for status in (DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.DEAD):
        session.add(
            Delivery(
                event_seq=event.seq,
                channel=DeliveryChannel.EMAIL,
                payload={"to": "a@b.vn", "subject": "s", "body": "b"},
                status=status,
            )
        )
    session.add(
        Delivery(
            event_seq=event.seq,
            channel=DeliveryChannel.EMAIL,
            payload={},
            status=DeliveryStatus.DELIVERED,
        )
    )
    session.commit()

    text = _scrape(client)

    assert value(text, "ioc_deliveries", status="pending") == 2
    assert value(text, "ioc_deliveries", status="dead") == 1


def test_metrics_are_refused_to_another_host(client):
    response = client.get("/metrics", environ_base=FAR_AWAY)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_metrics_are_refused_to_a_request_forwarded_by_the_proxy(client):
    # Behind nginx every request comes from localhost; the forwarded ones are the world's.
    response = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})

    assert response.status_code == 403


@pytest.fixture
def app_with_token(app: Flask) -> Flask:
    tokened = create_app(
        {
            "env": "test",
            "database_url": app.extensions["ioc"].settings.database_url,
            "metrics_token": "s3cret-scraper-token",
        }
    )
    tokened.extensions["ioc"].session_factory = app.extensions["ioc"].session_factory
    return tokened


def test_metrics_are_served_to_another_host_with_the_token(app_with_token):
    client = app_with_token.test_client()

    good = client.get(
        "/metrics",
        environ_base=FAR_AWAY,
        headers={"Authorization": "Bearer s3cret-scraper-token"},
    )
    wrong = client.get(
        "/metrics", environ_base=FAR_AWAY, headers={"Authorization": "Bearer guessed"}
    )

    assert good.status_code == 200
    assert "ioc_outbox_lag_seconds" in good.get_data(as_text=True)
    assert wrong.status_code == 403
