"""The ``ioc`` command line: database, areas, demo data, servers and development helpers."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask

from ioc.config import ConfigurationError, Environment
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
            root.obj = _create_app()
        with root.obj.app_context():
            return command(*args, **kwargs)

    return wrapper


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress (servers always do).")
def main(verbose: bool) -> None:
    """IOC – Trung tâm điều hành đô thị thông minh (smart-city operations centre).

    Configured by IOC_* environment variables; see the README.
    """
    _configure_logging(logging.INFO if verbose else logging.WARNING)


def _configure_logging(level: int) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("ioc").setLevel(level)


class _IocCommandError(click.ClickException):
    def __init__(self, error: IocError) -> None:
        super().__init__(error.message)


def _parse_moment(value: str | None, option: str) -> datetime | None:
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


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --- database -----------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from ioc.migrate import upgrade

    _prepare_sqlite_folder()
    upgrade(services().engine)
    click.echo(f"database at schema {_schema()}")


def _schema() -> str | None:
    from ioc.migrate import current_revision

    return current_revision(services().engine)


def _prepare_sqlite_folder() -> None:
    url = services().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


# --- areas --------------------------------------------------------------------------------


@main.group()
def areas() -> None:
    """Administrative areas: import boundaries, export them, locate a point."""


@areas.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--level", required=True, help="Level of these areas, e.g. province, commune.")
@click.option("--code-prop", required=True, help="Feature property holding the area code.")
@click.option("--name-prop", required=True, help="Feature property holding the Vietnamese name.")
@click.option("--name-en-prop", help="Feature property holding the English name.")
@click.option("--parent-code-prop", help="Feature property holding the parent's code.")
@click.option("--parent-code", help="One parent code for every feature in the file.")
@click.option(
    "--valid-from", help="Date (or ISO datetime) the boundaries take effect; default now."
)
@click.option(
    "--close-missing",
    is_flag=True,
    help="Close current areas of this level (under the same parents) that the file omits.",
)
@with_appcontext
def areas_import(
    file: Path, valid_from: str | None, close_missing: bool, **props: str | None
) -> None:
    """Import a GeoJSON FeatureCollection of Polygon/MultiPolygon boundaries.

    Unchanged areas are left alone; changed ones get a new version from --valid-from.
    Nothing is written if any feature is bad.
    """
    from ioc.geo.boundaries import PropertyMapping, parse_areas, read_geojson
    from ioc.geo.importer import import_areas

    if props["parent_code_prop"] and props["parent_code"]:
        raise click.UsageError("give --parent-code-prop or --parent-code, not both")
    mapping = PropertyMapping(**props)  # type: ignore[arg-type]
    starts = _parse_moment(valid_from, "--valid-from")
    try:
        parsed = parse_areas(read_geojson(file), mapping, source=str(file))
        with services().unit_of_work() as session:
            summary = import_areas(
                session,
                parsed,
                source=str(file),
                valid_from=starts,
                close_missing=close_missing,
            )
    except IocError as exc:
        raise _IocCommandError(exc) from exc
    click.echo(
        f"{file}: {len(summary.created)} created, {len(summary.replaced)} replaced by a new "
        f"version, {len(summary.unchanged)} unchanged"
        + (f", {len(summary.closed)} closed" if close_missing else "")
    )
    if summary.repaired:
        click.echo(f"repaired invalid rings in: {', '.join(summary.repaired)}")


@areas.command("close")
@click.option("--level", required=True, help="Level of the areas to close, e.g. district.")
@click.option("--within", help="Only areas under this area code.")
@click.option("--valid-from", help="Date (or ISO datetime) they cease to exist; default now.")
@with_appcontext
def areas_close(level: str, within: str | None, valid_from: str | None) -> None:
    """Close every current area of a level, e.g. the districts a reform abolished."""
    from ioc.geo.importer import close_areas

    ends = _parse_moment(valid_from, "--valid-from")
    try:
        with services().unit_of_work() as session:
            closed = close_areas(session, level=level, within=within, at=ends)
    except IocError as exc:
        raise _IocCommandError(exc) from exc
    click.echo(f"{len(closed)} areas closed" + (f": {', '.join(closed)}" if closed else ""))


@areas.command("export")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--at", "at", help="Export the areas valid at this date; default now.")
@with_appcontext
def areas_export(file: Path | None, at: str | None) -> None:
    """Write the areas as GeoJSON to FILE (standard output by default)."""
    from ioc.geo.service import export_areas

    with services().unit_of_work() as session:
        collection = export_areas(session, at=_parse_moment(at, "--at"))
    text = json.dumps(collection, ensure_ascii=False)
    if file is None:
        sys.stdout.write(text + "\n")
    else:
        file.write_text(text + "\n", encoding="utf-8")
        click.echo(f"{len(collection['features'])} areas written to {file}", err=True)


@areas.command("locate")
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@click.option("--at", "at", help="Answer for the boundaries valid at this date; default now.")
@with_appcontext
def areas_locate(lon: float, lat: float, at: str | None) -> None:
    """Print the chain of areas (leaf first) holding the point LON LAT, as JSON."""
    try:
        with services().unit_of_work() as session:
            chain = services().locator.locate(session, lon, lat, _parse_moment(at, "--at"))
    except IocError as exc:
        raise _IocCommandError(exc) from exc
    if chain is None:
        _echo_json(None)
        raise click.exceptions.Exit(1)
    _echo_json([area.to_dict() for area in chain])


# --- demo and servers ------------------------------------------------------------------------


@main.group()
def seed() -> None:
    """Load data sets."""


@seed.command("demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the generated demo province (areas, agencies, categories, rules, accounts)."""
    result = _seed_demo()
    if result.already_seeded:
        click.echo("the demo province is already loaded; nothing changed")
    else:
        click.echo(
            f"demo province loaded: {result.areas} areas, {result.agencies} agencies, "
            f"{result.categories} categories, {result.rules} routing rules"
        )


