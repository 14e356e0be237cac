"""Push device registrations are limited per staff account, not per address."""

from __future__ import annotations

from ioc.feedback.people.accounts import create_staff_user

PASSWORD = "mat-khau-dai-1"
DEVICES_PER_HOUR = 10  # DEVICES_PER_CALLER


def _bearer(client, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_the_eleventh_device_in_an_hour_is_refused_for_that_account_only(client, session):
    for name in ("dieuhanh", "truongca"):
        create_staff_user(session, username=name, role="ioc_operator", password=PASSWORD)
    mine, theirs = _bearer(client, "dieuhanh"), _bearer(client, "truongca")

    def register(headers: dict[str, str], token: str, ip: str) -> int:
        return client.post(
            "/api/auth/devices",
            json={"token": token},
            headers=headers,
            environ_base={"REMOTE_ADDR": ip},
        ).status_code

    statuses = {register(mine, f"fcm-{n}", f"10.0.0.{n}") for n in range(DEVICES_PER_HOUR)}

    assert statuses == {201}
    assert register(mine, "fcm-extra", "10.0.9.9") == 429
    assert register(theirs, "fcm-theirs", "10.0.0.1") == 201
