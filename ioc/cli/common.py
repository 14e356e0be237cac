"""What every ``ioc`` command shares: the app context, error display, dates, schema checks."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask

from ioc.config import ConfigurationError
from ioc.errors import IocError
from ioc.extensions import services


def _create_app() -> Flask:
    from ioc.app import create_app

    try:
        return create_app()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc


def with_appcontext(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside an app context, building the app on first use."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        root = ctx.find_root()
        if root.obj is None:
            app = root.obj = _create_app()
            # Return the pooled connections when the command ends, not at interpreter exit:
            # commands also run inside other programs (tests, the demo script).
            root.call_on_close(lambda: app.extensions["ioc"].engine.dispose())
        with root.obj.app_context():
            return command(*args, **kwargs)

    return wrapper


class IocCommandError(click.ClickException):
    """An IocError shown as a one-line command error, with the fields it names."""

    def __init__(self, error: IocError) -> None:
        fields = error.details.get("fields") if isinstance(error.details, dict) else None
        extra = "; ".join(f"{k}: {v}" for k, v in fields.items()) if fields else ""
        super().__init__(f"{error.message} ({extra})" if extra else error.message)


def parse_moment(value: str | None, option: str) -> datetime | None:
    """A date or ISO datetime; dates mean midnight in the configured time zone."""
    if value is None:
        return None
    tz = services().settings.tz
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or datetime", param_hint=option
        ) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def require_schema() -> None:
    """Stop with advice, not a traceback, when the database is not migrated."""
    from sqlalchemy.exc import SQLAlchemyError

    from ioc.migrate import head_revision

    prepare_sqlite_folder()
    try:
        schema = current_schema()
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc  # the driver's own words when it has them
        raise click.ClickException(f"cannot reach the database: {reason}") from exc
    if schema != head_revision():
        raise click.ClickException(
            f"the database is at schema {schema or 'none'}, not {head_revision()}: "
            "run `ioc db upgrade` first"
        )


def current_schema() -> str | None:
    from ioc.migrate import current_revision

    return current_revision(services().engine)


def prepare_sqlite_folder() -> None:
    url = services().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def configure_logging(level: int) -> None:
    """Log as IOC_LOG_FORMAT says (text unless the settings say json)."""
    from ioc.config import load_settings
    from ioc.telemetry.logs import configure_logging as configure

    try:
        fmt = load_settings().log_format
    except ConfigurationError:
        fmt = "text"  # the command itself reports the bad settings
    configure(fmt=fmt, level=level)


#: Where links printed by commands point when IOC_PUBLIC_URL is not set.
DEFAULT_PUBLIC_URL = "http://localhost:5000"


def site_url() -> str:
    """IOC_PUBLIC_URL, or the address ``ioc serve`` listens on by default."""
    from ioc.extensions import services

    return (services().settings.public_url or DEFAULT_PUBLIC_URL).rstrip("/")
