"""The delivery loop: send what is due, retry with backoff, give up after N tries.

On PostgreSQL a batch of due deliveries is claimed with ``FOR UPDATE SKIP LOCKED`` and the
row locks are held while sending, until the outcomes commit: several workers never send the
same row at once, and a worker killed mid-batch loses nothing (its uncommitted claims are
simply due again). On SQLite, where a transaction holds the whole database, the batch is read,
sent outside any transaction and the outcomes written afterwards: one worker only.

At least once: a message may be sent again if the worker dies between sending it and
committing the outcome; one recorded as delivered is never sent again.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work, utcnow
from ioc.events.models import Event
from ioc.feedback.citizen_models import Device
from ioc.integrations import webhooks
from ioc.integrations.fanout import PUSH
from ioc.integrations.mail import EmailSender, MailMessage
from ioc.integrations.models import Delivery, DeliveryChannel, DeliveryStatus, WebhookSubscription
from ioc.integrations.outcome import Outcome
from ioc.integrations.push import PushMessage, PushSender
from ioc.integrations.webhooks import WebhookSender
from ioc.integrations.zalo.oa import ZaloSender
from ioc.telemetry.context import request_id_bound

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


def retry_delay(attempts: int, *, jitter: float) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min… up to an hour.

    ``jitter`` (0 to 1) spreads the retries of many deliveries that failed together over the
    second half of the interval, so a receiver coming back is not hit by all of them at once.
    """
    base = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)
    return timedelta(seconds=base * (0.5 + 0.5 * jitter))


@dataclass(frozen=True)
class Senders:
    push: PushSender | None
    webhooks: WebhookSender
    #: None while no mail server is configured (then no e-mail deliveries are written either).
    email: EmailSender | None = None
    #: None while the Zalo OA channel is not configured.
    zalo: ZaloSender | None = None


@dataclass
class Sent:
    delivered: int = 0
    retrying: int = 0
    dead: int = 0
    #: Pushes dropped unsent because their event was older than the push age limit.
    stale: int = 0

    def add(self, other: Sent) -> None:
        self.delivered += other.delivered
        self.retrying += other.retrying
        self.dead += other.dead
        self.stale += other.stale

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.dead + self.stale


@dataclass(frozen=True)
class _Job:
    """A claimed delivery with everything needed to send it, free of the session."""

    id: int
    channel: str
    payload: dict[str, Any]
    device_id: int | None
    token: str | None
    url: str | None
    secret: str | None
    #: The request that wrote the event, so the delivery's log lines can be matched with it.
    request_id: str | None = None
    #: When the event happened: a push older than the age limit is not sent.
    occurred_at: datetime | None = None


def deliver_due(
    session_factory: sessionmaker[Session],
    senders: Senders,
    *,
    max_attempts: int,
    batch_size: int = 10,
    now: Callable[[], datetime] = utcnow,
    should_stop: Callable[[], bool] = lambda: False,
    jitter: Callable[[], float] = random.random,
    push_max_age: timedelta | None = None,
) -> Sent:
    """Send due deliveries batch by batch until none is due or ``should_stop()``.

    Pushes about events older than ``push_max_age`` are not sent but marked stale.
    """
    total = Sent()
    while not should_stop():
        sent, claimed = _deliver_batch(
            session_factory,
            senders,
            max_attempts=max_attempts,
            batch_size=batch_size,
            now=now,
            should_stop=should_stop,
            jitter=jitter,
            push_max_age=push_max_age,
        )
        total.add(sent)
        if claimed < batch_size:
            break
    return total


def _deliver_batch(
    session_factory: sessionmaker[Session],
    senders: Senders,
    *,
    max_attempts: int,
    batch_size: int,
    now: Callable[[], datetime],
    should_stop: Callable[[], bool],
    jitter: Callable[[], float],
    push_max_age: timedelta | None,
) -> tuple[Sent, int]:
    with unit_of_work(session_factory) as session:
        locking = session.get_bind().dialect.name == "postgresql"
        claimed_at = now()
        jobs = _claim(session, claimed_at, batch_size, locking=locking)
        stale = _stale(jobs, claimed_at, push_max_age)
        if locking:
            outcomes = {**stale, **_send(_fresh(jobs, stale), senders, should_stop)}
            return _record(session, jobs, outcomes, now(), max_attempts, jitter), len(jobs)
    outcomes = {**stale, **_send(_fresh(jobs, stale), senders, should_stop)}
    with unit_of_work(session_factory) as session:
        return _record(session, jobs, outcomes, now(), max_attempts, jitter), len(jobs)


