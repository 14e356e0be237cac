"""The ``ioc`` command line on a SQLite file (the servers, which block, are not run here)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner, Result

from ioc.app import create_app
from ioc.cli import main
from ioc.migrate import head_revision


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    """A clean IOC_* environment pointing at a fresh SQLite file (None unsets a variable)."""
    clean: dict[str, str | None] = {name: None for name in os.environ if name.startswith("IOC_")}
    clean["FIREBASE_AUTH_EMULATOR_HOST"] = None
    clean["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    return clean


def _run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_db_upgrade_prints_the_schema_revision(env):
    result = _run(env, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"database at schema {head_revision()}"


def test_db_upgrade_creates_the_folder_of_the_sqlite_file(env, tmp_path):
    env["IOC_DATABASE_URL"] = f"sqlite:///{tmp_path / 'var' / 'nested' / 'ioc.sqlite3'}"

    result = _run(env, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "nested" / "ioc.sqlite3").is_file()


def test_seed_demo_loads_the_province_once_and_a_second_run_changes_nothing(env):
    _run(env, "db", "upgrade")

    first = _run(env, "seed", "demo")
    second = _run(env, "seed", "demo")

    assert first.exit_code == 0, first.output
    assert first.output.startswith("demo province loaded:")
    assert second.exit_code == 0, second.output
    assert second.output.strip() == "the demo province is already loaded; nothing changed"


def test_bad_configuration_is_a_clean_error_not_a_traceback(env):
    env["IOC_ENV"] = "production"

    result = _run(env, "db", "upgrade")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "refusing to start in production" in result.output
    assert "IOC_SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def test_malformed_setting_is_a_clean_error_naming_the_variable(env):
    env["IOC_TIMEZONE"] = "Asia/Khong_Co"

    result = _run(env, "seed", "demo")

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "IOC_TIMEZONE" in result.output
    assert "Traceback" not in result.output


def test_users_create_reads_the_password_from_stdin_and_the_account_can_sign_in(env):
    _run(env, "db", "upgrade")

    result = CliRunner().invoke(
        main,
        ["users", "create", "giamsat2", "--role", "ioc_supervisor", "--name", "Phạm Văn Bình"],
        env=env,
        input="mat-khau-giam-sat\n",
    )

    assert result.exit_code == 0, result.output
    assert "created ioc_supervisor giamsat2" in result.output
    app = create_app({"database_url": env["IOC_DATABASE_URL"]})
    login = app.test_client().post(
        "/api/auth/login", json={"username": "giamsat2", "password": "mat-khau-giam-sat"}
    )
    assert login.status_code == 200
    assert login.get_json()["user"]["display_name"] == "Phạm Văn Bình"


def test_users_create_explains_a_refused_account(env):
    _run(env, "db", "upgrade")

    result = CliRunner().invoke(
        main,
        ["users", "create", "canbo", "--role", "agency_officer"],
        env=env,
        input="mat-khau-1\n",
    )

    assert result.exit_code != 0
    assert "agency roles need an existing agency" in result.output
