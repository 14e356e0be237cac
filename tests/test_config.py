"""Settings: defaults for the embedded mode, IOC_* variables, and the production refusals."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ioc.app import create_app
from ioc.config import DEV_SECRET_KEY, ConfigurationError, Environment, load_settings
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE

# A production configuration that passes every check: PostgreSQL (nothing connects at start-up,
# so a closed port is fine) and a long secret.
GOOD_PRODUCTION = {
    "IOC_ENV": "production",
    "IOC_DATABASE_URL": "postgresql+psycopg://ioc@127.0.0.1:1/ioc",
    "IOC_SECRET_KEY": "k" * 48,
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees only the variables it sets itself."""
    for name in list(os.environ):
        if name.startswith("IOC_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD_PRODUCTION.items():
        monkeypatch.setenv(name, value)


def test_defaults_use_sqlite_under_var():
    settings = load_settings()
    assert settings.env is Environment.DEVELOPMENT
    assert settings.is_sqlite
    assert settings.database_url == f"sqlite:///{Path('var') / 'ioc.sqlite3'}"


def test_defaults_use_the_vietnam_time_zone():
    assert load_settings().tz == ZoneInfo("Asia/Ho_Chi_Minh")


def test_default_sqlite_file_follows_the_var_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("IOC_VAR_DIR", str(tmp_path))
    assert load_settings().database_url == f"sqlite:///{tmp_path / 'ioc.sqlite3'}"


@pytest.mark.parametrize(
    ("variable", "value", "attribute", "expected"),
    [
        (
            "IOC_DATABASE_URL",
            "postgresql+psycopg://ioc@db/ioc",
            "database_url",
            "postgresql+psycopg://ioc@db/ioc",
        ),
        ("IOC_REDIS_URL", "redis://cache:6379/0", "redis_url", "redis://cache:6379/0"),
        ("IOC_REDIS_CHANNEL", "ioc-hue", "redis_channel", "ioc-hue"),
        ("IOC_TIMEZONE", "Asia/Bangkok", "timezone", "Asia/Bangkok"),
        ("IOC_SECRET_KEY", "s" * 40, "secret_key", "s" * 40),
        ("IOC_ENV", "test", "env", Environment.TEST),
        ("IOC_AREA_INDEX_CHECK_SECONDS", "0.5", "area_index_check_seconds", 0.5),
        ("IOC_MEDIA_DIR", "/srv/ioc/media", "media_dir", Path("/srv/ioc/media")),
        (
            "IOC_HOLIDAYS_FILE",
            "/srv/ioc/holidays.toml",
            "holidays_file",
            Path("/srv/ioc/holidays.toml"),
        ),
    ],
)
def test_settings_are_read_from_ioc_environment_variables(
    monkeypatch, variable, value, attribute, expected
):
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(), attribute) == expected


def test_empty_redis_url_means_no_message_queue(monkeypatch):
    monkeypatch.setenv("IOC_REDIS_URL", "")
    assert load_settings().redis_url is None


def test_the_socketio_channel_defaults_to_ioc():
    assert load_settings().redis_channel == "ioc"


def test_the_app_and_its_message_queue_use_the_configured_channel(monkeypatch):
    monkeypatch.setenv("IOC_REDIS_URL", "redis://127.0.0.1:1/0")  # nothing connects at start-up
    monkeypatch.setenv("IOC_REDIS_CHANNEL", "ioc-hue")

    app = create_app()

    assert app.extensions["socketio"].server.manager.channel == "ioc-hue"


def test_holidays_file_defaults_to_the_shipped_one(monkeypatch):
    assert load_settings().holidays_file is None
    monkeypatch.setenv("IOC_HOLIDAYS_FILE", "")
    assert load_settings().holidays_file is None


def test_create_app_uses_the_configured_holidays_file(production, monkeypatch, tmp_path):
    path = tmp_path / "holidays.toml"
    path.write_text('[[holiday]]\ndate = 2031-01-01\nname = "Tết Dương lịch"\n', encoding="utf-8")
    monkeypatch.setenv("IOC_HOLIDAYS_FILE", str(path))

    app = create_app()

    assert app.extensions["ioc"].intake.policy.calendar.holidays == {date(2031, 1, 1)}


