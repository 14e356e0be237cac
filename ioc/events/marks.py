"""How far the event log's consumers have come: one mark each, moved forward as they go.

Both consumers pass events on in ``seq`` order and only below a settled horizon
(:mod:`ioc.events.outbox`), so "every event up to ``seq``" says all there is to say about
their progress. Keeping it out of the event rows means an event is written once: marking a
round of fifty events is one small row updated, not fifty rows rewritten with their indexes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, bindparam, func, select, text
from sqlalchemy.orm import Session

from ioc.db import UtcDateTime, send_with_commit, utcnow
from ioc.events.models import EventMark

#: The publishers' mark: every event up to it was handed to the message queue for screens.
PUBLISHED = "published"
#: The fan-out's mark: every event up to it became its deliveries (push, webhooks, e-mail).
DISPATCHED = "dispatched"

#: Moves a mark forward, never back (a slower consumer cannot undo a faster one's progress);
#: the same text on PostgreSQL and SQLite.
_ADVANCE = (
    "INSERT INTO event_mark (name, seq, moved_at) VALUES ({name}, {seq}, {at}) "
    "ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, moved_at = excluded.moved_at "
    "WHERE event_mark.seq < excluded.seq"
)
_ADVANCE_WITH_COMMIT = _ADVANCE.format(name="%(name)s", seq="%(seq)s", at="now()")
_ADVANCE_NOW = text(_ADVANCE.format(name=":name", seq=":seq", at=":at")).bindparams(
    bindparam("at", type_=UtcDateTime())
)


def mark_of(name: str) -> ScalarSelect[Any]:
    """The mark ``name`` as a value inside a query (0 while nothing was passed on)."""
    return (
        select(func.coalesce(func.max(EventMark.seq), 0))
        .where(EventMark.name == name)
        .scalar_subquery()
    )


def passed_through(session: Session, name: str) -> int:
    """The ``seq`` up to which consumer ``name`` has passed every event on (0: none yet)."""
    return int(session.connection().scalar(select(mark_of(name))) or 0)


def advance_mark(session: Session, name: str, seq: int, *, with_commit: bool = False) -> None:
    """Move the mark ``name`` up to ``seq`` (never back). ``with_commit``: on PostgreSQL send
    it with the transaction's COMMIT (one round trip for both), elsewhere run it now."""
    parameters = {"name": name, "seq": seq}
    if with_commit and send_with_commit(session, _ADVANCE_WITH_COMMIT, parameters):
        return
    session.connection().execute(_ADVANCE_NOW, {**parameters, "at": utcnow()})