def _stale(jobs: list[_Job], now: datetime, max_age: timedelta | None) -> dict[int, Outcome]:
    """Outcomes of the pushes too old to send: their event happened before ``now - max_age``."""
    if max_age is None:
        return {}
    oldest = now - max_age
    return {
        job.id: Outcome.too_old(f"stale: the event is older than {int(max_age.total_seconds())} s")
        for job in jobs
        if job.channel == PUSH and job.occurred_at is not None and job.occurred_at < oldest
    }


def _fresh(jobs: list[_Job], stale: dict[int, Outcome]) -> list[_Job]:
    return [job for job in jobs if job.id not in stale]


def _claim(session: Session, now: datetime, limit: int, *, locking: bool) -> list[_Job]:
    query = (
        select(Delivery, Device.token, WebhookSubscription, Event.request_id, Event.occurred_at)
        .join(Event, Event.seq == Delivery.event_seq)
        .outerjoin(Device, Device.id == Delivery.device_id)
        .outerjoin(WebhookSubscription, WebhookSubscription.id == Delivery.subscription_id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if locking:
        # Lock the delivery rows only: devices and subscriptions stay free for the app.
        query = query.with_for_update(skip_locked=True, of=Delivery)
    jobs = []
    for delivery, token, subscription, request_id, occurred_at in session.execute(query):
        active = subscription is not None and subscription.is_active
        jobs.append(
            _Job(
                id=delivery.id,
                channel=delivery.channel,
                payload=delivery.payload,
                device_id=delivery.device_id,
                token=token,
                url=subscription.url if active else None,
                secret=subscription.secret if active else None,
                request_id=request_id,
                occurred_at=occurred_at,
            )
        )
    return jobs


def _send(
    jobs: list[_Job], senders: Senders, should_stop: Callable[[], bool]
) -> dict[int, Outcome]:
    """Outcomes by delivery id; jobs left out (a stop was asked) stay due, untouched."""
    outcomes: dict[int, Outcome] = {}
    pushes = [job for job in jobs if job.channel == PUSH]
    if pushes:
        outcomes.update(_send_pushes(pushes, senders.push))
    for job in jobs:
        if job.channel == PUSH:
            continue
        if should_stop():
            break
        if job.channel == DeliveryChannel.EMAIL:
            outcomes[job.id] = _send_email(job, senders.email)
        elif job.channel == DeliveryChannel.ZALO:
            outcomes[job.id] = _send_zalo(job, senders.zalo)
        else:
            outcomes[job.id] = _send_webhook(job, senders.webhooks)
    return outcomes


def _send_pushes(jobs: list[_Job], sender: PushSender | None) -> dict[int, Outcome]:
    if sender is None:
        return {job.id: Outcome.retry("push notifications are not configured") for job in jobs}
    outcomes: dict[int, Outcome] = {
        job.id: Outcome.give_up("the device is no longer registered")
        for job in jobs
        if job.token is None
    }
    addressed = [(job, job.token) for job in jobs if job.token is not None]
    for wave in _waves(addressed):
        messages = [
            PushMessage(
                token=token,
                title=job.payload["title"],
                body=job.payload["body"],
                collapse_key=job.payload["collapse_key"],
                data=job.payload.get("data", {}),
                link=job.payload.get("link", ""),
            )
            for job, token in wave
        ]
        outcomes.update(
            (job.id, outcome) for (job, _), outcome in zip(wave, sender.send(messages), strict=True)
        )
    return outcomes


def _waves(pushes: list[tuple[_Job, str]]) -> list[list[tuple[_Job, str]]]:
    """Split pushes so no wave holds two for one device and report.

    A wave's messages leave in parallel; with the same collapse key the older could land last
    and replace the newer on the phone, so later messages about a report wait for the next wave.
    """
    waves: list[list[tuple[_Job, str]]] = []
    seen: dict[tuple[str, str], int] = {}
    for job, token in sorted(pushes, key=lambda push: push[0].id):
        key = (token, job.payload["collapse_key"])
        index = seen[key] = seen.get(key, -1) + 1
        if index == len(waves):
            waves.append([])
        waves[index].append((job, token))
    return waves


def _send_email(job: _Job, sender: EmailSender | None) -> Outcome:
    if sender is None:
        return Outcome.retry("e-mail is not configured")
    payload = job.payload
    message = MailMessage(to=payload["to"], subject=payload["subject"], body=payload["body"])
    return sender.send(message)


def _send_zalo(job: _Job, sender: ZaloSender | None) -> Outcome:
    if sender is None:
        return Outcome.retry("the Zalo OA channel is not configured")
    return sender.send_text(job.payload["zalo_user_id"], job.payload["text"])


def _send_webhook(job: _Job, sender: WebhookSender) -> Outcome:
    if job.url is None or job.secret is None:
        return Outcome.give_up("the webhook subscription is disabled")
    body = webhooks.body_of(job.payload)
    timestamp = int(utcnow().timestamp())
    headers = webhooks.headers(
        delivery_id=job.id, secret=job.secret, timestamp=timestamp, body=body
    )
    return sender.post(job.url, headers=headers, body=body)


def _record(
    session: Session,
    jobs: list[_Job],
    outcomes: dict[int, Outcome],
    now: datetime,
    max_attempts: int,
    jitter: Callable[[], float],
) -> Sent:
    sent = Sent()
    forgotten_devices = set()
    for job in jobs:
        outcome = outcomes.get(job.id)
        delivery = session.get(Delivery, job.id)
        if outcome is None or delivery is None or delivery.status != DeliveryStatus.PENDING:
            continue
        with request_id_bound(job.request_id):
            _record_one(delivery, job, outcome, now, max_attempts, jitter, sent)
        if outcome.unregistered and job.device_id is not None:
            forgotten_devices.add(job.device_id)
    session.flush()
    if forgotten_devices:
        # The token is gone for good at FCM; its deliveries go with it (ON DELETE CASCADE).
        session.execute(delete(Device).where(Device.id.in_(forgotten_devices)))
        log.info("removed %d device token(s) that FCM reports unregistered", len(forgotten_devices))
    return sent


def _record_one(
    delivery: Delivery,
    job: _Job,
    outcome: Outcome,
    now: datetime,
    max_attempts: int,
    jitter: Callable[[], float],
    sent: Sent,
) -> None:
    """Write one outcome on its delivery row; logged with the request id of its event."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_status = outcome.status
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.last_error = (
            DeliveryStatus.DELIVERED,
            now,
            None,
        )
        sent.delivered += 1
        log.info(
            "delivery %s (%s) of event %s delivered",
            job.id,
            job.channel,
            delivery.event_seq,
            extra={"delivery_id": job.id, "event_seq": delivery.event_seq},
        )
        return
    delivery.last_error = outcome.error
    if outcome.stale:
        delivery.status = DeliveryStatus.STALE
        sent.stale += 1
        log.warning(
            "delivery %s (%s) of event %s dropped unsent: %s",
            job.id,
            job.channel,
            delivery.event_seq,
            outcome.error,
            extra={"delivery_id": job.id, "event_seq": delivery.event_seq},
        )
        return
    if outcome.permanent or delivery.attempts >= max_attempts:
        delivery.status = DeliveryStatus.DEAD
        sent.dead += 1
        log.warning(
            "delivery %s (%s) is dead after %d attempt(s): %s",
            job.id,
            job.channel,
            delivery.attempts,
            outcome.error,
            extra={"delivery_id": job.id, "event_seq": delivery.event_seq},
        )
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts, jitter=jitter())
        sent.retrying += 1
        log.info(
            "delivery %s (%s) of event %s failed (attempt %d), retried later: %s",
            job.id,
            job.channel,
            delivery.event_seq,
            delivery.attempts,
            outcome.error,
            extra={"delivery_id": job.id, "event_seq": delivery.event_seq},
        )
