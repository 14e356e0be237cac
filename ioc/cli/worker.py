"""``ioc worker``: the background process of a deployment (deadline sweeps, event pushing)."""

from __future__ import annotations

import logging
import signal
import threading
import time

import click

from ioc.cli.common import configure_logging, require_schema, with_appcontext
from ioc.extensions import services

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--sweep-every", default=60.0, show_default=True, help="Seconds between SLA sweeps.")
@click.option(
    "--publish-every",
    default=0.2,
    show_default=True,
    help="Seconds between event pushes (needs IOC_REDIS_URL).",
)
@with_appcontext
def worker(sweep_every: float, publish_every: float) -> None:
    """Sweep deadlines and, with IOC_REDIS_URL, push committed events to every app process's
    screens. Stops cleanly on SIGTERM or Ctrl-C."""
    from flask_socketio import SocketIO

    from ioc.feedback.sla_sweep import sweep_deadlines
    from ioc.realtime.publisher import publish_pending

    require_schema()
    configure_logging(logging.INFO)
    settings = services().settings
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    # No app: a write-only Redis client that reaches the clients of every app process.
    emitter = SocketIO(message_queue=settings.redis_url) if settings.redis_url else None
    if emitter is None:
        log.info("no IOC_REDIS_URL: app processes push events themselves; sweeping only")
    next_sweep = 0.0
    while not stop.is_set():
        if time.monotonic() >= next_sweep:
            with services().unit_of_work() as session:
                result = sweep_deadlines(session, services().intake.calendar)
            if result.due_soon or result.overdue:
                log.info(
                    "deadline sweep: %d due soon, %d overdue",
                    len(result.due_soon),
                    len(result.overdue),
                )
            next_sweep = time.monotonic() + sweep_every
        if emitter is not None:
            publish_pending(services().session_factory, emitter)
        stop.wait(publish_every if emitter is not None else min(sweep_every, 1.0))
    log.info("worker stopped")
