"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py ioc.wsgi:app``.

Under the gevent worker, gunicorn patches the standard library before this module is
imported; nothing here patches anything itself.
"""

import logging
import threading

from ioc.app import create_app
from ioc.db import unit_of_work
from ioc.events.outbox import on_events_committed
from ioc.extensions import Services
from ioc.heap import settle_after_start_up
from ioc.realtime import socketio
from ioc.realtime.publisher import start_publisher, wake_publishers
from ioc.realtime.wakeup import RedisWakeup
from ioc.telemetry.logs import configure_logging

log = logging.getLogger(__name__)

app = create_app()
configure_logging(fmt=app.extensions["ioc"].settings.log_format, level=logging.INFO)


def start_background_work() -> None:
    """Called by gunicorn in each worker once it runs (see gunicorn.conf.py)."""
    settle_after_start_up()
    services = app.extensions["ioc"]
    # In the background: a database that is down at start must not hold the process up.
    socketio.start_background_task(_warm_up, services)
    settings = services.settings
    wakeup = RedisWakeup(settings.redis_url, settings.redis_channel) if settings.redis_url else None
    if settings.publish_events:
        # This process's commits wake its own publisher; signalling the others as well would
        # only have every publisher contend for each round (docs/realtime.md, "Publishing").
        start_publisher(services.session_factory, socketio)
        if wakeup is not None:
            socketio.start_background_task(wakeup.listen, wake_publishers, threading.Event())
    elif wakeup is not None:
        # No publisher here: commits wake the publisher of whichever process publishes.
        on_events_committed(wakeup.signal)
        socketio.start_background_task(wakeup.send_signals, threading.Event())


def _warm_up(services: Services) -> None:
    """Open a pooled connection and build the area index and the catalogue copy as the
    process starts: otherwise its first filings wait for them (BENCHMARKS.md, "POST ►
    event")."""
    try:
        with unit_of_work(services.session_factory) as session:
            services.intake.warm_up(session)
    except Exception:  # the database may be down at start: the first requests load them
        log.warning("could not warm up before serving; the first requests will", exc_info=True)
