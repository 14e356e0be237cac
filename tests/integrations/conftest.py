"""Fixtures for the outbox worker: a cast of citizens and staff, the FCM stand-in, a webhook
receiver, and the worker's senders pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import utcnow
from ioc.feedback.citizen_models import Device
from ioc.feedback.intake.filing import Intake, submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.lifecycle.triage import assign_report
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import Report
from ioc.feedback.states import Role
from ioc.integrations.deliveries import Senders
from ioc.integrations.models import Delivery
from ioc.integrations.push import FirebasePushSender
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import Round, run_once
from tests.factories import (
    make_agency,
    make_category,
    make_policy,
    make_province_with_two_communes,
    make_user,
)
from tests.integrations.fcm_standin import FcmStandIn, StaticTokenCredential
from tests.integrations.receiver import WebhookReceiver

POLICY = make_policy()


PROJECT = "ioc-standin"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
IN_A = (108.05, 16.05)


@dataclass(frozen=True)
class Cast:
    reporter: User
    follower: User
    stranger: User
    operator: User
    supervisor: User
    officer: User
    lead: Agency


def make_device(session: Session, user: User, token: str, locale: str = "vi") -> Device:
    device = Device(user_id=user.id, token=token, platform="android", locale=locale)
    session.add(device)
    session.flush()
    return device


@pytest.fixture
def cast(session: Session) -> Cast:
    make_province_with_two_communes(session)
    make_category(session, "o_ga", is_auto_dispatch=False)
    make_category(session, "an_ninh", is_auto_dispatch=False, is_private=True)
    lead = make_agency(session, "LEAD", name_vi="Công ty Công trình đô thị", name_en="Urban Works")
    return Cast(
        reporter=make_user(session, Role.CITIZEN, "lan"),
        follower=make_user(session, Role.CITIZEN, "minh"),
        stranger=make_user(session, Role.CITIZEN, "hoa"),
        operator=make_user(session, Role.IOC_OPERATOR, "operator"),
        supervisor=make_user(session, Role.IOC_SUPERVISOR, "supervisor"),
        officer=make_user(session, Role.AGENCY_OFFICER, "officer", lead),
        lead=lead,
    )


def submit(
    session: Session,
    intake: Intake,
    *,
    reporter: User | None,
    category: str = "o_ga",
) -> Report:

    return submit_report(
        session,
        intake,
        category_code=category,
        lon=IN_A[0],
        lat=IN_A[1],
        channel="phone",
        description="Ổ gà lớn trước nhà số 12",
        reporter_id=reporter.id if reporter else None,
    )


def resolve(session: Session, intake: Intake, cast: Cast, report: Report, answer: str) -> None:
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    accept_report(session, report=report, actor=cast.officer)
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.officer, answer=answer, photos=()
    )


def deliveries(session: Session, **where: object) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.id)
    for column, value in where.items():
        query = query.where(getattr(Delivery, column) == value)
    session.expire_all()
    return list(session.scalars(query))


@pytest.fixture
def standin() -> Iterator[FcmStandIn]:
    server = FcmStandIn(PROJECT).start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def senders(standin: FcmStandIn) -> Iterator[Senders]:
    push = FirebasePushSender(PROJECT, credential=StaticTokenCredential(), endpoint=standin.url)
    webhooks = HttpWebhookSender()
    yield Senders(push=push, webhooks=webhooks)
    push.close()
    webhooks.close()


@pytest.fixture
def run_worker(session_factory: sessionmaker[Session], senders: Senders) -> Callable[..., Round]:
    """One round of the worker; ``later`` runs it that far in the future (retries due)."""

    def run(*, later: timedelta = timedelta(0), max_attempts: int = 8) -> Round:
        moment: datetime = utcnow() + later
        return run_once(
            session_factory, senders, tz=VN, max_attempts=max_attempts, now=lambda: moment
        )

    return run
