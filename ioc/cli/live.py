"""``ioc live``: serve the screens' Socket.IO connections from an asyncio process."""

from __future__ import annotations

import logging

import click

from ioc.cli.common import configure_logging, require_schema, with_appcontext
from ioc.extensions import services
from ioc.heap import settle_after_start_up


@click.command("live")
@click.option("--host", default=None, help="Address to listen on  [default: IOC_LIVE_HOST]")
@click.option("--port", default=None, type=int, help="Port  [default: IOC_LIVE_PORT]")
@with_appcontext
def live(host: str | None, port: int | None) -> None:
    """Serve Socket.IO (/ops, /agency, /citizen, /public) for the screens of a deployment,
    on the Redis queue (IOC_REDIS_URL) the worker publishes events to.

    Run one or more next to the app processes and route /socket.io/ to them (deploy/nginx.conf);
    see docs/realtime.md. Stops on SIGTERM or Ctrl-C.
    """
    from aiohttp import web

    from ioc.realtime.live import LiveSettings, live_server

    app_services = services()
    settings = app_services.settings
    if not settings.redis_url:
        raise click.ClickException(
            "ioc live needs IOC_REDIS_URL: it receives the events through Redis"
        )
    require_schema()
    configure_logging(logging.INFO)
    _server, application = live_server(
        app_services.session_factory,
        app_services.token_verifier,
        LiveSettings(
            redis_url=settings.redis_url,
            channel=settings.redis_channel,
            ping_interval_seconds=settings.live_ping_interval_seconds,
            ping_timeout_seconds=settings.live_ping_timeout_seconds,
            trusted_proxies=settings.trusted_proxies,
        ),
    )
    # Between two events every screen's writer waits on a fresh asyncio future, long enough to
    # outlast the young generations: without this a full collection held every delivery for
    # 80-200 ms every few seconds (1,000 screens, bench/fanout.py).
    settle_after_start_up()
    web.run_app(
        application,
        host=host or settings.live_host,
        port=port or settings.live_port,
        print=None,
        access_log=None,
        handle_signals=True,
        # Screens reconnect to another live process and catch up: no need to wait for them.
        shutdown_timeout=5.0,
    )
