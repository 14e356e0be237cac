"""``ioc dev token``: emulator ID tokens for trying the mobile API by hand, never in production."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from collections.abc import Iterator

import firebase_admin
import pytest
from click.testing import CliRunner, Result

from ioc.cli import main
from ioc.identity import CitizenIdentity, FirebaseTokenVerifier


@pytest.fixture
def project_id() -> Iterator[str]:
    """A project of this test alone, whose firebase-admin app is deleted afterwards."""
    project = f"ioc-cli-{secrets.token_hex(4)}"
    yield project
    with contextlib.suppress(ValueError):
        firebase_admin.delete_app(firebase_admin.get_app(f"ioc-{project}"))


@pytest.fixture
def env(tmp_path, project_id) -> dict[str, str | None]:
    """A clean IOC_* environment on a fresh SQLite file (None unsets a variable)."""
    clean: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IOC_")}
    clean["FIREBASE_AUTH_EMULATOR_HOST"] = None
    clean["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    clean["IOC_FIREBASE_PROJECT_ID"] = project_id
    return clean


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_dev_token_is_accepted_by_the_verifier_in_emulator_mode(env, project_id, monkeypatch):
    result = _run(env, "dev", "token", "citizen-1", "--name", "Nguyễn Văn A")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")

    assert result.exit_code == 0, result.output
    identity = FirebaseTokenVerifier(project_id).verify(result.stdout.strip())
    assert identity == CitizenIdentity(uid="citizen-1", name="Nguyễn Văn A", phone=None, email=None)
    assert "FIREBASE_AUTH_EMULATOR_HOST" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_dev_token_lasts_the_hours_asked_for(env):
    result = _run(env, "dev", "token", "citizen-1", "--phone", "+84912345678", "--hours", "8")

    assert result.exit_code == 0, result.output
    payload = result.stdout.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert claims["exp"] - claims["iat"] == 8 * 3600
    assert claims["phone_number"] == "+84912345678"
    assert claims["firebase"]["sign_in_provider"] == "phone"


@pytest.mark.parametrize(
    ("emulator_host", "explanation"),
    [
        (None, "refused when IOC_ENV=production"),
        ("127.0.0.1:9099", "FIREBASE_AUTH_EMULATOR_HOST is set"),
    ],
    ids=["settings-valid", "emulator-variable-set"],
)
def test_dev_token_is_refused_in_production(env, emulator_host, explanation):
    env.update(
        IOC_ENV="production",
        IOC_SECRET_KEY="x" * 40,
        IOC_ALLOW_SQLITE_IN_PRODUCTION="1",
        FIREBASE_AUTH_EMULATOR_HOST=emulator_host,
    )

    result = _run(env, "dev", "token", "citizen-1")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert explanation in result.output
    assert result.stdout == ""
    assert "Traceback" not in result.output
