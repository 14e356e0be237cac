"""The outbox claim: committed events not yet pushed to screens, in ``seq`` order.

"Outbox" means this in IOC: the event rows a transaction wrote, claimed after commit by the
publishers. What the worker sends to phones and other systems are *deliveries*
(:mod:`ioc.integrations.deliveries`).

Order without a lock in the request path: a request's event takes its ``seq`` from the
database sequence when it is inserted, and transactions commit in any order, so a lower
``seq`` can become visible after a higher one. The publisher therefore only publishes up to a
*settled horizon*: the sequence's last value read at some instant, once every transaction that
was writing events at that instant has ended (committed, so its rows are visible, or rolled
back, so its numbers are gone for good). Below the horizon nothing can appear any more, so
screens that resume from a published ``seq`` never skip an event. Publishers take turns
through a lock of their own (never one a request waits for), so events go out in ``seq`` order,
and how far they came is one mark (:mod:`ioc.events.marks`). The fan-out to the outside world
takes turns the same way, with a lock and a mark of its own. SQLite runs one writer at a time
and commits in ``seq`` order already.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, bindparam, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ioc.db import AdvisoryLock
from ioc.events.marks import PUBLISHED, advance_mark, mark_of
from ioc.events.models import Event, EventAudience

#: How long a turn waits for the writers of the moment to finish before giving up this time.
SETTLE_TIMEOUT_SECONDS = 2.0
#: :func:`settled_turn`'s answer when the writers of the moment did not finish in time.
NOT_SETTLED = -1
#: :func:`settled_turn`'s answer when another consumer of the same kind has the turn.
NOT_MY_TURN = -2

#: The turn, the sequence's last value, then (only with the turn) the
#: transactions other than ours that hold the row-write lock on ``event`` right now: every
#: transaction that inserts an event takes it before drawing its ``seq`` and keeps it until
#: it ends. One round trip; the inner query is evaluated first (``OFFSET 0`` keeps it a
#: subquery), so the writers are read after the number, as the horizon needs.
_TURN = text(
    "SELECT turn.mine, turn.last, CASE WHEN turn.mine THEN ARRAY("
    "SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation' "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND relation = 'event'::regclass AND mode = 'RowExclusiveLock' AND granted "
    "AND pid <> pg_backend_pid()) END AS writers "
    "FROM (SELECT pg_try_advisory_xact_lock(:key) AS mine, "
    "pg_sequence_last_value(pg_get_serial_sequence('event', 'seq')) AS last OFFSET 0) AS turn"
)
_STILL_RUNNING = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'virtualxid' AND mode = 'ExclusiveLock' "
    "AND granted AND virtualxid = ANY(:vxids)"
)


def publishing_turn(
    session: Session,
    *,
    timeout: float = SETTLE_TIMEOUT_SECONDS,
    sleep: Callable[[float], Any] = time.sleep,
) -> int | None:
    """:func:`settled_turn` for the publishers."""
    return settled_turn(session, AdvisoryLock.PUBLISHER, timeout=timeout, sleep=sleep)


def settled_turn(
    session: Session,
    key: AdvisoryLock,
    *,
    timeout: float = SETTLE_TIMEOUT_SECONDS,
    sleep: Callable[[float], Any] = time.sleep,
) -> int | None:
    """Take the turn of the consumers that share the lock ``key`` (the publishers', the
    fan-out's: transaction-level advisory locks that only they take, which requests never
    wait on) for this transaction and find the settled horizon: the highest
    ``seq`` below which every event is committed or gone for good.

    None means "everything visible" (SQLite: one writer at a time, no turns); 0, that no
    event was ever numbered; :data:`NOT_MY_TURN`, that another consumer of the same kind is
    in the middle of it; :data:`NOT_SETTLED`, that a writer of the moment still runs after
    ``timeout`` (the caller passes nothing on and tries again soon).
    """
    if session.get_bind().dialect.name != "postgresql":
        return None
    connection = session.connection()
    mine, last, writers = connection.execute(_TURN, {"key": key.value}).one()
    if not mine:
        return NOT_MY_TURN
    if last is None:
        return 0
    deadline = time.monotonic() + timeout
    pause = 0.001
    while writers:
        if not connection.scalar(_STILL_RUNNING, {"vxids": writers}):
            break
        if time.monotonic() >= deadline:
            return NOT_SETTLED
        sleep(pause)
        pause = min(pause * 2, 0.02)
    return int(last)


#: The greatest ``seq`` (a PostgreSQL ``bigint``): the horizon where every event is visible.
_NO_HORIZON = 2**63 - 1


@dataclass(frozen=True)
class PendingEvents:
    """A round's events, oldest first, and whether another publisher published after
    ``after_seq`` (the point up to which the caller knows what was published)."""

    events: list[Row[Any]]
    overtaken: bool


_PUBLISHED = mark_of(PUBLISHED)

#: A round's events and the check that no one else published after the caller's point; built
#: once (every value is a parameter), so a round spends no time composing it.
_PENDING = (
    select(Event.seq, Event.type, Event.occurred_at, Event.payload, Event.audiences)
    .add_columns((bindparam("after") < _PUBLISHED).label("overtaken"))
    .where(Event.seq > _PUBLISHED, Event.seq <= bindparam("horizon"))
    .order_by(Event.seq)
    .limit(bindparam("limit"))
)


def pending_events(
    session: Session, *, horizon: int | None, limit: int = 500, after_seq: int | None = None
) -> PendingEvents:
    """The oldest events not yet pushed to screens, at or below ``horizon``, as rows (seq,
    type, occurred_at, payload, audiences), in one round trip with the check that no event
    after ``after_seq`` was published by someone else (None: the caller knows nothing)."""
    rows = session.connection().execute(
        _PENDING,
        {
            "horizon": _NO_HORIZON if horizon is None else horizon,
            "limit": limit,
            "after": -1 if after_seq is None else after_seq,
        },
    )
    events = list(rows)
    return PendingEvents(
        events=events, overtaken=after_seq is None or any(row.overtaken for row in events[:1])
    )


def mark_published(session: Session, last: int) -> None:
    """Mark every event up to ``last`` published (a round takes the oldest unpublished events
    below a settled horizon, so none before it is left out): on PostgreSQL sent with the
    round's COMMIT (one round trip for both)."""
    advance_mark(session, PUBLISHED, last, with_commit=True)


def previous_seqs(session: Session, audiences: list[str], before: int) -> dict[str, int | None]:
    """For each audience, the ``seq`` of its last event before ``before`` (one round trip)."""
    if not audiences:
        return {}
    columns = [
        select(EventAudience.seq)
        .where(EventAudience.audience == audience, EventAudience.seq < before)
        .order_by(EventAudience.seq.desc())
        .limit(1)
        .scalar_subquery()
        .label(f"a{i}")
        for i, audience in enumerate(audiences)
    ]
    row = session.connection().execute(select(*columns)).one()
    return dict(zip(audiences, row, strict=True))


# Wake-ups: a commit that wrote events tells this process's publisher at once.
_WAKE_FLAG = "ioc_wrote_events"
_listeners: list[Callable[[], None]] = []


def note_event_written(session: Session) -> None:
    session.info[_WAKE_FLAG] = True


def on_events_committed(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after every commit (in this process) that wrote events; returns a
    function that removes it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


@contextmanager
def listening(listener: Callable[[], None]) -> Iterator[None]:
    remove = on_events_committed(listener)
    try:
        yield
    finally:
        remove()


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_WAKE_FLAG, False):
        for listener in list(_listeners):
            listener()


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WAKE_FLAG, None)
