"""The deadline policy and the holidays kept in the database: read, edit (checked like the
files), and picked up by the next request without a restart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE
from ioc.feedback.sla.policy_source import PolicyHolder
from tests.factories import make_policy
from tests.staff_api.conftest import World

API = "/api/admin/v1"
HOLIDAYS = """
[[holiday]]
date = 2026-03-11
name = "Ngày nghỉ thử"
name_en = "A test day off"

[[holiday]]
date = 2026-03-12
name = "Ngày nghỉ thử 2"
"""


@pytest.fixture
def live_policy(app, world) -> None:
    """The app follows the database's policy again (the shared fixtures pin one)."""
    services = app.extensions["ioc"]
    services.policies = PolicyHolder(
        services.policies.files, initial=make_policy(), check_seconds=0
    )


def _assign(client, world: World) -> datetime:
    report = world.new_report()
    answer = client.post(
        f"/api/ops/v1/reports/{report.ref}/assign",
        json={"agency": "SXD"},
        headers=world.headers["ioc_operator"],
    )
    assert answer.status_code == 200, answer.get_json()
    return datetime.fromisoformat(answer.get_json()["due_at"])


def test_the_policy_comes_from_the_file_until_edited(client, world):
    answer = client.get(f"{API}/policy", headers=world.headers["admin"]).get_json()

    assert answer["source"] == "file"
    assert "[office_hours]" in answer["toml"]


def test_an_edited_policy_is_read_back_from_the_database(client, world):
    text = DEFAULT_POLICY_FILE.read_text().replace("urgent_hours = 2", "urgent_hours = 3")

    put = client.put(f"{API}/policy", json={"toml": text}, headers=world.headers["admin"])

    assert put.status_code == 200
    answer = client.get(f"{API}/policy", headers=world.headers["admin"]).get_json()
    assert answer == {"toml": text, "source": "database"}
    log = client.get(f"{API}/audit?limit=1", headers=world.headers["admin"]).get_json()
    assert log["items"][0]["action"] == "update_sla_policy"
    assert log["items"][0]["after"]["toml"] == text


def test_a_policy_with_a_wrong_key_is_refused_naming_it(client, world):
    text = DEFAULT_POLICY_FILE.read_text().replace("urgent_hours = 2", "urgent_hours = -1")

    put = client.put(f"{API}/policy", json={"toml": text}, headers=world.headers["admin"])

    assert put.status_code == 400
    error = put.get_json()["error"]
    assert error["code"] == "pack_refused"
    [problem] = error["details"]["problems"]
    assert (problem["file"], problem["column"]) == ("sla_policy.toml", "receipt.urgent_hours")
    assert problem["message_vi"].startswith("khóa receipt.urgent_hours")
    assert client.get(f"{API}/policy", headers=world.headers["admin"]).get_json()["source"] == (
        "file"
    )


def test_holidays_that_are_not_toml_are_refused(client, world):
    put = client.put(f"{API}/holidays", json={"toml": "[[holiday"}, headers=world.headers["admin"])

    assert put.status_code == 400
    assert put.get_json()["error"]["details"]["problems"][0]["file"] == "holidays.toml"


def test_the_holidays_of_a_year_are_listed(client, world):
    client.put(f"{API}/holidays", json={"toml": HOLIDAYS}, headers=world.headers["admin"])

    answer = client.get(f"{API}/holidays/days?year=2026", headers=world.headers["admin"])

    assert answer.get_json()["items"] == [
        {"date": "2026-03-11", "name_vi": "Ngày nghỉ thử", "name_en": "A test day off"},
        {"date": "2026-03-12", "name_vi": "Ngày nghỉ thử 2", "name_en": None},
    ]
    other = client.get(f"{API}/holidays/days?year=2027", headers=world.headers["admin"])
    assert other.get_json()["items"] == []


def test_new_holidays_move_the_deadline_of_the_next_request(
    client, world, live_policy, fixed_clock
):
    # The morning of the first of HOLIDAYS' days, whatever the suite's "now".
    fixed_clock.move_to(datetime.fromisoformat("2026-03-11T08:00:00+07:00"))
    before = _assign(client, world)

    put = client.put(f"{API}/holidays", json={"toml": HOLIDAYS}, headers=world.headers["admin"])
    assert put.status_code == 200

    after = _assign(client, world)
    # Today and tomorrow are days off now: the deadline moves well over a day later.
    assert after - before > timedelta(days=1)


def test_the_province_has_defaults_before_a_pack(client, world):
    answer = client.get(f"{API}/province", headers=world.headers["admin"]).get_json()

    assert answer["time_zone"] == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize(("caller", "status"), [("anonymous", 401), ("ioc_supervisor", 403)])
def test_only_admins_read_or_edit_the_policy(client, world, caller, status):
    headers = world.headers[caller]

    assert client.get(f"{API}/policy", headers=headers).status_code == status
    assert client.put(f"{API}/policy", json={"toml": "x"}, headers=headers).status_code == status
    assert client.get(f"{API}/holidays/days?year=2026", headers=headers).status_code == status
