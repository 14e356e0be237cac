"""Staff sign-in: bearer tokens, session cookies with CSRF, logout, and what never works."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ioc.db import utcnow
from ioc.feedback.models import StaffSession, User
from ioc.feedback.people.accounts import create_staff_user
from tests.factories import make_agency

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def operator(session) -> User:
    return create_staff_user(
        session,
        username="dieuhanh",
        role="ioc_operator",
        password=PASSWORD,
        display_name="Lê Thị Hoa",
    )


def _login(client, username="dieuhanh", password=PASSWORD, **kwargs):
    return client.post(
        "/api/auth/login", json={"username": username, "password": password}, **kwargs
    )


def test_login_returns_a_bearer_token_that_identifies_the_staff_member(client, operator):
    response = _login(client)

    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json() == {
        "username": "dieuhanh",
        "display_name": "Lê Thị Hoa",
        "role": "ioc_operator",
        "agency": None,
        "home": "/ops",
    }


def test_agency_staff_see_their_agency(client, session):
    make_agency(session, "SXD", name_vi="Sở Xây dựng")
    create_staff_user(
        session, username="canbo", role="agency_officer", password=PASSWORD, agency_code="SXD"
    )

    token = _login(client, "canbo").get_json()["token"]

    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["agency"] == {"code": "SXD", "name": "Sở Xây dựng"}


def test_login_sets_an_http_only_session_cookie_that_signs_in_the_browser(client, operator):
    response = _login(client)

    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("ioc_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert client.get("/api/auth/me").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("dieuhanh", "sai-mat-khau"), ("khong-co", PASSWORD)]
)
def test_wrong_password_and_unknown_user_get_the_same_401(client, operator, username, password):
    response = _login(client, username, password)

    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "Sai tên đăng nhập hoặc mật khẩu"
    assert not response.headers.getlist("Set-Cookie")


def test_a_disabled_account_cannot_sign_in(client, session, operator):
    operator.is_active = False
    session.flush()

    assert _login(client).status_code == 401


def test_a_disabled_account_loses_its_open_session(client, session, operator):
    token = _login(client).get_json()["token"]
    operator.is_active = False
    session.flush()

    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_an_expired_session_is_refused(client, session, operator):
    token = _login(client).get_json()["token"]
    record = session.scalar(select(StaffSession))
    record.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()

    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_requests_without_credentials_are_refused(client):
    assert client.get("/api/auth/me").status_code == 401
    assert (
        client.get("/api/auth/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    )


def test_logout_ends_the_bearer_session(client, operator):
    token = _login(client).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_cookie_logout_without_the_csrf_token_is_forbidden(client, operator):
    _login(client)

    response = client.post("/api/auth/logout")

    assert response.status_code == 403
    assert client.get("/api/auth/me").status_code == 200  # still signed in


def test_cookie_logout_with_the_csrf_token_signs_the_browser_out(client, operator):
    csrf = _login(client).get_json()["csrf_token"]

    response = client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})

    assert response.status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_the_token_is_stored_only_as_a_hash(client, session, operator):
    token = _login(client).get_json()["token"]

    record = session.scalar(select(StaffSession))
    assert record.token_hash != token
    assert token not in record.token_hash


def test_citizen_accounts_cannot_sign_in_as_staff(client, session):
    session.add(User(role="citizen", firebase_uid="uid-1", username="congdan"))
    session.flush()

    assert _login(client, "congdan").status_code == 401


def test_login_is_rate_limited_per_address(client, operator):
    # Different usernames, so only the address's limit can apply.
    statuses = [_login(client, f"khach{n}", "sai").status_code for n in range(11)]

    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_a_form_post_to_a_json_route_is_a_415_naming_the_content_type(client):
    response = client.post("/api/auth/login", data={"username": "a", "password": "b"})

    assert response.status_code == 415
    error = response.get_json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert error["details"]["content_type"].startswith("application/x-www-form-urlencoded")
