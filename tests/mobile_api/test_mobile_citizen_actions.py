"""What a citizen does after filing: comment, rate the result, say "me too", and register
phones for push notifications."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.citizen_models import Device, ReportFollower
from ioc.feedback.models import User
from ioc.feedback.report_models import ReportHistory
from tests.mobile_api.helpers import (
    API,
    count,
    filed,
    mark_resolved,
    report_of,
)


def _events_of(session, ref) -> list[Event]:
    report = report_of(session, ref)
    return list(session.scalars(select(Event).where(Event.report_id == report.id)))


# --- POST reports/{ref}/comments -------------------------------------------------------


def _comment(client, citizen, ref, text="Đèn vẫn tắt tối nay"):
    return client.post(
        f"{API}/reports/{ref}/comments", json={"text": text}, headers=citizen.headers
    )


def test_the_reporter_adds_a_comment_for_the_operators(client, world, session, lan):
    ref = filed(client, lan)

    response = _comment(client, lan, ref)

    assert response.status_code == 204
    entry = report_of(session, ref).history[-1]
    assert (entry.action, entry.note, entry.is_public) == (
        "citizen_comment",
        "Đèn vẫn tắt tối nay",
        False,
    )
    assert [event.type for event in _events_of(session, ref)][-1] == "report.commented"


def test_a_comment_stays_out_of_the_public_timeline(client, world, lan, minh):
    ref = filed(client, lan)
    _comment(client, lan, ref)

    timeline = client.get(f"{API}/reports/{ref}", headers=minh.headers).get_json()["timeline"]

    assert [entry["action"] for entry in timeline] == ["submitted"]


def test_someone_else_cannot_comment_on_my_report(client, world, session, lan, minh):
    ref = filed(client, lan)

    response = _comment(client, minh, ref)

    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Chỉ người gửi phản ánh mới thực hiện được thao tác này"
    )
    assert count(session, ReportHistory) == 1


def test_an_empty_comment_is_refused(client, world, lan):
    ref = filed(client, lan)

    response = _comment(client, lan, ref, text="")

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["text"]


def test_commenting_on_an_unknown_report_is_404(client, world, lan):
    assert _comment(client, lan, "PA0000-NOPE00").status_code == 404


# --- POST reports/{ref}/rating ---------------------------------------------------------


def _rate(client, citizen, ref, rating="satisfied", **extra):
    return client.post(
        f"{API}/reports/{ref}/rating", json={"rating": rating, **extra}, headers=citizen.headers
    )


@pytest.mark.parametrize("rating", ["satisfied", "acceptable"])
def test_a_satisfied_or_acceptable_rating_closes_the_report(client, world, session, lan, rating):
    ref = filed(client, lan)
    mark_resolved(session, ref)

    response = _rate(client, lan, ref, rating, comment="Cảm ơn")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "closed"
    assert (body["rating"]["rating"], body["rating"]["comment"]) == (rating, "Cảm ơn")
    assert body["timeline"][-1]["action"] == "rated"
    assert report_of(session, ref).closed_at is not None


def test_an_unsatisfied_rating_keeps_the_report_resolved_and_asks_the_ioc_to_reopen(
    client, world, session, lan
):
    ref = filed(client, lan)
    mark_resolved(session, ref)

    response = _rate(client, lan, ref, "unsatisfied", comment="Đèn lại tắt")

    assert response.status_code == 200
    assert response.get_json()["status"] == "resolved"
    entry = report_of(session, ref).history[-1]
    assert (entry.action, entry.from_status, entry.to_status, entry.note) == (
        "reopen_requested",
        "resolved",
        "resolved",
        "Đèn lại tắt",
    )
    rated = _events_of(session, ref)[-1]
    assert rated.type == "report.rated"
    assert (rated.payload["rating"], rated.payload["reopen_requested"]) == ("unsatisfied", True)


def test_a_satisfied_rating_does_not_ask_to_reopen(client, world, session, lan):
    ref = filed(client, lan)
    mark_resolved(session, ref)

    _rate(client, lan, ref, "satisfied")

    rated = _events_of(session, ref)[-1]
    assert (rated.type, rated.payload["reopen_requested"]) == ("report.rated", False)


def test_a_report_can_be_rated_only_once(client, world, session, lan):
    ref = filed(client, lan)
    mark_resolved(session, ref)
    _rate(client, lan, ref, "unsatisfied")

    response = _rate(client, lan, ref, "satisfied")

    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "Phản ánh đã được đánh giá"
    assert report_of(session, ref).rating == "unsatisfied"


def test_a_report_that_is_not_resolved_cannot_be_rated(client, world, session, lan):
    ref = filed(client, lan)

    response = _rate(client, lan, ref)

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert report_of(session, ref).rating is None


def test_only_the_reporter_can_rate(client, world, session, lan, minh):
    ref = filed(client, lan)
    mark_resolved(session, ref)

    response = _rate(client, minh, ref)

    assert response.status_code == 403
    assert report_of(session, ref).rating is None


def test_an_unknown_rating_is_refused(client, world, session, lan):
    ref = filed(client, lan)
    mark_resolved(session, ref)

    response = _rate(client, lan, ref, "excellent")

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["rating"]


# --- POST reports/{ref}/support ------------------------------------------------------------


def _support(client, citizen, ref):
    return client.post(f"{API}/reports/{ref}/support", headers=citizen.headers)


def test_me_too_counts_one_more_supporter_who_follows_the_report(client, world, session, lan, minh):
    ref = filed(client, lan)

    response = _support(client, minh, ref)

    assert response.status_code == 200
    body = response.get_json()
    assert body["support_count"] == 1
    assert (body["is_mine"], body["reporter"]) == (False, None)
    followers = session.scalars(
        select(ReportFollower).where(ReportFollower.report_id == report_of(session, ref).id)
    ).all()
    assert sorted(f.is_supporter for f in followers) == [False, True]


def test_me_too_twice_still_counts_one(client, world, session, lan, minh):
    ref = filed(client, lan)
    _support(client, minh, ref)

    response = _support(client, minh, ref)

    assert response.get_json()["support_count"] == 1
    assert report_of(session, ref).support_count == 1
    assert [e.type for e in _events_of(session, ref)] == ["report.created", "report.supported"]


def test_the_reporter_cannot_support_their_own_report(client, world, session, lan):
    ref = filed(client, lan)

    response = _support(client, lan, ref)

    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "Bạn không thể ủng hộ phản ánh của chính mình"
    assert report_of(session, ref).support_count == 0


def test_a_closed_report_cannot_be_supported(client, world, session, lan, minh):
    ref = filed(client, lan)
    report_of(session, ref).status = "closed"
    session.flush()

    response = _support(client, minh, ref)

    assert response.status_code == 409
    assert report_of(session, ref).support_count == 0


# --- POST devices / DELETE devices/{token} -------------------------------------------------

TOKEN = "fcm:APA91bH-7Qx2/abc_def"  # FCM tokens may hold ':' and '/'


def _register(client, citizen, token=TOKEN, **extra):
    return client.post(f"{API}/devices", json={"token": token, **extra}, headers=citizen.headers)


def test_a_device_is_registered(client, world, session, lan):
    response = _register(client, lan, platform="android", locale="en")

    assert response.status_code == 201
    assert response.get_json() == {"token": TOKEN, "platform": "android", "locale": "en"}
    device = session.scalars(select(Device)).one()
    owner = session.get(User, device.user_id)
    assert (owner.firebase_uid, device.token) == (lan.uid, TOKEN)


def test_registering_the_same_token_twice_keeps_one_device(client, world, session, lan):
    _register(client, lan, platform="android")
    response = _register(client, lan, platform="ios")

    assert response.status_code == 201
    assert count(session, Device) == 1
    assert session.scalars(select(Device)).one().platform == "ios"


def test_a_token_registered_by_another_citizen_moves_to_the_new_one(
    client, world, session, lan, minh
):
    _register(client, lan)
    _register(client, minh)

    assert count(session, Device) == 1
    client.delete(f"{API}/devices/{TOKEN}", headers=lan.headers)
    assert count(session, Device) == 1  # no longer Lan's to delete


def test_a_device_with_an_unknown_platform_is_refused(client, world, session, lan):
    response = _register(client, lan, platform="symbian")

    assert response.status_code == 422
    assert count(session, Device) == 0


def test_deleting_a_device_stops_its_notifications(client, world, session, lan):
    _register(client, lan)

    response = client.delete(f"{API}/devices/{TOKEN}", headers=lan.headers)

    assert response.status_code == 204
    assert count(session, Device) == 0


def test_deleting_an_unknown_device_is_404_with_a_json_error(client, world, lan):
    response = client.delete(f"{API}/devices/never-registered", headers=lan.headers)

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found",
        "message": "Không tìm thấy thiết bị",
    }


def test_a_citizen_cannot_delete_someone_elses_device(client, world, session, lan, minh):
    _register(client, lan)

    response = client.delete(f"{API}/devices/{TOKEN}", headers=minh.headers)

    assert response.status_code == 404
    assert count(session, Device) == 1
