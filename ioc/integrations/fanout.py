"""Fan-out: committed events become the deliveries they owe the outside world.

One transaction takes the fan-out's turn, claims the oldest events not yet dispatched (below a
settled horizon, as the publishers do: :mod:`ioc.events.outbox`), writes a delivery row per
device, per matching webhook subscription and per staff e-mail, and moves the fan-out's mark
past them. Events exist only for changes that committed, so nothing is ever sent about a change
that was rolled back; and the deliveries are written in the same commit that moves the mark, so
none is lost or doubled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ioc.db import AdvisoryLock, utcnow
from ioc.events.marks import DISPATCHED, advance_mark, mark_of
from ioc.events.models import Event
from ioc.events.outbox import NOT_MY_TURN, NOT_SETTLED, settled_turn
from ioc.feedback.citizen_models import Device, ReportFollower
from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.states import Channel
from ioc.integrations.citizen_mail import citizen_mail_deliveries
from ioc.integrations.models import Delivery, DeliveryChannel, WebhookSubscription
from ioc.integrations.notices import notice_for, report_link
from ioc.integrations.staff_notices import PUSH_ONLY, StaffChannels, staff_deliveries
from ioc.integrations.webhooks import envelope, matches
from ioc.integrations.zalo.notices import INTERNAL_PREFIX, zalo_contacts_of, zalo_deliveries

PUSH = DeliveryChannel.PUSH
WEBHOOK = DeliveryChannel.WEBHOOK


@dataclass(frozen=True)
class FanOut:
    events: int
    pushes: int
    webhooks: int
    emails: int = 0
    zalo: int = 0


def dispatch_events(
    session: Session,
    *,
    tz: ZoneInfo,
    limit: int = 200,
    now: datetime | None = None,
    staff: StaffChannels = PUSH_ONLY,
) -> FanOut:
    """Turn up to ``limit`` undispatched events, oldest first, into pending deliveries
    (``staff`` says whether staff notices also go by e-mail).

    Several workers may run this at once on PostgreSQL: they take turns, and one that finds
    another's turn under way dispatches nothing this time. Never commits.
    """
    now = now or utcnow()
    horizon = settled_turn(session, AdvisoryLock.DISPATCHER)
    if horizon in (NOT_MY_TURN, NOT_SETTLED):
        return FanOut(0, 0, 0)
    query = select(Event).where(Event.seq > mark_of(DISPATCHED))
    if horizon is not None:
        query = query.where(Event.seq <= horizon)
    events = list(session.scalars(query.order_by(Event.seq).limit(limit)))
    if not events:
        return FanOut(0, 0, 0)
    subscriptions = list(
        session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.is_active.is_(True))
            .order_by(WebhookSubscription.id)
        )
    )
    facts = _facts_of(session, events)
    contacts = zalo_contacts_of(session, (report.reporter_id for report in facts.values()))
    devices = _devices_of(session, facts.values())
    batch = _Batch(
        facts=facts,
        reports=_reports_of(
            session,
            [
                report.id
                for report in facts.values()
                if report.id in devices
                or report.reporter_id in contacts
                or (staff.email and report.channel == Channel.EMAIL)
            ],
        ),
        contacts=contacts,
        devices=devices,
        subscriptions=subscriptions,
        tz=tz,
        now=now,
        staff=staff,
    )
    made: Counter[str] = Counter()
    # The batch's deliveries are only added: no query below needs them flushed first.
    with session.no_autoflush:
        for event in events:
            for delivery in _deliveries_of(session, event, batch):
                session.add(delivery)
                made[delivery.channel] += 1
    session.flush()
    advance_mark(session, DISPATCHED, events[-1].seq)
    return FanOut(
        len(events),
        made[PUSH],
        made[WEBHOOK],
        made[DeliveryChannel.EMAIL],
        made[DeliveryChannel.ZALO],
    )


@dataclass(frozen=True)
class _ReportFacts:
    """What the fan-out decides with before it loads a report, if it loads it at all."""

    id: int
    reporter_id: int | None
    channel: str
    is_private: bool


@dataclass(frozen=True)
class _Batch:
    """What a batch of events is fanned out with, looked up once for all of them."""

    #: The facts of every report the batch's events are about, by id.
    facts: dict[int, _ReportFacts]
    #: The reports someone is told about in person (a device, a Zalo contact, an e-mail),
    #: loaded whole, by id; the others are not loaded.
    reports: dict[int, Report]
    #: Zalo user id of each reporter who follows the OA, by citizen.
    contacts: dict[int, str]
    #: The devices to tell about each report, by report.
    devices: dict[int, list[Device]]
    subscriptions: list[WebhookSubscription]
    tz: ZoneInfo
    now: datetime
    staff: StaffChannels


def _deliveries_of(session: Session, event: Event, batch: _Batch) -> list[Delivery]:
    """Every delivery ``event`` owes: Zalo, pushes to citizens and staff, e-mail, webhooks."""
    report = batch.reports.get(event.report_id) if event.report_id is not None else None
    tz, now = batch.tz, batch.now
    deliveries = zalo_deliveries(session, event, report, tz, now, contacts=batch.contacts)
    if event.type.startswith(INTERNAL_PREFIX):
        # A channel's own message to one citizen: nothing for staff or subscribers.
        return deliveries
    told = batch.devices.get(report.id, []) if report is not None else []
    deliveries += _push_deliveries(session, event, report, told, tz, now, batch.staff.site_url)
    deliveries += staff_deliveries(session, event, channels=batch.staff, tz=tz, now=now)
    if batch.staff.email:
        # A mail server is configured: citizens who wrote by e-mail are answered by e-mail.
        deliveries += citizen_mail_deliveries(session, event, report, tz=tz, now=now)
    # Reports of private categories (public-order tips) stay inside the operations centre.
    facts = batch.facts.get(event.report_id) if event.report_id is not None else None
    if facts is None or not facts.is_private:
        deliveries += [
            _webhook_delivery(event, subscription, now)
            for subscription in batch.subscriptions
            if matches(subscription.event_types, event.type)
        ]
    return deliveries


def _facts_of(session: Session, events: list[Event]) -> dict[int, _ReportFacts]:
    """The facts of the reports of ``events``, in one query for the whole batch."""
    ids = {event.report_id for event in events if event.report_id is not None}
    if not ids:
        return {}
    found = session.execute(
        select(Report.id, Report.reporter_id, Report.channel, Category.is_private)
        .join(Category, Category.id == Report.category_id)
        .where(Report.id.in_(ids))
    )
    return {row.id: _ReportFacts(*row) for row in found}


def _reports_of(session: Session, ids: list[int]) -> dict[int, Report]:
    """The reports ``ids`` with their categories, in one query."""
    if not ids:
        return {}
    found = session.scalars(
        select(Report).where(Report.id.in_(ids)).options(joinedload(Report.category))
    )
    return {report.id: report for report in found}


def _push_deliveries(
    session: Session,
    event: Event,
    report: Report | None,
    devices: list[Device],
    tz: ZoneInfo,
    now: datetime,
    site_url: str,
) -> list[Delivery]:
    if report is None or not devices:
        return []
    notice = notice_for(session, event, report, tz)
    if notice is None:
        return []
    deliveries = []
    link = report_link(site_url, report.ref)
    for device in devices:
        title, body = notice.render(device.locale)
        payload = {
            "title": title,
            "body": body,
            "collapse_key": report.ref,
            "link": link,
            "data": {
                "ref": report.ref,
                "seq": str(event.seq),
                "event": event.type,
                "status": str(event.payload.get("status", report.status)),
                # The app and the web page's service worker open the report from it.
                "link": link,
            },
        }
        deliveries.append(
            Delivery(
                event_seq=event.seq,
                channel=PUSH,
                device_id=device.id,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return deliveries


def _devices_of(session: Session, reports: Iterable[_ReportFacts]) -> dict[int, list[Device]]:
    """The devices to tell about each report, by report: its reporter's and, unless the
    report is private, its followers' (two queries for a whole batch)."""
    told: dict[int, dict[int, Device]] = {}
    by_reporter: dict[int, list[int]] = {}
    public = []
    for report in reports:
        told[report.id] = {}
        if report.reporter_id is not None:
            by_reporter.setdefault(report.reporter_id, []).append(report.id)
        if not report.is_private:
            public.append(report.id)
    if by_reporter:
        for device in session.scalars(select(Device).where(Device.user_id.in_(by_reporter))):
            for report_id in by_reporter[device.user_id]:
                told[report_id][device.id] = device
    if public:
        followed = session.execute(
            select(ReportFollower.report_id, Device)
            .join(Device, Device.user_id == ReportFollower.user_id)
            .where(ReportFollower.report_id.in_(public))
        )
        for report_id, device in followed:
            told[report_id][device.id] = device
    return {
        report_id: [devices[key] for key in sorted(devices)]
        for report_id, devices in told.items()
        if devices
    }


def _webhook_delivery(event: Event, subscription: WebhookSubscription, now: datetime) -> Delivery:
    return Delivery(
        event_seq=event.seq,
        channel=WEBHOOK,
        subscription_id=subscription.id,
        payload=envelope(event),
        next_attempt_at=now,
        created_at=now,
    )
