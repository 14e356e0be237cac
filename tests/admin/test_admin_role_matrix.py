"""Every route of the admin API, found in the app's own URL map so a new route is covered the
day it is added: only an administrator gets past the door, whoever else asks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ioc.app import create_app
from tests.staff_api.conftest import CALLERS

ADMIN_PREFIX = "/api/admin/v1/"


def _admin_calls() -> list[tuple[str, str]]:
    app = create_app({"env": "test", "database_url": "sqlite://"})
    calls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(ADMIN_PREFIX):
            continue
        # Path parameters get a value no row has: the door is checked before the row.
        path = re.sub(r"<int:[^>]+>", "999999", rule.rule)
        path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "X-1", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            calls.append((method, path))
    return sorted(calls)


CALLS = _admin_calls()


def test_the_admin_api_has_its_routes() -> None:
    paths = {path for _, path in CALLS}
    for expected in ("agencies", "categories", "rules", "staff", "policy", "routing/test"):
        assert ADMIN_PREFIX + expected in paths
    assert ("POST", ADMIN_PREFIX + "pack") in CALLS


@pytest.mark.parametrize(("method", "path"), CALLS)
def test_only_an_administrator_gets_past_the_door(client, world, method, path) -> None:
    statuses: dict[str, int] = {}
    for caller in CALLERS:
        attempt = world.session.begin_nested()
        world.session.connection()
        body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
        response = client.open(path, method=method, headers=world.headers[caller], json=body)
        attempt.rollback()
        world.session.expire_all()
        statuses[caller] = response.status_code

    expected_refusals = {
        caller: 401 if caller in ("anonymous", "citizen") else 403
        for caller in CALLERS
        if caller != "admin"
    }
    assert {c: s for c, s in statuses.items() if c != "admin"} == expected_refusals
    assert statuses["admin"] not in (401, 403)
    assert statuses["admin"] < 500
