"""The delivery log as operators see it: what is pending, delivered, dead or stale, and
retrying."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput, NotFound
from ioc.events.models import Event
from ioc.feedback.citizen_models import Device
from ioc.integrations.models import Delivery, DeliveryChannel, DeliveryStatus, WebhookSubscription

STATUSES = (
    DeliveryStatus.PENDING,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.DEAD,
    DeliveryStatus.STALE,
)


@dataclass(frozen=True)
class DeliveryLine:
    id: int
    channel: str
    destination: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


def list_deliveries(
    session: Session, *, status: str | None = None, limit: int = 50
) -> list[DeliveryLine]:
    """The newest deliveries (of one status if given), newest first.

    A device is named by its owner (a citizen's id, a staff member's username) and the start of
    its token, never the whole token; an e-mail by its recipient and address.

    Raises:
        InvalidInput: an unknown status.
    """
    query = (
        select(Delivery, Event.type, Device, WebhookSubscription.name)
        .join(Event, Event.seq == Delivery.event_seq)
        .outerjoin(Device, Device.id == Delivery.device_id)
        .outerjoin(WebhookSubscription, WebhookSubscription.id == Delivery.subscription_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput("unknown delivery status", details={"fields": {"status": status}})
        query = query.where(Delivery.status == status)
    return [
        DeliveryLine(
            id=delivery.id,
            channel=delivery.channel,
            destination=_destination(delivery, device, subscription),
            event_type=event_type,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_error=delivery.last_error,
        )
        for delivery, event_type, device, subscription in session.execute(query)
    ]


def _destination(delivery: Delivery, device: Device | None, subscription: str | None) -> str:
    staff = delivery.payload.get("recipient")
    if subscription is not None:
        return f"webhook {subscription}"
    if delivery.channel == DeliveryChannel.EMAIL:
        who = f"staff {staff}" if staff else f"citizen {delivery.payload.get('citizen')}"
        return f"{who} e-mail {delivery.payload.get('to')}"
    if device is None:
        return "-"
    owner = f"staff {staff}" if staff else f"citizen {device.user_id}"
    return f"{owner} device {device.token[:8]}…"


def retry_deliveries(
    session: Session,
    *,
    ids: Sequence[int] = (),
    all_dead: bool = False,
    now: datetime | None = None,
) -> int:
    """Make deliveries due again now (dead ones, or pending ones waiting for a retry).

    Delivered ones are left alone: they arrived. Returns how many were revived. Never commits.

    Raises:
        NotFound: one of ``ids`` is not a delivery.
        InvalidInput: neither ``ids`` nor ``all_dead`` was given.
    """
    if not ids and not all_dead:
        raise InvalidInput("name the deliveries to retry", details={"fields": {"ids": "required"}})
    if ids:
        found = set(session.scalars(select(Delivery.id).where(Delivery.id.in_(ids))))
        missing = sorted(set(ids) - found)
        if missing:
            raise NotFound("no such delivery", details={"ids": missing})
    query = (
        update(Delivery)
        .where(Delivery.status != DeliveryStatus.DELIVERED)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=now or utcnow(), attempts=0)
    )
    if ids:
        query = query.where(Delivery.id.in_(ids))
    if all_dead:
        query = query.where(Delivery.status == DeliveryStatus.DEAD)
    result = session.execute(query.execution_options(synchronize_session=False))
    assert isinstance(result, CursorResult)  # an UPDATE answers with the cursor's row count
    return result.rowcount