def _seed_demo() -> Any:
    from ioc.demo.seed import seed_demo

    with services().unit_of_work() as session:
        return seed_demo(session)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the app on the configured database (one process; use gunicorn in production)."""
    from flask import current_app

    _run_server(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


def _run_server(app: Flask, host: str, port: int) -> None:
    from ioc.realtime import socketio

    _configure_logging(logging.INFO)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--simulate/--no-simulate",
    default=True,
    show_default=True,
    help="Submit a realistic report every few seconds so the map moves.",
)
@click.option("--every", default=5.0, show_default=True, help="Seconds between simulated reports.")
@with_appcontext
def demo(host: str, port: int, simulate: bool, every: float) -> None:
    """Create the database, migrate, load the demo province and serve it."""
    from flask import current_app

    from ioc.demo.simulator import start_simulator
    from ioc.migrate import upgrade

    _prepare_sqlite_folder()
    upgrade(services().engine)
    result = _seed_demo()
    base = f"http://{host}:{port}"
    click.echo("IOC demo – Tỉnh Hải Minh (dữ liệu mô phỏng)")
    click.echo(f"  database      {services().engine.url.render_as_string()}")
    click.echo(f"  home          {base}/")
    click.echo(f"  health        {base}/healthz")
    click.echo("  staff accounts (username / password / role):")
    for account in result.accounts:
        agency = f" @ {account.agency_code}" if account.agency_code else ""
        click.echo(f"    {account.username:<16} {account.password:<18} {account.role}{agency}")
    if simulate:
        start_simulator(services(), every_seconds=every)
        click.echo(f"  simulator     a new report every {every:g} s (--no-simulate to stop it)")
    _run_server(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


# --- development -----------------------------------------------------------------------------


@main.group()
def dev() -> None:
    """Development helpers (refused in production)."""


@dev.command("token")
@click.argument("uid")
@click.option("--name", help='Display name claim, e.g. "Nguyễn Văn A".')
@click.option("--phone", help="Phone number claim, e.g. +84912345678.")
@click.option(
    "--hours",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="How long the token stays valid.",
)
@with_appcontext
def dev_token(uid: str, name: str | None, phone: str | None, hours: float) -> None:
    """Print a Firebase Auth emulator ID token for the citizen UID (IOC_FIREBASE_PROJECT_ID).

    The server accepts it only while run with FIREBASE_AUTH_EMULATOR_HOST set, which
    production refuses.
    """
    from ioc.identity import emulator_token

    settings = services().settings
    if settings.env is Environment.PRODUCTION:
        raise click.ClickException("dev tokens are refused when IOC_ENV=production")
    try:
        token = emulator_token(
            project_id=settings.firebase_project_id,
            uid=uid,
            name=name,
            phone=phone,
            lifetime_seconds=max(1, round(hours * 3600)),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(token)
    click.echo(
        "note: the server accepts this token only when run with FIREBASE_AUTH_EMULATOR_HOST set "
        "(any value, e.g. 127.0.0.1:9099; nothing needs to listen there)",
        err=True,
    )
