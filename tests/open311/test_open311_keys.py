"""``ioc open311 keys``: a key printed once, only its hash stored; list and revoke."""

from __future__ import annotations

import hashlib
import os

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from ioc.cli import main
from ioc.db import make_engine
from ioc.integrations.models import ApiClient


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    clean: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IOC_")}
    clean["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'keys.sqlite3'}"
    assert CliRunner().invoke(main, ["db", "upgrade"], env=clean).exit_code == 0
    return clean


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(main, ["open311", "keys", *args], env=env)


def _clients(env: dict[str, str | None]) -> list[ApiClient]:
    engine = make_engine(env["IOC_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(ApiClient.__table__)))
    finally:
        engine.dispose()


def test_create_prints_a_long_key_once_and_stores_only_its_hash(env):
    result = _run(env, "create", "lgsp-tinh")

    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("ioc311_")
    assert len(key) >= 40
    [row] = _clients(env)
    assert row.name == "lgsp-tinh"
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (row.key_hash, row.key_prefix)
    assert key.startswith(row.key_prefix)


def test_each_key_is_different(env):
    first = _run(env, "create", "he-thong-a").output.strip().splitlines()[-1]
    second = _run(env, "create", "he-thong-b").output.strip().splitlines()[-1]

    assert first != second


def test_a_name_is_registered_once(env):
    _run(env, "create", "lgsp-tinh")

    result = _run(env, "create", "lgsp-tinh")

    assert result.exit_code != 0
    assert "exists" in result.output


def test_list_shows_prefix_and_state_and_revoke_stops_a_key(env):
    key = _run(env, "create", "lgsp-tinh").output.strip().splitlines()[-1]

    listed = _run(env, "list").output
    revoked = _run(env, "revoke", "lgsp-tinh")
    after = _run(env, "list").output

    assert "lgsp-tinh" in listed
    assert key[:12] in listed
    assert "active" in listed
    assert key not in listed
    assert revoked.exit_code == 0
    assert "revoked" in after
    assert _clients(env)[0].is_active is False


def test_revoking_an_unknown_name_is_an_error(env):
    result = _run(env, "revoke", "khong-co")

    assert result.exit_code != 0
    assert "no API client" in result.output
