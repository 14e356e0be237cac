"""``ioc worker``: the background process of a deployment (deliveries to the outside, deadline
sweeps, surge detection, counter folding, event pushing)."""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from datetime import timedelta

import click

from ioc.cli.common import configure_logging, require_schema, site_url, with_appcontext
from ioc.extensions import services
from ioc.heap import settle_after_start_up

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--sweep-every", default=60.0, show_default=True, help="Seconds between SLA sweeps.")
@click.option(
    "--surge-every", default=60.0, show_default=True, help="Seconds between surge detections."
)
@click.option(
    "--deliver-every",
    default=1.0,
    show_default=True,
    help="Seconds between rounds of push, webhook and e-mail deliveries.",
)
@click.option(
    "--fold-every",
    default=1.0,
    show_default=True,
    help="Seconds between foldings of the committed filings' counter changes into the "
    "rollups (PostgreSQL; readers fold before they read).",
)
@click.option(
    "--publish-every",
    default=2.0,
    show_default=True,
    help="Seconds between safety-net event pushes (needs IOC_REDIS_URL); commits wake the "
    "publisher at once.",
)
@click.option(
    "--metrics-address",
    default="",
    envvar="IOC_WORKER_METRICS_ADDRESS",
    help="HOST:PORT to serve this worker's Prometheus metrics on (job runs); empty: none.",
)
@with_appcontext
def worker(
    sweep_every: float,
    surge_every: float,
    deliver_every: float,
    fold_every: float,
    publish_every: float,
    metrics_address: str,
) -> None:
    """Deliver push notifications, webhooks, (with IOC_SMTP_HOST) e-mails and (with the
    IOC_ZALO_* settings) Zalo OA messages from the outbox, sweep deadlines, detect surges, with
    IOC_IMAP_HOST file the reports citizens e-mail and,
    with IOC_REDIS_URL, push committed events to every app process's screens.

    Several workers may run at once on PostgreSQL. Stops cleanly on SIGTERM or Ctrl-C, after
    the delivery in progress.
    """
    from flask_socketio import SocketIO

    from ioc.events.outbox import on_events_committed
    from ioc.integrations.deliveries import Senders
    from ioc.integrations.mail import smtp_sender
    from ioc.integrations.mailbox import mailbox_settings, poll_mailbox
    from ioc.integrations.push import firebase_sender
    from ioc.integrations.staff_notices import StaffChannels
    from ioc.integrations.webhooks import HttpWebhookSender
    from ioc.integrations.worker import (
        Job,
        detect_surges_once,
        fold_counters_once,
        run_once,
        run_until_stopped,
        sweep_once,
    )
    from ioc.integrations.zalo.oa import zalo_sender
    from ioc.realtime.publisher import Publisher, run_publisher
    from ioc.realtime.queue import reliable_manager
    from ioc.realtime.wakeup import RedisWakeup

    require_schema()
    configure_logging(logging.INFO)
    if metrics_address:
        _serve_metrics(metrics_address)
    app_services = services()
    settings = app_services.settings
    factory = app_services.session_factory
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    senders = Senders(
        push=firebase_sender(settings),
        webhooks=HttpWebhookSender(),
        email=smtp_sender(settings),
        zalo=zalo_sender(settings),
    )
    staff = StaffChannels(email=senders.email is not None, site_url=site_url())
    jobs = [
        Job(
            "deliveries",
            deliver_every,
            functools.partial(
                run_once,
                factory,
                senders,
                tz=settings.tz,
                max_attempts=settings.delivery_max_attempts,
                should_stop=stop.is_set,
                staff=staff,
                push_max_age=timedelta(seconds=settings.push_max_age_seconds),
            ),
        ),
        Job("deadline sweep", sweep_every, lambda: sweep_once(factory, app_services.policy)),
        Job("surge detection", surge_every, lambda: detect_surges_once(factory)),
        Job("counter folding", fold_every, lambda: fold_counters_once(factory)),
    ]
    mailbox = mailbox_settings(settings)
    if mailbox is not None:
        jobs.append(
            Job(
                "mailbox",
                settings.imap_poll_seconds,
                lambda: poll_mailbox(factory, app_services.media, app_services.intake, mailbox),
            )
        )
    if settings.redis_url:
        # No app: a write-only Redis client that reaches the clients of every app process.
        # Its publishes report failure, so an event stays unpublished until Redis takes it.
        emitter = SocketIO()
        emitter.init_app(
            None,  # type: ignore[arg-type]  # no app: a write-only emitter, as Flask-SocketIO allows
            client_manager=reliable_manager(
                settings.redis_url, settings.redis_channel, write_only=True
            ),
        )
        # The worker's commits wake its own publisher (as an app process's do), and app
        # processes that do not publish wake it through Redis.
        wake = threading.Event()
        on_events_committed(wake.set)
        wakeup = RedisWakeup(settings.redis_url, settings.redis_channel)
        publisher = Publisher(factory, emitter)
        threading.Thread(
            target=run_publisher,
            args=(publisher, stop, wake),
            kwargs={"poll_seconds": publish_every},
            name="event publisher",
            daemon=True,
        ).start()
        threading.Thread(
            target=wakeup.listen, args=(wake.set, stop), name="publisher wake-up", daemon=True
        ).start()
    else:
        log.info("no IOC_REDIS_URL: app processes push events to screens themselves")
    settle_after_start_up()
    # The publisher thread shares the interpreter with the delivery rounds: a round that
    # computes for a while would otherwise hold it 5 ms at a time between each of the
    # publisher's database answers, and screens would see events tens of milliseconds late.
    sys.setswitchinterval(0.001)
    run_until_stopped(jobs, stop)


def _serve_metrics(address: str) -> None:
    from prometheus_client import start_http_server

    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise click.BadParameter("expected HOST:PORT", param_hint="--metrics-address")
    start_http_server(int(port), addr=host or "127.0.0.1")
    log.info("worker metrics on http://%s:%s/metrics", host or "127.0.0.1", port)
