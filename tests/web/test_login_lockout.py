"""Sign-in limits: wrong passwords for one username make that username wait, whatever the
address they come from, without locking anyone else out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ioc.feedback.models import User
from ioc.feedback.people.accounts import create_staff_user

PASSWORD = "mat-khau-dai-1"
FAILURES_PER_MINUTE = 5  # the first tier of LOGIN_FAILURES_PER_ACCOUNT
LOGINS_PER_ADDRESS = 10  # LOGIN_PER_ADDRESS


@pytest.fixture
def operators(session) -> list[User]:
    return [
        create_staff_user(session, username=name, role="ioc_operator", password=PASSWORD)
        for name in ("dieuhanh", "truongca")
    ]


def _login(client, username: str, password: str, ip: str):
    return client.post(
        "/api/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _fail_from_many_addresses(client, username: str, times: int) -> list[int]:
    return [_login(client, username, "sai", f"198.51.100.{n}").status_code for n in range(times)]


def test_wrong_passwords_from_many_addresses_make_that_username_wait(client, operators):
    failures = _fail_from_many_addresses(client, "dieuhanh", FAILURES_PER_MINUTE)

    # The right password, from an address never seen: the username must wait all the same.
    waiting = _login(client, "dieuhanh", PASSWORD, "192.0.2.10")

    assert failures == [401] * FAILURES_PER_MINUTE
    assert waiting.status_code == 429
    assert waiting.get_json()["error"]["code"] == "too_many_requests"
    assert int(waiting.headers["Retry-After"]) > 0


def test_a_locked_username_does_not_lock_out_another_account_or_address(client, operators):
    _fail_from_many_addresses(client, "dieuhanh", FAILURES_PER_MINUTE + 1)

    # The same addresses the attempts came from still reach other accounts.
    assert _login(client, "truongca", PASSWORD, "198.51.100.0").status_code == 200


def test_the_right_password_works_once_the_window_has_passed(client, operators, fixed_clock):
    _fail_from_many_addresses(client, "dieuhanh", FAILURES_PER_MINUTE)
    assert _login(client, "dieuhanh", PASSWORD, "192.0.2.10").status_code == 429

    fixed_clock.shift(timedelta(seconds=61))

    assert _login(client, "dieuhanh", PASSWORD, "192.0.2.10").status_code == 200


def test_successful_sign_ins_do_not_count_towards_the_lockout(client, operators):
    statuses = [
        _login(client, "dieuhanh", PASSWORD, f"192.0.2.{n}").status_code
        for n in range(FAILURES_PER_MINUTE + 2)
    ]

    assert statuses == [200] * (FAILURES_PER_MINUTE + 2)


def test_one_address_is_limited_whatever_usernames_it_tries(client, operators):
    statuses = [
        _login(client, f"khach{n}", "sai", "203.0.113.9").status_code
        for n in range(LOGINS_PER_ADDRESS)
    ]

    refused = _login(client, "truongca", PASSWORD, "203.0.113.9")

    assert statuses == [401] * LOGINS_PER_ADDRESS
    assert refused.status_code == 429
    assert _login(client, "truongca", PASSWORD, "203.0.113.10").status_code == 200
