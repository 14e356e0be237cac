"""The outbox claim: committed events not yet pushed to screens, taken once each.

"Outbox" means this in IOC: the event rows a transaction wrote, claimed after commit by the
publishers. What the worker sends to phones and other systems are *deliveries*
(:mod:`ioc.integrations.deliveries`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.events.models import Event


def claim_unpublished(session: Session, *, limit: int = 500) -> list[Event]:
    """Take the oldest events not yet pushed to screens and mark them published.

    Concurrent publishers (one per app process) skip each other's rows on PostgreSQL, so
    each event is pushed once; screens order by ``seq`` and ignore a ``seq`` seen before.
    """
    query = select(Event).where(Event.published_at.is_(None)).order_by(Event.seq).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    events = list(session.scalars(query))
    now = utcnow()
    for event in events:
        event.published_at = now
    return events
