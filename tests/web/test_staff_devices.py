"""Staff register the phones and browsers that receive their push notifications."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ioc.feedback.citizen_models import Device
from ioc.feedback.models import User
from ioc.feedback.people.accounts import create_staff_user
from tests.factories import make_agency

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def officer(session) -> User:
    make_agency(session, "SXD", name_vi="Sở Xây dựng")
    user = create_staff_user(
        session, username="canbo", role="agency_officer", password=PASSWORD, agency_code="SXD"
    )
    user.locale = "en"
    session.flush()
    return user


def _bearer(client, username: str = "canbo") -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_a_staff_member_registers_a_device_in_their_language(client, session, officer) -> None:
    answer = client.post(
        "/api/auth/devices",
        json={"token": "fcm-canbo-1", "platform": "android"},
        headers=_bearer(client),
    )

    assert answer.status_code == 201
    assert answer.get_json() == {"token": "fcm-canbo-1", "platform": "android", "locale": "en"}
    device = session.scalar(select(Device).where(Device.token == "fcm-canbo-1"))
    assert device is not None
    assert device.user_id == officer.id


def test_registering_the_same_token_again_keeps_one_device(client, session, officer) -> None:
    headers = _bearer(client)
    for _ in range(2):
        client.post("/api/auth/devices", json={"token": "fcm-canbo-1"}, headers=headers)

    assert session.query(Device).filter_by(user_id=officer.id).count() == 1


def test_a_staff_member_removes_their_device(client, session, officer) -> None:
    headers = _bearer(client)
    client.post("/api/auth/devices", json={"token": "fcm-canbo-1"}, headers=headers)

    gone = client.delete("/api/auth/devices/fcm-canbo-1", headers=headers)
    again = client.delete("/api/auth/devices/fcm-canbo-1", headers=headers)

    assert (gone.status_code, again.status_code) == (204, 404)
    assert session.query(Device).count() == 0


def test_a_device_needs_a_signed_in_staff_member(client, officer) -> None:
    answer = client.post("/api/auth/devices", json={"token": "fcm-x"})

    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "token"), ({"token": ""}, "token"), ({"token": "t", "platform": "fax"}, "platform")],
)
def test_a_bad_device_is_a_422_naming_the_field(client, officer, body, field) -> None:
    answer = client.post("/api/auth/devices", json=body, headers=_bearer(client))

    assert answer.status_code == 422
    assert field in answer.get_data(as_text=True)


def test_the_devices_are_in_the_openapi_document(client) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]

    assert "post" in paths["/api/auth/devices"]
    assert "delete" in paths["/api/auth/devices/{token}"]
