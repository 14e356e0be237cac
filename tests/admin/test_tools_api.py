"""The routing tester, Open311 keys and webhooks over the admin API."""

from __future__ import annotations

import pytest

from ioc.integrations.api_clients import authenticate_api_key
from tests.factories import make_category, make_rule
from tests.staff_api.conftest import IN_A, IN_B, World

API = "/api/admin/v1"


def _test(client, world: World, **body):
    return client.post(f"{API}/routing/test", json=body, headers=world.headers["admin"])


def test_the_tester_names_the_areas_the_rule_and_the_agencies(client, world):
    answer = _test(client, world, lon=IN_A[0], lat=IN_A[1], category_code="o_ga")

    assert answer.status_code == 200
    body = answer.get_json()
    assert [a["code"] for a in body["areas"]] == ["A", "P"]
    assert body["rule"]["area_code"] == "P"
    assert body["rule"]["category_code"] == "o_ga"
    assert body["lead"]["code"] == "SXD"
    assert [a["code"] for a in body["supporting"]] == ["MTDT"]
    assert body["targets"] == {
        "tier": "urgent",
        "receipt_hours": 2.0,
        "resolution_hours": 4.0,
        "unit": "hours",
    }
    assert body["ioc_queue"] is True  # verification first: the category is not auto-dispatch
    assert "A" in body["steps"][0]["vi"]
    assert "P" in body["steps"][1]["en"]


def test_the_most_specific_area_wins(client, world):
    make_rule(world.session, world.lighting, "B", world.mtdt)
    world.session.flush()

    east = _test(client, world, lon=IN_B[0], lat=IN_B[1], category_code="den_duong").get_json()
    west = _test(client, world, lon=IN_A[0], lat=IN_A[1], category_code="den_duong").get_json()

    assert (east["lead"]["code"], east["rule"]["area_code"]) == ("MTDT", "B")
    assert (west["lead"]["code"], west["rule"]["area_code"]) == ("SXD", "P")


def test_no_rule_means_the_ioc_queue_and_says_so(client, world):
    make_category(world.session, "khac", is_auto_dispatch=True)

    body = _test(client, world, lon=IN_A[0], lat=IN_A[1], category_code="khac").get_json()

    assert (body["rule"], body["lead"], body["ioc_queue"]) == (None, None, True)
    assert "IOC" in body["steps"][1]["vi"]


def test_a_point_outside_every_area_has_no_areas(client, world):
    body = _test(client, world, lon=105.0, lat=21.0, category_code="den_duong").get_json()

    assert body["areas"] == []
    assert body["ioc_queue"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"lon": 200, "lat": 16, "category_code": "den_duong"}, 422),
        ({"lon": 108, "lat": 16, "category_code": "khong_co"}, 404),
        ({"lon": 108, "lat": 16}, 422),
    ],
)
def test_bad_tester_input_is_a_4xx(client, world, body, status):
    assert _test(client, world, **body).status_code == status


def test_an_open311_key_is_shown_once_and_revoked(client, world):
    created = client.post(
        f"{API}/open311-keys", json={"name": "LGSP tỉnh"}, headers=world.headers["admin"]
    )

    assert created.status_code == 201
    body = created.get_json()
    assert authenticate_api_key(world.session, body["key"]).name == "LGSP tỉnh"
    listed = client.get(f"{API}/open311-keys", headers=world.headers["admin"]).get_json()
    assert "key" not in listed["items"][0]
    revoked = client.post(f"{API}/open311-keys/{body['id']}/revoke", headers=world.headers["admin"])
    assert revoked.get_json()["active"] is False
    log = client.get(f"{API}/audit?limit=2", headers=world.headers["admin"]).get_json()
    assert [e["action"] for e in log["items"]] == ["revoke_open311_key", "create_open311_key"]
    assert body["key"] not in str(log)


def test_a_webhook_secret_is_shown_once_and_revoked(client, world):
    created = client.post(
        f"{API}/webhooks",
        json={"url": "https://lgsp.example.vn/hook", "events": ["report.*"]},
        headers=world.headers["admin"],
    )

    assert created.status_code == 201
    body = created.get_json()
    assert len(body["secret"]) == 64
    listed = client.get(f"{API}/webhooks", headers=world.headers["admin"]).get_json()
    assert listed["items"][0]["events"] == ["report.*"]
    assert "secret" not in listed["items"][0]
    revoked = client.post(f"{API}/webhooks/{body['id']}/revoke", headers=world.headers["admin"])
    assert revoked.get_json()["active"] is False


def test_a_bad_webhook_is_a_422_naming_the_field(client, world):
    answer = client.post(
        f"{API}/webhooks", json={"url": "ftp://x", "events": []}, headers=world.headers["admin"]
    )

    assert answer.status_code == 422
    assert "url" in answer.get_json()["error"]["details"]["fields"]


def test_revoking_an_unknown_key_is_404(client, world):
    answer = client.post(f"{API}/open311-keys/999/revoke", headers=world.headers["admin"])

    assert answer.status_code == 404


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("ioc_operator", 403)])
def test_only_admins_use_the_tools(client, world, caller, status):
    headers = world.headers[caller]

    assert client.get(f"{API}/open311-keys", headers=headers).status_code == status
    assert (
        client.post(f"{API}/webhooks", json={"url": "https://a.vn"}, headers=headers).status_code
        == status
    )
    body = {"lon": IN_A[0], "lat": IN_A[1], "category_code": "den_duong"}
    assert client.post(f"{API}/routing/test", json=body, headers=headers).status_code == status
