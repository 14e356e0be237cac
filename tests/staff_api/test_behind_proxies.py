"""Behind nginx (``IOC_TRUSTED_PROXIES=1``) the client's address and scheme come from the
proxy's headers; with no trusted proxy those headers are ignored, so nobody picks their own."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask

from ioc.app import create_app

NGINX = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches the app from the proxy
LOGINS_PER_ADDRESS = 10  # LOGIN_PER_ADDRESS


def _app(engine, session_factory, tmp_path, policy, hops: int) -> Flask:
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            "trusted_proxies": hops,
        }
    )
    services = app.extensions["ioc"]
    services.session_factory = session_factory
    services.policy = policy
    services.intake = replace(services.intake, policy=policy)
    return app


@pytest.fixture
def app(engine, session_factory, tmp_path, policy) -> Flask:
    """The app as it runs behind the shipped nginx: one trusted hop."""
    return _app(engine, session_factory, tmp_path, policy, hops=1)


def _login(client, n: int, forwarded_for: str):
    return client.post(
        "/api/auth/login",
        json={"username": f"khach{n}", "password": "sai"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base=NGINX,
    )


def _reset_link(client, world, **headers: str) -> str:
    answer = client.post(
        "/api/admin/v1/staff/sxd_officer/reset-password",
        headers={**world.headers["admin"], **headers},
        environ_base=NGINX,
    )
    assert answer.status_code == 200, answer.get_json()
    return str(answer.get_json()["password_link"]["url"])


def test_the_forwarded_client_address_picks_the_rate_limit_bucket(client, world):
    statuses = [_login(client, n, "203.0.113.5").status_code for n in range(LOGINS_PER_ADDRESS)]

    refused = _login(client, 99, "203.0.113.5")
    neighbour = _login(client, 99, "203.0.113.6")  # another client behind the same nginx

    assert statuses == [401] * LOGINS_PER_ADDRESS
    assert refused.status_code == 429
    assert neighbour.status_code == 401


def test_an_address_the_client_adds_itself_does_not_pick_its_bucket(client, world):
    # nginx appends the address it saw to whatever the client sent; only that last one counts.
    statuses = [
        _login(client, n, f"192.0.2.{n}, 203.0.113.5").status_code
        for n in range(LOGINS_PER_ADDRESS + 1)
    ]

    assert statuses == [401] * LOGINS_PER_ADDRESS + [429]


def test_links_built_behind_an_https_proxy_are_https(client, world):
    link = _reset_link(
        client, world, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ioc.tinh.gov.vn"}
    )

    assert link.startswith("https://ioc.tinh.gov.vn/set-password?token=")


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(
    engine, session_factory, tmp_path, policy, world
):
    client = _app(engine, session_factory, tmp_path, policy, hops=0).test_client()

    statuses = [
        _login(client, n, f"203.0.113.{n}").status_code for n in range(LOGINS_PER_ADDRESS + 1)
    ]
    link = _reset_link(
        client, world, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    )

    # A new X-Forwarded-For each time, yet all counted as the one address they came from.
    assert statuses == [401] * LOGINS_PER_ADDRESS + [429]
    assert link.startswith("http://localhost/set-password?token=")
