"""Administrators manage staff accounts over the admin API; nobody else may."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.staff_api.conftest import World

API = "/api/admin/v1"
NEW = {"username": "ubnd.a.canbo", "full_name": "Đỗ Văn Cường", "role": "agency_officer"}


def _create(client, world: World, **body):
    return client.post(
        f"{API}/staff", json={**NEW, "agency_code": "SXD", **body}, headers=world.headers["admin"]
    )


def _token(answer) -> str:
    return parse_qs(urlparse(answer["password_link"]["url"]).query)["token"][0]


def test_an_admin_creates_staff_and_the_link_sets_the_password(client, world):
    created = _create(client, world)

    assert created.status_code == 201
    body = created.get_json()
    assert (body["username"], body["agency_code"], body["active"]) == (
        "ubnd.a.canbo",
        "SXD",
        True,
    )
    assert body["password_link"]["url"].startswith("http://localhost/set-password?token=")

    done = client.post(
        "/api/auth/password-setup", json={"token": _token(body), "password": "mat-khau-moi-1"}
    )
    assert done.status_code == 204
    login = client.post(
        "/api/auth/login", json={"username": "ubnd.a.canbo", "password": "mat-khau-moi-1"}
    )
    assert login.status_code == 200


def test_a_used_link_is_a_400_naming_the_token(client, world):
    token = _token(_create(client, world).get_json())
    client.post("/api/auth/password-setup", json={"token": token, "password": "mat-khau-moi-1"})

    again = client.post(
        "/api/auth/password-setup", json={"token": token, "password": "mat-khau-moi-2"}
    )

    assert again.status_code == 400
    assert "token" in again.get_json()["error"]["details"]["fields"]


def test_a_short_password_is_a_400_naming_the_password(client, world):
    token = _token(_create(client, world).get_json())

    answer = client.post("/api/auth/password-setup", json={"token": token, "password": "ngan"})

    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["fields"]["password"] == "ít nhất 10 ký tự"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "superuser"}, "role"),
        ({"username": "Có Dấu"}, "username"),
        ({"email": "khong-phai-email"}, "email"),
    ],
)
def test_bad_staff_input_is_a_4xx_naming_the_field(client, world, body, field):
    answer = _create(client, world, **body)

    assert 400 <= answer.status_code < 500
    assert field in str(answer.get_json())


def test_an_agency_role_without_an_agency_is_refused(client, world):
    answer = _create(client, world, agency_code=None)

    assert answer.status_code == 422
    assert answer.get_json()["error"]["details"]["fields"] == {"agency": "missing"}


def test_a_taken_username_is_a_conflict(client, world):
    answer = _create(client, world, username="viewer", role="viewer", agency_code=None)

    assert answer.status_code == 409


def test_the_list_shows_last_sign_in_and_pages(client, world):
    first = client.get(f"{API}/staff?limit=3", headers=world.headers["admin"]).get_json()
    rest = client.get(
        f"{API}/staff?limit=50&cursor={first['next_cursor']}", headers=world.headers["admin"]
    ).get_json()

    names = [item["username"] for item in first["items"] + rest["items"]]
    assert names[:3] == ["admin", "ioc_supervisor", "ioc_operator"]
    assert len(names) == len(set(names)) == len(world.users)
    assert all(item["last_sign_in_at"] for item in first["items"])
    assert rest["next_cursor"] is None


def test_the_list_filters_by_agency_and_search(client, world):
    by_agency = client.get(f"{API}/staff?agency=SXD", headers=world.headers["admin"]).get_json()
    by_text = client.get(f"{API}/staff?q=MTDT", headers=world.headers["admin"]).get_json()

    assert {i["username"] for i in by_agency["items"]} == {"sxd_officer", "sxd_manager"}
    assert [i["username"] for i in by_text["items"]] == ["mtdt_officer"]


def test_a_foreign_cursor_is_a_400(client, world):
    answer = client.get(f"{API}/staff?cursor=abc", headers=world.headers["admin"])

    assert answer.status_code == 400


def test_disabling_ends_their_sessions_at_once(client, world):
    operator = world.headers["ioc_operator"]
    assert client.get("/api/auth/me", headers=operator).status_code == 200

    answer = client.post(f"{API}/staff/ioc_operator/disable", headers=world.headers["admin"])

    assert answer.status_code == 200
    assert answer.get_json()["active"] is False
    assert client.get("/api/auth/me", headers=operator).status_code == 401


def test_the_last_admin_cannot_be_disabled(client, world):
    answer = client.post(f"{API}/staff/admin/disable", headers=world.headers["admin"])

    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "last_admin"


def test_enable_brings_a_member_back(client, world):
    client.post(f"{API}/staff/viewer/disable", headers=world.headers["admin"])

    answer = client.post(f"{API}/staff/viewer/enable", headers=world.headers["admin"])

    assert answer.get_json()["active"] is True


def test_a_reset_ends_the_old_password_and_gives_a_new_link(client, world):
    answer = client.post(f"{API}/staff/viewer/reset-password", headers=world.headers["admin"])

    assert answer.status_code == 200
    assert "/set-password?token=" in answer.get_json()["password_link"]["url"]
    assert client.get("/api/auth/me", headers=world.headers["viewer"]).status_code == 401
    login = client.post("/api/auth/login", json={"username": "viewer", "password": "x" * 10})
    assert login.status_code == 401


def test_patch_changes_role_and_agency_together(client, world):
    answer = client.patch(
        f"{API}/staff/viewer",
        json={"role": "agency_manager", "agency_code": "MTDT", "full_name": "Hồ Thị Lan"},
        headers=world.headers["admin"],
    )

    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["role"], body["agency_code"], body["full_name"]) == (
        "agency_manager",
        "MTDT",
        "Hồ Thị Lan",
    )
    log = client.get(f"{API}/audit?limit=5", headers=world.headers["admin"]).get_json()
    entry = next(e for e in log["items"] if e["action"] == "update_user")
    assert entry["before"]["role"] == "viewer"
    assert entry["after"]["agency"] == "MTDT"


def test_an_unknown_username_is_404(client, world):
    answer = client.post(f"{API}/staff/khong-co/enable", headers=world.headers["admin"])

    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("citizen", 401), ("ioc_supervisor", 403), ("sxd_manager", 403)],
)
def test_only_admins_manage_staff(client, world, caller, status):
    headers = world.headers[caller]

    assert client.get(f"{API}/staff", headers=headers).status_code == status
    assert _create(client, world).status_code == 201  # the admin still can
    assert client.post(f"{API}/staff/viewer/disable", headers=headers).status_code == status
