"""The Prometheus metrics every process records into (see docs/operations.md).

Under gunicorn several processes serve one deployment: with ``PROMETHEUS_MULTIPROC_DIR`` set
before the process starts, prometheus-client keeps each process's values in files in that
folder and ``/metrics`` adds them up (gunicorn.conf.py removes a dead process's live gauges).
Values read from the database (outbox lag, deliveries) are not recorded here: ``/metrics``
reads them when it is scraped, so every process answers the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

REQUEST_SECONDS = Histogram(
    "ioc_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (the URL rule), method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
)
REPORTS_FILED = Counter(
    "ioc_reports_filed_total",
    "Reports filed (committed), by the channel they came through.",
    ["channel"],
)
WEBSOCKET_CONNECTIONS = Gauge(
    "ioc_websocket_connections",
    "Screens connected over Socket.IO, by namespace.",
    ["namespace"],
    multiprocess_mode="livesum",
)
JOB_RUNS = Counter(
    "ioc_worker_job_runs_total",
    "Runs of the worker's periodic jobs (deadline sweep, surge detection, deliveries…), "
    "by job and outcome (ok or failed).",
    ["job", "outcome"],
)
JOB_LAST_SUCCESS = Gauge(
    "ioc_worker_job_last_success_timestamp_seconds",
    "When each worker job last ran without an error (Unix time).",
    ["job"],
    multiprocess_mode="max",
)

UNAVAILABLE = Counter(
    "ioc_http_unavailable_total",
    "Requests answered 503 and not processed, by reason: deadline_exceeded (waited too long "
    "in front of the app), overloaded (too many requests in flight), database_unavailable, "
    "database_busy (no free connection in time), statement_timeout.",
    ["reason"],
)

#: The label of requests that matched no route (404s, Socket.IO's own paths): raw paths
#: would give every scanner's probe its own series.
UNMATCHED_ROUTE = "<unmatched>"

_PENDING = "ioc_after_commit"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's transaction commits; never if it rolls back.

    For counters of things that happened: a report counted before its commit failed would
    never have been filed.
    """
    session.info.setdefault(_PENDING, []).append(action)


def job_ran(job: str, *, ok: bool, now: Callable[[], float] = time.time) -> None:
    JOB_RUNS.labels(job=job, outcome="ok" if ok else "failed").inc()
    if ok:
        JOB_LAST_SUCCESS.labels(job=job).set(now())


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_PENDING, []):
        action()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
