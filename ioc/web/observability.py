"""Every request gets an id (echoed in ``X-Request-Id``, carried by its logs and outbox rows)
and its latency recorded by route; ``/metrics`` serves the Prometheus metrics."""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import Settings
from ioc.db import utcnow
from ioc.errors import Forbidden
from ioc.extensions import services
from ioc.integrations.backlog import outbox_backlog
from ioc.telemetry.context import (
    bind_request_id,
    new_request_id,
    sane_request_id,
    unbind_request_id,
)
from ioc.telemetry.metrics import REQUEST_SECONDS, UNMATCHED_ROUTE, status_class

REQUEST_ID_HEADER = "X-Request-Id"

bp = Blueprint("observability", __name__)


def init_app(app: Flask, settings: Settings) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
    g.request_id = request_id
    g.request_id_token = bind_request_id(request_id)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    if started is not None:
        rule = request.url_rule
        REQUEST_SECONDS.labels(
            route=rule.rule if rule is not None else UNMATCHED_ROUTE,
            method=request.method,
            status=status_class(response.status_code),
        ).observe(time.perf_counter() - started)
    return response


def _forget(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        unbind_request_id(token)


@bp.get("/metrics")
def metrics() -> Response:
    if not _may_scrape(services().settings.metrics_token):
        raise Forbidden(
            "Chỉ phục vụ số liệu giám sát cho máy chủ nội bộ hoặc khi có mã IOC_METRICS_TOKEN "
            "/ metrics are served to localhost or with the IOC_METRICS_TOKEN bearer token"
        )
    return Response(_exposition(services().session_factory), content_type=CONTENT_TYPE_LATEST)


def _may_scrape(token: str) -> bool:
    """A scraper on this host talking to the app directly, or one holding the token.

    Behind the shipped nginx every request comes from localhost: a request that was forwarded
    (it carries X-Forwarded-For) is never taken for a local one.
    """
    if token:
        supplied = request.headers.get("Authorization", "")
        if hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
            return True
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    peer = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    peer = peer or request.environ.get("REMOTE_ADDR") or ""
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def _exposition(session_factory: sessionmaker[Session]) -> bytes:
    backlog_registry = CollectorRegistry()
    backlog_registry.register(_BacklogCollector(session_factory))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every gunicorn process's values, added up from the shared folder.
        recorded = CollectorRegistry()
        multiprocess.MultiProcessCollector(recorded)  # type: ignore[no-untyped-call]
    else:
        recorded = REGISTRY
    return generate_latest(recorded) + generate_latest(backlog_registry)


class _BacklogCollector(Collector):
    """Outbox lag and delivery counts, read from the database at scrape time."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "ioc_database_up", "Whether /metrics could read the outbox from the database."
        )
        try:
            with self._session_factory() as session:
                backlog = outbox_backlog(session, now=utcnow())
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        lag = GaugeMetricFamily(
            "ioc_outbox_lag_seconds",
            "Age of the oldest event not yet passed on: to screens (publish) or to the worker's "
            "deliveries (dispatch).",
            labels=["stage"],
        )
        lag.add_metric(["publish"], backlog.publish_lag_seconds)
        lag.add_metric(["dispatch"], backlog.dispatch_lag_seconds)
        yield lag
        deliveries = GaugeMetricFamily(
            "ioc_deliveries",
            "Deliveries (push, webhook, e-mail) waiting to be sent (pending) or given up (dead).",
            labels=["status"],
        )
        deliveries.add_metric(["pending"], backlog.pending_deliveries)
        deliveries.add_metric(["dead"], backlog.dead_deliveries)
        yield deliveries
