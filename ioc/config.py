"""Settings from ``IOC_*`` environment variables, validated once at start-up."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-only-not-secret"  # refused by the production check


#: What the citizen page needs of the Firebase web configuration to register for web push.
_WEB_PUSH_KEYS = ("messagingSenderId", "appId", "vapidKey")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything a process needs to know about its surroundings.

    Defaults give the embedded mode (SQLite under ``./var``, in-process realtime), so a fresh
    clone runs with no configuration at all.
    """

    model_config = SettingsConfigDict(env_prefix="IOC_", extra="ignore", frozen=True)

    env: Environment = Environment.DEVELOPMENT
    database_url: str = ""
    redis_url: str | None = None
    # The Redis pub/sub channel of the Socket.IO message queue: the same for every app and worker
    # process of one deployment, different for deployments sharing a Redis server (channels are
    # shared by all of a server's databases).
    redis_channel: str = Field(default="ioc", min_length=1)
    # ``ioc live``, the asyncio Socket.IO server of a deployment (docs/realtime.md): where it
    # listens, and how often it pings each screen and how long it waits for the answer before
    # dropping a silent connection (the screen then reconnects and catches up).
    live_host: str = "127.0.0.1"
    live_port: int = Field(default=8001, ge=1, le=65535)
    live_ping_interval_seconds: float = Field(default=25.0, gt=0)
    live_ping_timeout_seconds: float = Field(default=20.0, gt=0)
    media_dir: Path = Path("var/media")
    secret_key: str = DEV_SECRET_KEY
    firebase_project_id: str = "ioc-demo"
    timezone: str = "Asia/Ho_Chi_Minh"
    allow_sqlite_in_production: bool = False
    # How often a process re-reads the area revision stamp to notice a boundary import done by
    # another process; 0 checks on every lookup.
    area_index_check_seconds: float = Field(default=2.0, ge=0)
    var_dir: Path = Path("var")
    rate_limits_enabled: bool = True
    # Open311 report submissions per integrating system (API key), in Flask-Limiter's notation:
    # a provincial platform forwarding a hotline's calls may need more than a single citizen.
    open311_submit_limit: str = "60 per minute;2000 per hour"
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Port (1 behind the
    # shipped nginx). 0 ignores those headers, so a client cannot choose its own address.
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    # Whether the viewer role (leadership reading the operations consoles) is shown who filed a
    # report; IOC staff always are, agencies never.
    viewers_see_reporters: bool = False
    # The licence the public portal's open data (published results as CSV and GeoJSON) is
    # released under, named in every download, and where its text is.
    open_data_licence: str = Field(default="CC BY 4.0", min_length=1, max_length=200)
    open_data_licence_url: str = Field(
        default="https://creativecommons.org/licenses/by/4.0/", max_length=500
    )
    # Whether app processes push committed events to screens themselves; turn off where a
    # separate process does it for all (through the Redis message queue).
    publish_events: bool = True
    # Public holidays and make-up working days for the SLA calendar; None is the shipped file.
    holidays_file: Path | None = None
    # The province's deadline policy (office hours, targets, caps); None is the shipped file.
    sla_policy_file: Path | None = None
    # A MapLibre style URL for deployments with a tile service; empty draws the offline base
    # (administrative boundaries served by this app).
    map_style_url: str = ""
    # The address people reach IOC at (e.g. https://ioc.tinh.gov.vn): set-password links start
    # with it. Empty: the console uses the address of the request, commands localhost:5000.
    public_url: str = ""
    # The Firebase web app's configuration (JSON: apiKey, projectId, and authDomain for the
    # citizen page's sign-in; messagingSenderId, appId and vapidKey for its web push). Without
    # authDomain citizens use the demo sign-in where that is allowed.
    firebase_web_config: str = ""
    # Development and tests only: a URL the citizen page asks for its push token instead of
    # Firebase (GET, answers {"token": ...}); production refuses it.
    web_push_token_source: str = ""
    # Push notifications about reports older than this are dropped unsent ("stale"), e.g. after
    # a worker outage: a citizen should not get yesterday's news as if it were new.
    push_max_age_seconds: int = Field(default=6 * 3600, ge=60)
    # A service-account JSON file of the province's Firebase project for sending push
    # notifications; None uses Application Default Credentials (the host's service account).
    firebase_credentials: Path | None = None
    # Where firebase-admin sends push messages instead of Google (a local stand-in speaking the
    # FCM v1 API, for development and tests); production refuses it.
    fcm_endpoint: str = ""
    # Tries before a push or webhook delivery is given up ("dead") for an operator to retry.
    delivery_max_attempts: int = Field(default=8, ge=1)
    # The mail server that carries notifications to staff; empty sends no e-mail at all.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # Signs in to the mail server when set (after STARTTLS when that is on).
    smtp_username: str = ""
    smtp_password: str = ""
    # The sender of staff e-mails, e.g. "IOC Đà Nẵng <ioc@tinh.gov.vn>"; needed with a host.
    smtp_from: str = Field(default="", validate_default=True)
    smtp_starttls: bool = True
    # The Zalo Official Account channel (docs/channels.md): the Zalo app that signs webhooks, the
    # OA citizens write to, the OA's secret key (the webhook signature) and its access token
    # (the OA message API). The channel is off, its webhook answering 404, while any is empty.
    zalo_app_id: str = ""
    zalo_oa_id: str = ""
    zalo_oa_secret_key: str = ""
    zalo_access_token: str = ""
    # The OA API base the replies are sent to (a local stand-in in development and tests).
    zalo_api_url: str = "https://openapi.zalo.me"
    # The mailbox citizens write to (e-mail channel), read over IMAP with TLS; empty: off.
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    # Handled messages move here when set (created if missing); they are flagged either way.
    imap_done_folder: str = ""
    # A CA certificate (PEM) to trust for the IMAP server instead of the system's store.
    imap_ca_file: str = ""
    imap_poll_seconds: float = Field(default=60.0, gt=0)
    # The category of e-mailed reports (operators reclassify in triage); needed with a host.
    imap_category: str = Field(default="", validate_default=True)
    # Log lines as text for people, or one JSON object per line for a log pipeline.
    log_format: Literal["text", "json"] = "text"
    # A bearer token that lets a scraper read /metrics from another host; empty: localhost only.
    metrics_token: str = ""
    # Overload protection (docs/operations.md, "Overload"). The longest one SQL statement of a
    # web request may run on PostgreSQL before it is cancelled and the request answered 503;
    # 0: no limit. Commands, `ioc worker` and migrations run without one.
    db_statement_timeout_ms: int = Field(default=10_000, ge=0)
    # Database connections each process keeps open, the extra ones it may open at a peak, and
    # how long a request waits for a free one before it is answered 503 (PostgreSQL only).
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout_ms: int = Field(default=2_000, ge=1)
    # A request that waited longer than this in front of the app (nginx's X-Request-Start,
    # believed only with IOC_TRUSTED_PROXIES) is refused with 503 without being processed;
    # 0: never.
    request_deadline_ms: int = Field(default=2_000, ge=0)
    # Requests one process works on at once; one more waits up to admission_wait_ms for a
    # place, then is refused with 503 (health checks, metrics and websockets are not
    # counted). 0: no limit. 8 keeps the p99 of what is accepted under 2 s at twice the
    # sustainable load on two cores (BENCHMARKS.md).
    max_in_flight: int = Field(default=8, ge=0)
    # How long a request that finds every place taken waits for one; 0: refused at once.
    admission_wait_ms: int = Field(default=500, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("open311_submit_limit")
    @classmethod
    def _readable_limit(cls, value: str) -> str:
        try:
            limits = parse_many(value)
        except ValueError as exc:
            raise ValueError(
                f"{value!r} is not a rate limit; write e.g. '60 per minute;2000 per hour'"
            ) from exc
        if not limits:
            raise ValueError("must name at least one limit, e.g. '60 per minute'")
        return value

    @field_validator("holidays_file", "sla_policy_file", "firebase_credentials", mode="before")
    @classmethod
    def _unset_path(cls, value: object) -> object:
        # An empty IOC_HOLIDAYS_FILE means "the shipped file", not the current directory.
        return None if value == "" else value

    @field_validator("smtp_from")
    @classmethod
    def _sender_with_a_host(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("smtp_host") and not value.strip():
            raise ValueError("must name the sender of e-mails when IOC_SMTP_HOST is set")
        return value

    @field_validator("imap_category")
    @classmethod
    def _category_with_a_mailbox(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("imap_host") and not value.strip():
            raise ValueError("must name the category of e-mailed reports when IOC_IMAP_HOST is set")
        return value

    @field_validator("firebase_web_config")
    @classmethod
    def _firebase_web_object(cls, value: str) -> str:
        if not value.strip():
            return ""
        try:
            parsed = json.loads(value)
        except ValueError as exc:
            raise ValueError("must be the Firebase web app's configuration as JSON") from exc
        missing = [
            k for k in ("apiKey", "projectId") if not isinstance(parsed, dict) or not parsed.get(k)
        ]
        if not missing and any(parsed.get(k) for k in _WEB_PUSH_KEYS):
            # Web push needs every one of them: say which is missing now, not in a browser.
            missing = [k for k in _WEB_PUSH_KEYS if not parsed.get(k)]
        if missing:
            raise ValueError(f"the JSON object lacks {', '.join(missing)}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{self.var_dir / 'ioc.sqlite3'}")
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ValueError("IOC_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def zalo_enabled(self) -> bool:
        """Whether the Zalo OA channel is configured (all four of its credentials are set)."""
        return all(
            value.strip()
            for value in (
                self.zalo_app_id,
                self.zalo_oa_id,
                self.zalo_oa_secret_key,
                self.zalo_access_token,
            )
        )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def firebase_web(self) -> dict[str, str] | None:
        """The Firebase web app's configuration, or None when the citizen page has none."""
        return json.loads(self.firebase_web_config) if self.firebase_web_config else None

    @property
    def firebase_sign_in(self) -> dict[str, str] | None:
        """The configuration the citizen page signs in with (it needs ``authDomain``)."""
        web = self.firebase_web
        return web if web and web.get("authDomain") else None

    @property
    def firebase_messaging(self) -> dict[str, str] | None:
        """The configuration the citizen page registers for web push with, or None."""
        web = self.firebase_web
        return web if web and all(web.get(k) for k in _WEB_PUSH_KEYS) else None

    def production_problems(self) -> list[str]:
        """Dev-only settings that must never reach a production process."""
        problems: list[str] = []
        if self.env is not Environment.PRODUCTION:
            return problems
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("IOC_SECRET_KEY must be set to a random value of 32+ characters")
        if self.is_sqlite and not self.allow_sqlite_in_production:
            problems.append(
                "IOC_DATABASE_URL points to SQLite; use PostgreSQL+PostGIS "
                "(or set IOC_ALLOW_SQLITE_IN_PRODUCTION=1 for a single small commune)"
            )
        if os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"):
            problems.append(
                "FIREBASE_AUTH_EMULATOR_HOST is set: it makes firebase-admin accept unsigned tokens"
            )
        if self.fcm_endpoint:
            problems.append(
                "IOC_FCM_ENDPOINT is set: push notifications would go to a stand-in, not to FCM"
            )
        if self.web_push_token_source:
            problems.append(
                "IOC_WEB_PUSH_TOKEN_SOURCE is set: citizens' pages would take push tokens from a "
                "stand-in, not from Firebase"
            )
        if self.smtp_host and self.smtp_username and not self.smtp_starttls:
            problems.append(
                "IOC_SMTP_USERNAME is set with IOC_SMTP_STARTTLS off: the mail password would "
                "cross the network in the clear"
            )
        return problems


class ConfigurationError(RuntimeError):
    """The process was started with settings it must not run with."""


def load_settings(overrides: dict[str, object] | None = None) -> Settings:
    """Read the environment (plus ``overrides``) and refuse unsafe production settings.

    Raises:
        ConfigurationError: a value is malformed, or production runs with dev-only settings.
    """
    from pydantic import ValidationError

    try:
        settings = Settings.model_validate(overrides or {})
    except ValidationError as exc:
        lines = [
            f"IOC_{'_'.join(str(p) for p in err['loc']).upper() or 'SETTINGS'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ConfigurationError("invalid configuration:\n  " + "\n  ".join(lines)) from exc
    problems = settings.production_problems()
    if problems:
        raise ConfigurationError("refusing to start in production:\n  " + "\n  ".join(problems))
    return settings
