"""What ``ioc worker`` does, as plain functions: fan events out, deliver what is due, and run
periodic jobs (deadline sweeps, surge detection, counter folding, event pushing) until asked
to stop."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work, utcnow
from ioc.feedback.reads.counter_rows import fold_counter_changes
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.surges.detection import detect_surges
from ioc.integrations.deliveries import Senders, Sent, deliver_due
from ioc.integrations.fanout import FanOut, dispatch_events
from ioc.integrations.staff_notices import PUSH_ONLY, StaffChannels
from ioc.telemetry.metrics import job_ran

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    fanned_out: FanOut
    sent: Sent


def run_once(
    session_factory: sessionmaker[Session],
    senders: Senders,
    *,
    tz: ZoneInfo,
    max_attempts: int,
    batch_size: int = 10,
    now: Callable[[], datetime] = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
    staff: StaffChannels = PUSH_ONLY,
    push_max_age: timedelta | None = None,
) -> Round:
    """Fan out every undispatched event, then send every delivery that is due (pushes about
    events older than ``push_max_age`` are dropped as stale)."""
    events = pushes = hooks = emails = zalo = 0
    while True:
        with unit_of_work(session_factory) as session:
            fanned = dispatch_events(session, tz=tz, now=now(), staff=staff)
        events, pushes, hooks, emails, zalo = (
            events + fanned.events,
            pushes + fanned.pushes,
            hooks + fanned.webhooks,
            emails + fanned.emails,
            zalo + fanned.zalo,
        )
        if fanned.events == 0 or should_stop():
            break
    sent = deliver_due(
        session_factory,
        senders,
        max_attempts=max_attempts,
        batch_size=batch_size,
        now=now,
        should_stop=should_stop,
        push_max_age=push_max_age,
    )
    if events or sent.total:
        log.info(
            "outbox: %d event(s) fanned out to %d push, %d webhook, %d e-mail and %d Zalo "
            "deliveries; %d delivered, %d to retry, %d dead, %d stale",
            events,
            pushes,
            hooks,
            emails,
            zalo,
            sent.delivered,
            sent.retrying,
            sent.dead,
            sent.stale,
        )
    return Round(FanOut(events, pushes, hooks, emails, zalo), sent)


def sweep_once(session_factory: sessionmaker[Session], policy: SlaPolicy) -> None:
    """What time alone does to reports: deadline notices, escalations, pauses that ran out,
    unrated reports closed (one transaction)."""
    with unit_of_work(session_factory) as session:
        result = sweep_deadlines(session, policy)
    if not result.is_empty:
        log.info("deadline sweep: %s", result.describe())


def detect_surges_once(session_factory: sessionmaker[Session]) -> None:
    """Raise or extend surges of reports (one transaction); each records its own event."""
    with unit_of_work(session_factory) as session:
        surges = detect_surges(session)
    if surges:
        log.info("surge detection: %d surge(s) raised or extended", len(surges))


def fold_counters_once(session_factory: sessionmaker[Session]) -> int:
    """Add the committed filings' counter changes to the rollups (one transaction; nothing
    to do outside PostgreSQL): readers fold before they read anyway, this keeps the queue
    short."""
    with unit_of_work(session_factory) as session:
        folded = fold_counter_changes(session.connection())
    if folded:
        log.debug("counter folding: %d change(s) folded", folded)
    return folded


@dataclass(frozen=True)
class Job:
    """Something the worker does every ``every_seconds``."""

    name: str
    every_seconds: float
    run: Callable[[], object]


def run_until_stopped(jobs: list[Job], stop: threading.Event) -> None:
    """Run each job when it is due until ``stop`` is set; a failing job is logged and tried
    again at its next turn (a database restart must not end the worker)."""
    next_run = {job.name: 0.0 for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if stop.is_set():
                break
            if time.monotonic() < next_run[job.name]:
                continue
            try:
                job.run()
            except Exception:
                log.exception("%s failed; trying again in %.1f s", job.name, job.every_seconds)
                job_ran(job.name, ok=False)
            else:
                job_ran(job.name, ok=True)
            next_run[job.name] = time.monotonic() + job.every_seconds
        stop.wait(max(0.0, min(next_run.values()) - time.monotonic()))
    log.info("worker stopped")
