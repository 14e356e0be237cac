"""Pushing committed events to the screens that may see them.

Events are read from the outbox after their transaction committed (so nothing is announced
that did not happen) and emitted to each audience's room, in ``seq`` order, up to the settled
horizon (:func:`ioc.events.outbox.publishing_turn`). With ``IOC_REDIS_URL`` the emit goes
through Redis to every app process; without it, to this process's clients.

Guarantees (docs/realtime.md): an event is marked published only after the message queue
accepted it, so an outage delays events and never loses them; each live message carries
``prev``, the audience's previous ``seq``, so a screen notices a gap at once; and every few
seconds each recently active room gets a ``heartbeat`` with its newest ``seq``, so a screen
that missed the last events of a quiet room notices too. Screens resume from the database.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Row
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.events.outbox import (
    NOT_MY_TURN,
    NOT_SETTLED,
    PendingEvents,
    mark_published,
    on_events_committed,
    pending_events,
    previous_seqs,
    publishing_turn,
)
from ioc.realtime.audiences import namespace_of
from ioc.realtime.queue import QueueUnavailable, sent_together

log = logging.getLogger(__name__)

EVENT_NAME = "event"
HEARTBEAT_NAME = "heartbeat"
#: Events claimed per transaction.
BATCH = 500
#: Seconds between heartbeats to each recently active room.
HEARTBEAT_SECONDS = 5.0
#: Rooms stay "recently active" (and get heartbeats) this long after their last event.
ACTIVE_ROOM_SECONDS = 3600.0
#: The safety net: publish even when no wake-up came (another process's commit, a lost signal).
POLL_SECONDS = 2.0
#: The shortest time between the starts of two rounds. A round costs the same for one event
#: as for fifty, and under load commits come every few milliseconds: a commit that arrives
#: this soon after a round started waits for the next, which takes it with the others that
#: came meanwhile. At a few commits a second it delays nothing.
ROUND_GAP_SECONDS = 0.025
#: The gap after a busy round: one that found at least :data:`BUSY_ROUND_EVENTS` events.
#: Under a sustained load of a hundred and more filings a second, a round's fixed cost (the
#: turn, the writers of the moment, the mark, the Redis round trip) is then shared by twice as
#: many events, for about a sixth less of the worker's CPU per filing, and events wait at most
#: 25 ms more; at the rates screens are judged by, rounds stay 25 ms apart.
BUSY_ROUND_GAP_SECONDS = 0.05
BUSY_ROUND_EVENTS = 4
#: How soon to try again when another publisher had the turn or a writer had not finished.
RETRY_SOON_SECONDS = 0.02
#: How soon to try again when the message queue refused a message.
QUEUE_RETRY_SECONDS = 0.5


class Emitter(Protocol):
    def emit(self, event: str, *args: Any, **kwargs: Any) -> Any: ...


class Announced(Protocol):
    """An event as screens see it: a row of the event table or its mapped object."""

    @property
    def seq(self) -> int: ...
    @property
    def type(self) -> str: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def payload(self) -> dict[str, Any]: ...


def wire(event: Announced, *, prev: int | None = None) -> dict[str, Any]:
    """What a screen receives for one event (``prev``: the room's previous ``seq``, live only)."""
    message: dict[str, Any] = {
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "payload": event.payload,
    }
    if prev is not None:
        message["prev"] = prev
    return message


@dataclass
class Publisher:
    """Hands committed events to the screens; one per process that publishes."""

    session_factory: sessionmaker[Session]
    emitter: Emitter
    #: audience ► (its newest published seq, when it was published, monotonic)
    latest: dict[str, tuple[int, float]] = field(default_factory=dict)
    #: Set when the last round left work for very soon (another publisher's turn, a writer).
    retry_soon: bool = False
    #: audience ► the last ``seq`` this publisher published to it, valid while no other
    #: publisher published after :attr:`known_through` (the last ``seq`` of its last round):
    #: a round then needs the database only for audiences it has not published to.
    last_sent: dict[str, int] = field(default_factory=dict)
    known_through: int | None = None

    def publish_pending(self) -> int:
        """Emit every publishable event, oldest first; the number emitted.

        Raises:
            QueueUnavailable: the message queue refused a round's messages (they stay
                unpublished for the next round; screens drop any they already had, by ``seq``).
        """
        self.retry_soon = False
        published = 0
        while True:
            count, more = self._publish_batch()
            published += count
            if not more:
                return published

    def _publish_batch(self) -> tuple[int, bool]:
        failure: QueueUnavailable | None = None
        sent: dict[str, int] = {}
        try:
            with unit_of_work(self.session_factory) as session:
                horizon = publishing_turn(session)
                if horizon == NOT_MY_TURN:
                    self.retry_soon = True
                    return 0, False
                if horizon == NOT_SETTLED:
                    self.retry_soon = True  # a writer is slow to finish
                pending = pending_events(
                    session, horizon=horizon, limit=BATCH, after_seq=self.known_through
                )
                events = pending.events
                if not events:
                    return 0, False
                prev = self._previous(session, pending)
                try:
                    with sent_together(self.emitter):
                        for event in events:
                            self._emit(event, prev, sent)
                except QueueUnavailable as exc:
                    failure = exc
                else:
                    mark_published(session, events[-1].seq)
        except BaseException:
            self.known_through = None  # what was published is not known any more
            raise
        if failure is not None:
            self.known_through = None
            raise failure
        now = time.monotonic()
        for audience, seq in sent.items():
            self.last_sent[audience] = seq
            self.latest[audience] = (seq, now)
        self.known_through = events[-1].seq
        return len(events), len(events) == BATCH

    def _previous(self, session: Session, pending: PendingEvents) -> dict[str, int | None]:
        """Each audience's ``seq`` before the round's first event: from memory where this
        publisher sent the last one, from the database for the others (one round trip)."""
        if pending.overtaken:
            self.last_sent.clear()
        audiences = dict.fromkeys(a for event in pending.events for a in event.audiences)
        prev: dict[str, int | None] = {
            a: self.last_sent[a] for a in audiences if a in self.last_sent
        }
        unknown = [a for a in audiences if a not in prev]
        prev.update(previous_seqs(session, unknown, pending.events[0].seq))
        return prev

    def _emit(self, event: Row[Any], prev: dict[str, int | None], sent: dict[str, int]) -> None:
        for audience in dict.fromkeys(event.audiences):
            message = wire(event, prev=prev.get(audience))
            self.emitter.emit(EVENT_NAME, message, to=audience, namespace=namespace_of(audience))
            prev[audience] = sent[audience] = event.seq

    def heartbeat(self) -> int:
        """Tell each recently active room its newest ``seq``; the number of rooms told."""
        now = time.monotonic()
        told = 0
        with sent_together(self.emitter):
            for audience, (seq, when) in list(self.latest.items()):
                if now - when > ACTIVE_ROOM_SECONDS:
                    del self.latest[audience]
                    self.last_sent.pop(audience, None)
                    continue
                self.emitter.emit(
                    HEARTBEAT_NAME, {"seq": seq}, to=audience, namespace=namespace_of(audience)
                )
                told += 1
        return told


def publish_pending(session_factory: sessionmaker[Session], emitter: Emitter) -> int:
    """Emit every publishable event once, oldest first; the number emitted."""
    return Publisher(session_factory, emitter).publish_pending()


def run_publisher(
    publisher: Publisher,
    stop: threading.Event,
    wake: threading.Event,
    *,
    poll_seconds: float = POLL_SECONDS,
    round_gap: float = ROUND_GAP_SECONDS,
) -> None:
    """Publish whenever ``wake`` is set (a commit that wrote events), at most once every
    ``round_gap`` seconds (:func:`gap_after_round`) and at least every ``poll_seconds``; send
    heartbeats every :data:`HEARTBEAT_SECONDS`; until ``stop``."""
    next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
    next_round = time.monotonic()
    while not stop.is_set():
        if (early := next_round - time.monotonic()) > 0 and stop.wait(early):
            break
        started = time.monotonic()
        next_round = started + round_gap
        wake.clear()
        pause, wakeable = poll_seconds, True
        try:
            published = publisher.publish_pending()
            next_round = started + gap_after_round(published, round_gap)
            if publisher.retry_soon:
                pause, wakeable = RETRY_SOON_SECONDS, False
        except QueueUnavailable as exc:
            log.warning("the message queue refused an event; trying again: %s", exc)
            pause, wakeable = QUEUE_RETRY_SECONDS, False
        except Exception:  # keep publishing after a database hiccup; it is logged
            log.exception("publishing events failed; retrying")
            pause, wakeable = QUEUE_RETRY_SECONDS, False
        if time.monotonic() >= next_heartbeat:
            next_heartbeat = time.monotonic() + HEARTBEAT_SECONDS
            try:
                publisher.heartbeat()
            except Exception as exc:  # the queue is down: the next heartbeat will do
                log.warning("heartbeat not sent: %s", exc)
        pause = min(pause, max(0.0, next_heartbeat - time.monotonic()))
        # A retry waits its pause out: what it waits for is not a new commit.
        (wake if wakeable else stop).wait(pause)


def gap_after_round(published: int, round_gap: float = ROUND_GAP_SECONDS) -> float:
    """The shortest time from the start of a round that published ``published`` events to
    the start of the next: longer after a busy round (:data:`BUSY_ROUND_GAP_SECONDS`), never
    shorter than ``round_gap``."""
    if published >= BUSY_ROUND_EVENTS:
        return max(round_gap, BUSY_ROUND_GAP_SECONDS)
    return round_gap


def start_publisher(
    session_factory: sessionmaker[Session],
    socketio: Any,
    *,
    every_seconds: float = POLL_SECONDS,
) -> threading.Event:
    """Publish continuously in a background task of the server's async mode, woken by this
    process's commits that wrote events (and, with Redis, by other processes': see
    :mod:`ioc.realtime.wakeup`)."""
    stop = threading.Event()
    wake = threading.Event()
    on_events_committed(wake.set)
    publisher = Publisher(session_factory, socketio)
    socketio.start_background_task(run_publisher, publisher, stop, wake, poll_seconds=every_seconds)
    _PUBLISHERS.append((publisher, wake))
    return stop


#: This process's running publishers and their wake-up flags (for the Redis wake-up).
_PUBLISHERS: list[tuple[Publisher, threading.Event]] = []


def wake_publishers() -> None:
    for _publisher, wake in _PUBLISHERS:
        wake.set()
