"""``ioc serve`` and ``ioc demo``: run the app in one process."""

from __future__ import annotations

import logging
import os

import click
from flask import Flask

from ioc.cli.common import (
    configure_logging,
    prepare_sqlite_folder,
    with_appcontext,
)
from ioc.cli.database import seed_demo_data
from ioc.extensions import services


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Run the app on the configured database (one process; use gunicorn in production)."""
    from flask import current_app

    # current_app is declared as a Flask, not as the proxy it is
    _run_server(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


def _run_server(app: Flask, host: str, port: int) -> None:
    from ioc.realtime import socketio
    from ioc.realtime.publisher import start_publisher

    start_publisher(app.extensions["ioc"].session_factory, socketio)
    configure_logging(logging.INFO)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


@click.command("demo")
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

    from ioc.demo.simulator import start_deadline_sweeper, start_simulator
    from ioc.migrate import upgrade

    prepare_sqlite_folder()
    upgrade(services().engine)
    result = seed_demo_data()
    # The demo has no Firebase project: citizens sign in with unsigned emulator tokens, which
    # firebase-admin accepts only while this variable is set (production refuses to start
    # with it). Nothing needs to listen on that address.
    os.environ.setdefault("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    base = f"http://{host}:{port}"
    click.echo("IOC demo – Tỉnh Hải Minh (dữ liệu mô phỏng)")
    click.echo(f"  database      {services().engine.url.render_as_string()}")
    click.echo(f"  home          {base}/")
    click.echo(f"  wall map      {base}/ops  (triage: {base}/ops/triage)")
    click.echo(f"  agency        {base}/agency")
    click.echo(f"  citizen page  {base}/report")
    click.echo(f"  public portal {base}/public")
    click.echo(f"  health        {base}/healthz")
    click.echo(f"  API docs      {base}/api/docs  (OpenAPI: {base}/openapi.json)")
    click.echo(f"  mobile API    {base}/api/mobile/v1  (token: ioc dev token <uid>, see docs/)")
    click.echo("  staff accounts (username / password / role):")
    for account in result.accounts:
        agency = f" @ {account.agency_code}" if account.agency_code else ""
        click.echo(f"    {account.username:<16} {account.password:<18} {account.role}{agency}")
    start_deadline_sweeper(services())
    if simulate:
        start_simulator(services(), every_seconds=every)
        click.echo(f"  simulator     a new report every {every:g} s (--no-simulate to stop it)")
    # current_app is declared as a Flask, not as the proxy it is
    _run_server(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]
