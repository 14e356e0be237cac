"""The statistics endpoint reads the daily figures: every grouping, receipt timeliness."""

from __future__ import annotations

from tests.staff_api.conftest import World

OPS = "/api/ops/v1"


def test_statistics_group_by_channel_with_receipt_timeliness(client, world: World):
    world.assigned("SXD")
    world.new_report()

    response = client.get(
        f"{OPS}/statistics?group_by=channel", headers=world.headers["ioc_operator"]
    )

    assert response.status_code == 200
    [phone] = response.get_json()["items"]
    assert (phone["key"], phone["name"]) == ("phone", "Đường dây nóng")
    assert (phone["received"], phone["assigned"], phone["receipt_on_time_percent"]) == (2, 1, 100.0)
    assert phone["receipt_late"] == 0


def test_an_unknown_grouping_is_refused_with_the_field_named(client, world: World):
    response = client.get(
        f"{OPS}/statistics?group_by=street", headers=world.headers["ioc_operator"]
    )

    assert response.status_code == 422
    assert "group_by" in str(response.get_json())


def test_statistics_count_every_channel_citizens_use(client, world: World):
    filed = {"mobile": 3, "web": 1, "zalo": 2, "email": 4, "phone": 1, "open311": 2}
    for channel, count in filed.items():
        for _ in range(count):
            world.new_report().channel = channel
    world.session.flush()

    response = client.get(
        f"{OPS}/statistics?group_by=channel", headers=world.headers["ioc_operator"]
    )

    assert response.status_code == 200
    received = {item["key"]: item["received"] for item in response.get_json()["items"]}
    assert received == filed
    # The app is the mobile app and the citizen web page together.
    assert received["mobile"] + received["web"] == 4
    names = {item["key"]: item["name"] for item in response.get_json()["items"]}
    assert all(names[key] for key in ("email", "zalo", "open311"))
