"""A report filed through the app is counted by channel, and its outbox rows carry the id of
the request that filed it."""

from __future__ import annotations

from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.report_models import Report
from tests.metrics_scrape import value
from tests.mobile_api.helpers import report_body, submit


def _filed_count(client, channel: str) -> float:
    return (
        value(
            client.get("/metrics").get_data(as_text=True),
            "ioc_reports_filed_total",
            channel=channel,
        )
        or 0.0
    )


def test_the_outbox_rows_of_a_report_carry_the_request_id(client, session, world, lan):
    response = submit(client, lan, headers={"X-Request-Id": "app-req-0001-abcd"})

    assert response.status_code == 201
    assert response.headers["X-Request-Id"] == "app-req-0001-abcd"
    report = session.scalar(select(Report).where(Report.ref == response.json["ref"]))
    events = list(session.scalars(select(Event).where(Event.report_id == report.id)))
    assert events
    assert {event.request_id for event in events} == {"app-req-0001-abcd"}


def test_a_filed_report_is_counted_by_channel(client, world, lan):
    before = _filed_count(client, "mobile")

    assert submit(client, lan).status_code == 201

    assert _filed_count(client, "mobile") == before + 1


def test_a_refused_report_is_not_counted(client, world, lan):
    before = _filed_count(client, "mobile")

    response = submit(client, lan, report_body(category="khong-co"))

    assert response.status_code == 422
    assert _filed_count(client, "mobile") == before
