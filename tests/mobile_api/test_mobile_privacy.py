"""The reporter's identity goes to the reporter alone: no other answer or event carries it."""

from __future__ import annotations

import json

from sqlalchemy import select

from ioc.events.models import Event
from tests.mobile_api.helpers import API, IN_A, filed, mark_resolved, report_body


def _identity_in(text: str, citizen) -> list[str]:
    """Which of the citizen's identifying values appear in ``text``."""
    return [value for value in (citizen.name, citizen.phone, citizen.uid) if value in text]


def test_the_reporter_sees_their_own_name_and_phone(client, world, lan):
    ref = filed(client, lan)

    body = client.get(f"{API}/reports/{ref}", headers=lan.headers).get_json()

    assert body["is_mine"] is True
    assert body["reporter"] == {"name": "Nguyễn Thị Lan", "phone": "+84905123456"}


def test_the_submission_answer_names_the_reporter_to_the_reporter(client, world, lan):
    body = client.post(
        f"{API}/reports", json=report_body(), headers={**lan.headers, "Idempotency-Key": "k"}
    ).get_json()

    assert body["reporter"] == {"name": "Nguyễn Thị Lan", "phone": "+84905123456"}


def test_another_citizen_sees_the_report_without_the_reporters_identity(client, world, lan, minh):
    ref = filed(client, lan)

    response = client.get(f"{API}/reports/{ref}", headers=minh.headers)

    body = response.get_json()
    assert (body["is_mine"], body["reporter"]) == (False, None)
    assert _identity_in(response.get_data(as_text=True), lan) == []


def test_the_nearby_answer_carries_no_reporter_identity(client, world, lan, minh):
    filed(client, lan)

    response = client.get(
        f"{API}/reports/nearby",
        query_string={"lon": IN_A[0], "lat": IN_A[1], "category": "den_duong"},
        headers=minh.headers,
    )

    assert len(response.get_json()["items"]) == 1
    assert _identity_in(response.get_data(as_text=True), lan) == []


def test_the_me_too_answer_carries_no_reporter_identity(client, world, lan, minh):
    ref = filed(client, lan)

    response = client.post(f"{API}/reports/{ref}/support", headers=minh.headers)

    assert response.status_code == 200
    assert _identity_in(response.get_data(as_text=True), lan) == []


def test_no_event_carries_the_reporters_identity(client, world, session, lan, minh):
    """Events go to operators, agencies and the wall map; exercise every kind a citizen makes."""
    ref = filed(client, lan, report_body(description="Gần nhà số 5"))
    client.post(f"{API}/reports/{ref}/comments", json={"text": "Thêm"}, headers=lan.headers)
    client.post(f"{API}/reports/{ref}/support", headers=minh.headers)
    mark_resolved(session, ref)
    client.post(f"{API}/reports/{ref}/rating", json={"rating": "satisfied"}, headers=lan.headers)

    session.expire_all()
    events = session.scalars(select(Event).order_by(Event.seq)).all()

    assert [event.type for event in events] == [
        "report.created",
        "report.commented",
        "report.supported",
        "report.rated",
    ]
    for event in events:
        text = json.dumps(
            {"payload": event.payload, "audiences": event.audiences}, ensure_ascii=False
        )
        assert _identity_in(text, lan) == [], event.type


def test_a_private_report_does_not_exist_for_anyone_else(client, world, lan, minh):
    ref = filed(client, lan, report_body("an_ninh"))

    response = client.get(f"{API}/reports/{ref}", headers=minh.headers)

    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "Không tìm thấy phản ánh"


def test_a_private_report_is_visible_to_its_reporter(client, world, lan):
    ref = filed(client, lan, report_body("an_ninh"))

    assert client.get(f"{API}/reports/{ref}", headers=lan.headers).status_code == 200


def test_a_private_report_cannot_be_supported_by_anyone_else(client, world, lan, minh):
    ref = filed(client, lan, report_body("an_ninh"))

    assert client.post(f"{API}/reports/{ref}/support", headers=minh.headers).status_code == 404


def test_private_reports_are_never_listed_as_nearby(client, world, lan, minh):
    filed(client, lan, report_body("an_ninh"))

    response = client.get(
        f"{API}/reports/nearby",
        query_string={"lon": IN_A[0], "lat": IN_A[1], "category": "an_ninh"},
        headers=minh.headers,
    )

    assert response.get_json()["items"] == []