def test_create_app_uses_the_shipped_holidays_by_default(production):
    app = create_app()

    assert date(2026, 9, 2) in app.extensions["ioc"].intake.policy.calendar.holidays


def test_create_app_refuses_a_missing_holidays_file(production, monkeypatch, tmp_path):
    monkeypatch.setenv("IOC_HOLIDAYS_FILE", str(tmp_path / "missing.toml"))

    with pytest.raises(ConfigurationError, match="IOC_HOLIDAYS_FILE: cannot read"):
        create_app()


def test_create_app_refuses_a_malformed_holidays_file_naming_the_entry(
    production, monkeypatch, tmp_path
):
    path = tmp_path / "holidays.toml"
    path.write_text('[[holiday]]\ndate = "2026-01-01"\nname = "Tết"\n', encoding="utf-8")
    monkeypatch.setenv("IOC_HOLIDAYS_FILE", str(path))

    with pytest.raises(ConfigurationError, match=r"IOC_HOLIDAYS_FILE: .*holiday #1 \('Tết'"):
        create_app()


def _policy_file(tmp_path: Path, replace: tuple[str, str] | None = None) -> Path:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "sla_policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_create_app_uses_the_shipped_sla_policy_by_default(production):
    policy = create_app().extensions["ioc"].policy

    assert policy.rules.reopen.max_count == 1
    assert policy.calendar.week[5] == ()  # Saturdays off


def test_create_app_uses_the_configured_sla_policy(production, monkeypatch, tmp_path):
    path = _policy_file(tmp_path, ("[reopen]\nmax_count = 1", "[reopen]\nmax_count = 3"))
    monkeypatch.setenv("IOC_SLA_POLICY_FILE", str(path))

    assert create_app().extensions["ioc"].policy.rules.reopen.max_count == 3


def test_create_app_refuses_a_missing_sla_policy(production, monkeypatch, tmp_path):
    monkeypatch.setenv("IOC_SLA_POLICY_FILE", str(tmp_path / "missing.toml"))

    with pytest.raises(ConfigurationError, match="IOC_SLA_POLICY_FILE: cannot read"):
        create_app()


@pytest.mark.parametrize(
    ("replace", "named"),
    [
        (("friday = [", "fridy = ["), r"office_hours\.fridy: Extra inputs"),
        (('"13:30-17:00"]\nfriday', '"13:30-12:00"]\nfriday'), r"thursday.*closes before"),
        (("urgent_hours = 2\n", "urgent_hours = -2\n"), r"receipt\.urgent_hours"),
        (
            ('approver_roles = ["ioc_supervisor", "admin"]', 'approver_roles = ["agency_manager"]'),
            r"extensions\.approver_roles.*only IOC roles",
        ),
        (("complex_working_hours = 80", "complex_working_hours = 10"), r"complex_working_hours"),
        (("[pauses]\nmax_working_hours = 40\n", ""), r"pauses: Field required"),
    ],
)
def test_create_app_refuses_a_malformed_sla_policy_naming_the_key(
    production, monkeypatch, tmp_path, replace, named
):
    monkeypatch.setenv("IOC_SLA_POLICY_FILE", str(_policy_file(tmp_path, replace)))

    with pytest.raises(ConfigurationError, match=r"IOC_SLA_POLICY_FILE: invalid SLA policy") as e:
        create_app()
    assert re.search(named, str(e.value), re.S), str(e.value)


def test_production_starts_with_postgresql_and_a_long_secret(production):
    settings = load_settings()
    assert settings.env is Environment.PRODUCTION
    assert not settings.is_sqlite


def test_create_app_starts_in_production_with_good_settings(production):
    app = create_app()
    assert app.config["SECRET_KEY"] == GOOD_PRODUCTION["IOC_SECRET_KEY"]


