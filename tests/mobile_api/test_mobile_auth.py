"""Signing in with a Firebase ID token (emulator tokens in tests), and the citizen profile."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ioc.app import create_app
from ioc.config import ConfigurationError, load_settings
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.identity import emulator_token
from tests.mobile_api.helpers import API, citizen_of, count, submit


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _project_of(app) -> str:
    return app.extensions["ioc"].settings.firebase_project_id


def test_a_valid_emulator_token_signs_the_citizen_in(client, lan):
    response = client.get(f"{API}/reports/mine", headers=lan.headers)

    assert response.status_code == 200
    assert response.get_json() == {"items": [], "next_cursor": None}


def test_first_use_creates_the_citizen_profile_from_the_token(client, session, lan):
    client.get(f"{API}/reports/mine", headers=lan.headers)

    citizen = session.scalars(select(User).where(User.firebase_uid == lan.uid)).one()
    assert (citizen.role, citizen.display_name, citizen.phone) == (
        "citizen",
        "Nguyễn Thị Lan",
        "+84905123456",
    )


def test_later_requests_reuse_the_citizen_profile(client, session, lan):
    client.get(f"{API}/reports/mine", headers=lan.headers)
    client.get(f"{API}/reports/mine", headers=lan.headers)

    assert count(session, User) == 1


def test_a_request_without_a_token_is_refused_with_401(client):
    response = client.get(f"{API}/reports/mine")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json()["error"] == {
        "code": "unauthenticated",
        "message": "Thiếu mã xác thực (Bearer token)",
    }


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer"],
    ids=["garbage", "three-garbage-parts", "other-scheme", "empty"],
)
def test_a_malformed_authorization_header_is_refused_with_401(client, header):
    response = client.get(f"{API}/reports/mine", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_an_expired_token_is_refused_with_401(client, app, session):
    token = emulator_token(
        project_id=_project_of(app),
        uid="uid-late",
        issued_at=time.time() - 7200,
        lifetime_seconds=3600,
    )

    response = client.get(f"{API}/reports/mine", headers=_bearer(token))

    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == (
        "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại"
    )
    assert count(session, User) == 0


def test_a_token_of_another_firebase_project_is_refused_with_401(client, session):
    token = emulator_token(project_id="someone-elses-project", uid="uid-foreign")

    response = client.get(f"{API}/reports/mine", headers=_bearer(token))

    assert response.status_code == 401
    assert count(session, User) == 0


def test_a_refused_submission_creates_no_citizen(client, session, world):
    response = client.post(
        f"{API}/reports",
        json={"category": "den_duong", "lon": 108.05, "lat": 16.05},
        headers={"Idempotency-Key": "k-1", **_bearer("garbage")},
    )

    assert response.status_code == 401
    assert count(session, User) == 0


def test_the_401_message_is_english_when_asked(client):
    response = client.get(f"{API}/reports/mine", headers={"Accept-Language": "en"})

    assert response.get_json()["error"]["message"] == "missing bearer token"


def test_production_refuses_to_start_while_emulator_tokens_would_be_accepted():
    with pytest.raises(ConfigurationError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        create_app(
            {
                "env": "production",
                "secret_key": "x" * 40,
                "database_url": "postgresql+psycopg://u@127.0.0.1:1/x",
            }
        )


def test_the_same_production_settings_pass_without_the_emulator(monkeypatch):
    """The refusal above is about the emulator variable, not the other settings."""
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")

    settings = load_settings(
        {
            "env": "production",
            "secret_key": "x" * 40,
            "database_url": "postgresql+psycopg://u@127.0.0.1:1/x",
        }
    )

    assert settings.env == "production"


def test_a_first_request_that_fails_leaves_no_remembered_account_behind(
    client, session, world, lan
):
    # The citizen's account is created inside the failing request's transaction, which
    # rolls back: the next request must create it again, not reuse the vanished one.
    refused = client.post(
        f"{API}/reports/NO-SUCH-REF/comments", json={"text": "Còn hỏng"}, headers=lan.headers
    )
    assert refused.status_code == 404
    assert count(session, User) == 0

    filed = submit(client, lan)

    assert filed.status_code == 201
    citizen = session.scalars(select(User).where(User.firebase_uid == lan.uid)).one()
    report = session.scalars(select(Report).where(Report.ref == filed.get_json()["ref"])).one()
    assert report.reporter_id == citizen.id


def test_a_token_with_new_claims_refreshes_the_remembered_citizen(client, app, session, lan):
    client.get(f"{API}/reports/mine", headers=lan.headers)
    renamed = citizen_of(app, lan.uid, "Nguyễn Thị Lan Anh", lan.phone)

    client.get(f"{API}/reports/mine", headers=renamed.headers)

    session.expire_all()
    citizen = session.scalars(select(User).where(User.firebase_uid == lan.uid)).one()
    assert citizen.display_name == "Nguyễn Thị Lan Anh"
