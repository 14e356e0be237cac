"""What is still owed: the age of the oldest event not yet passed on, and deliveries waiting or
given up. Read when the metrics are scraped, so each read is one indexed query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ioc.events.marks import DISPATCHED, PUBLISHED, mark_of
from ioc.events.models import Event
from ioc.integrations.models import Delivery, DeliveryStatus


@dataclass(frozen=True)
class Backlog:
    #: Seconds since the oldest event not yet pushed to screens was written (0: none waits).
    publish_lag_seconds: float
    #: Seconds since the oldest event the worker has not fanned out was written (0: none).
    dispatch_lag_seconds: float
    pending_deliveries: int
    dead_deliveries: int


def outbox_backlog(session: Session, *, now: datetime) -> Backlog:
    """The outbox lag of both publishers and the delivery counts (pending and dead)."""
    rows = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.DEAD]))
        .group_by(Delivery.status)
    )
    counts: dict[str, int] = {status: count for status, count in rows}
    return Backlog(
        publish_lag_seconds=_age(session, PUBLISHED, now),
        dispatch_lag_seconds=_age(session, DISPATCHED, now),
        pending_deliveries=counts.get(DeliveryStatus.PENDING, 0),
        dead_deliveries=counts.get(DeliveryStatus.DEAD, 0),
    )


def _age(session: Session, mark: str, now: datetime) -> float:
    # The oldest event past the mark: the first entry after it in the primary key's index.
    oldest = session.scalar(
        select(Event.occurred_at).where(Event.seq > mark_of(mark)).order_by(Event.seq).limit(1)
    )
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
