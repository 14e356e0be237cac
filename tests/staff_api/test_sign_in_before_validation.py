"""Every authenticated API checks who is calling before it looks at the body: an anonymous
caller gets 401 (Open311: 403 for a missing key) and a wrong role 403, never a 422 naming
the fields they sent."""

from __future__ import annotations

import pytest

BAD_JSON = {"unexpected": [1, 2, 3]}

#: A few routes of each API, each sent a body it would refuse.
ROUTES = [
    ("/api/mobile/v1/reports", BAD_JSON),
    ("/api/mobile/v1/reports/X-1/comments", BAD_JSON),
    ("/api/mobile/v1/reports/X-1/rating", {"rating": "excellent"}),
    ("/api/mobile/v1/devices", {"token": ""}),
    ("/api/ops/v1/reports", BAD_JSON),
    ("/api/ops/v1/reports/X-1/assign", BAD_JSON),
    ("/api/ops/v1/reports/X-1/reject", {"reason": ""}),
    ("/api/ops/v1/surges/1/group", BAD_JSON),
    ("/api/agency/v1/reports/X-1/notes", BAD_JSON),
    ("/api/agency/v1/reports/X-1/extension", {"until": "not a date"}),
    ("/api/agency/v1/reports/X-1/return", BAD_JSON),
    ("/api/auth/devices", {"platform": "symbian"}),
    ("/api/admin/v1/staff", BAD_JSON),
]


@pytest.mark.parametrize(("path", "body"), ROUTES)
def test_an_anonymous_post_with_a_bad_body_is_401(client, world, path, body):
    answer = client.post(path, json=body)

    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "unauthenticated"
    assert "fields" not in str(answer.get_json())


@pytest.mark.parametrize(
    ("path", "caller"),
    [
        ("/api/ops/v1/reports/X-1/assign", "sxd_officer"),
        ("/api/ops/v1/reports", "citizen"),
        ("/api/agency/v1/reports/X-1/notes", "ioc_operator"),
        ("/api/agency/v1/reports/X-1/notes", "viewer"),
        ("/api/mobile/v1/reports/X-1/comments", "admin"),  # a staff token is no citizen's
    ],
)
def test_a_caller_who_may_not_use_the_api_is_refused_before_validation(client, world, path, caller):
    answer = client.post(path, json=BAD_JSON, headers=world.headers[caller])

    assert answer.status_code in (401, 403)
    assert "fields" not in str(answer.get_json())


def test_a_form_encoded_post_without_credentials_is_401(client, world):
    answer = client.post("/api/ops/v1/reports/X-1/verify", data={"note": "x"})

    assert answer.status_code == 401


def test_an_open311_post_without_a_key_is_403_before_the_form_is_read(client, world):
    answer = client.post("/open311/v2/requests.json", data={"lat": "north"})

    assert answer.status_code == 403
    assert "lat" not in str(answer.get_json())


def test_reading_the_categories_needs_no_sign_in(client, world):
    assert client.get("/api/mobile/v1/categories").status_code == 200


def test_signing_in_needs_no_session(client, world):
    answer = client.post("/api/auth/login", json={"username": "admin", "password": "x" * 10})

    assert answer.status_code == 200