def test_production_refuses_the_default_secret_key(production, monkeypatch):
    monkeypatch.setenv("IOC_SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(ConfigurationError, match="IOC_SECRET_KEY"):
        load_settings()


def test_production_refuses_a_short_secret_key(production, monkeypatch):
    monkeypatch.setenv("IOC_SECRET_KEY", "x" * 31)
    with pytest.raises(ConfigurationError, match="IOC_SECRET_KEY"):
        load_settings()


def test_production_refuses_sqlite(production, monkeypatch):
    monkeypatch.setenv("IOC_DATABASE_URL", "sqlite:///var/ioc.sqlite3")
    with pytest.raises(ConfigurationError, match="IOC_DATABASE_URL points to SQLite"):
        load_settings()


def test_production_accepts_sqlite_when_explicitly_allowed(production, monkeypatch):
    monkeypatch.setenv("IOC_DATABASE_URL", "sqlite:///var/ioc.sqlite3")
    monkeypatch.setenv("IOC_ALLOW_SQLITE_IN_PRODUCTION", "1")
    assert load_settings().is_sqlite


def test_production_refuses_the_firebase_auth_emulator(production, monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(ConfigurationError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        load_settings()


def test_development_tolerates_the_firebase_auth_emulator(monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    assert load_settings().env is Environment.DEVELOPMENT


def test_e_mail_is_off_by_default_and_submits_with_starttls_when_on(monkeypatch):
    assert load_settings().smtp_host == ""
    monkeypatch.setenv("IOC_SMTP_HOST", "mail.danang.gov.vn")
    monkeypatch.setenv("IOC_SMTP_FROM", "IOC Đà Nẵng <ioc@danang.gov.vn>")
    settings = load_settings()
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)


def test_a_mail_server_without_a_sender_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("IOC_SMTP_HOST", "mail.danang.gov.vn")
    with pytest.raises(ConfigurationError, match="IOC_SMTP_FROM"):
        load_settings()


def test_production_refuses_a_mail_password_without_starttls(production, monkeypatch):
    for name, value in {
        "IOC_SMTP_HOST": "mail.danang.gov.vn",
        "IOC_SMTP_FROM": "ioc@danang.gov.vn",
        "IOC_SMTP_USERNAME": "ioc-notify",
        "IOC_SMTP_PASSWORD": "secret",
        "IOC_SMTP_STARTTLS": "false",
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match="IOC_SMTP_STARTTLS"):
        load_settings()


def test_production_lists_every_problem_at_once(monkeypatch):
    monkeypatch.setenv("IOC_ENV", "production")
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert "IOC_SECRET_KEY" in message
    assert "IOC_DATABASE_URL" in message
    assert "FIREBASE_AUTH_EMULATOR_HOST" in message


def test_create_app_refuses_unsafe_production_settings(production, monkeypatch):
    monkeypatch.setenv("IOC_SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(ConfigurationError, match="refusing to start in production"):
        create_app()


def test_overrides_are_checked_like_the_environment():
    with pytest.raises(ConfigurationError, match="IOC_SECRET_KEY"):
        load_settings({"env": "production", "database_url": GOOD_PRODUCTION["IOC_DATABASE_URL"]})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("IOC_TIMEZONE", "Asia/Saigon_Old_Town"),
        ("IOC_REDIS_URL", "http://cache:6379/0"),
        ("IOC_REDIS_CHANNEL", ""),
        ("IOC_ENV", "staging"),
        ("IOC_AREA_INDEX_CHECK_SECONDS", "-1"),
        ("IOC_OPEN311_SUBMIT_LIMIT", "sixty a minute"),
        ("IOC_OPEN311_SUBMIT_LIMIT", ""),
    ],
)
def test_malformed_value_is_a_configuration_error_naming_the_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=f"{variable}:"):
        load_settings()


def test_database_url_of_another_kind_is_refused(monkeypatch):
    monkeypatch.setenv("IOC_DATABASE_URL", "mysql://ioc@db/ioc")
    with pytest.raises(ConfigurationError, match="IOC_DATABASE_URL must be a sqlite"):
        load_settings()
