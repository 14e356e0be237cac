"""Push deliveries through the real firebase-admin client against the local FCM stand-in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import ConfigurationError, load_settings
from ioc.db import unit_of_work, utcnow
from ioc.feedback.citizen_models import Device
from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.triage import assign_report, reject_report
from ioc.integrations.delivery_log import retry_deliveries
from ioc.integrations.fanout import dispatch_events
from ioc.integrations.models import DeliveryStatus
from ioc.integrations.worker import Round
from tests.integrations.conftest import VN, Cast, deliveries, make_device, resolve, submit
from tests.integrations.fcm_standin import ACCESS_TOKEN, FcmStandIn, Reply


def _resolved_with_devices(session: Session, intake: Intake, cast: Cast, *tokens: str) -> None:
    for token in tokens:
        make_device(session, cast.reporter, token)
    report = submit(session, intake, reporter=cast.reporter)
    session.flush()
    resolve(session, intake, cast, report, "Đã vá")


def test_a_push_reaches_fcm_with_the_text_collapse_key_and_data(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    _resolved_with_devices(session, intake, cast, "tok-lan")

    round_ = run_worker()

    assert (round_.sent.delivered, round_.sent.retrying, round_.sent.dead) == (2, 0, 0)
    assert all(d.status == DeliveryStatus.DELIVERED for d in deliveries(session))
    forwarded, resolved = standin.messages_to("tok-lan")
    assert resolved["notification"]["body"] == "Đã xử lý xong: Đã vá"
    assert resolved["notification"]["title"].startswith("Phản ánh ")
    ref = resolved["data"]["ref"]
    assert resolved["android"]["collapse_key"] == ref
    assert resolved["android"]["notification"]["tag"] == ref
    assert resolved["apns"]["headers"] == {"apns-collapse-id": ref}
    assert resolved["data"]["event"] == "report.resolved"
    assert int(resolved["data"]["seq"]) > int(forwarded["data"]["seq"])
    assert standin.requests[0]["headers"]["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_an_unregistered_token_is_forgotten_and_never_retried(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    standin.always("tok-old", Reply.unregistered())
    _resolved_with_devices(session, intake, cast, "tok-old", "tok-new")

    round_ = run_worker()
    later = run_worker(later=timedelta(days=1))

    assert round_.sent.delivered == 2
    assert round_.sent.dead == 2
    assert later.sent.total == 0
    assert len(standin.messages_to("tok-old")) == 2
    assert [d.token for d in session.query(Device).all()] == ["tok-new"]
    # The log keeps the refused messages, without the forgotten device.
    outcomes = sorted((d.status, d.device_id is None) for d in deliveries(session))
    assert outcomes == [
        (DeliveryStatus.DEAD, True),
        (DeliveryStatus.DEAD, True),
        (DeliveryStatus.DELIVERED, False),
        (DeliveryStatus.DELIVERED, False),
    ]


def test_a_push_to_a_device_removed_before_sending_is_given_up_unsent(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    _resolved_with_devices(session, intake, cast, "tok-gone")
    dispatch_events(session, tz=VN, now=utcnow())
    session.query(Device).delete()  # the citizen signs out of the app before the worker sends
    session.flush()

    round_ = run_worker()

    assert round_.sent.dead == 2
    assert standin.messages_to("tok-gone") == []
    assert {d.status for d in deliveries(session)} == {DeliveryStatus.DEAD}


def test_an_invalid_token_is_given_up_but_the_device_kept(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    standin.always("tok-bad", Reply.invalid_token())
    _resolved_with_devices(session, intake, cast, "tok-bad")

    run_worker()

    dead = deliveries(session)
    assert {d.status for d in dead} == {DeliveryStatus.DEAD}
    assert all(d.response_status == 400 and d.attempts == 1 for d in dead)
    assert session.query(Device).count() == 1


def test_quota_exceeded_is_retried_later_then_delivered(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    standin.reply("tok-lan", Reply.quota_exceeded(), Reply.quota_exceeded())
    _resolved_with_devices(session, intake, cast, "tok-lan")
    before = utcnow()

    first = run_worker()
    waiting = [
        (d.status, d.attempts, d.response_status, d.last_error, d.next_attempt_at)
        for d in deliveries(session)
    ]
    too_soon = run_worker(later=timedelta(seconds=10))
    later = run_worker(later=timedelta(minutes=5))

    assert (first.sent.retrying, first.sent.delivered) == (2, 0)
    for status, attempts, response_status, error, next_attempt_at in waiting:
        assert (status, attempts, response_status) == (DeliveryStatus.PENDING, 1, 429)
        assert "Quota exceeded" in (error or "")
        assert next_attempt_at >= before + timedelta(seconds=15)
    assert too_soon.sent.total == 0
    assert later.sent.delivered == 2
    assert all(d.attempts == 2 for d in deliveries(session))


def test_an_fcm_outage_is_retried_with_backoff_then_delivered(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    report = submit(session, intake, reporter=cast.reporter)
    assign_report(
        session, policy=intake.policy, report=report, actor=cast.operator, agency_code="LEAD"
    )
    standin.always("tok-lan", Reply.unavailable())

    first = run_worker()
    standin.always("tok-lan", None)
    later = run_worker(later=timedelta(minutes=5))

    assert first.sent.retrying == 1
    # firebase-admin retries a 503 itself before giving the failure to the worker.
    assert len(standin.messages_to("tok-lan")) > 2
    assert later.sent.delivered == 1
    (delivery,) = deliveries(session)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)


def test_a_delivery_dies_after_the_last_try_and_an_operator_revives_it(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    standin: FcmStandIn,
    run_worker: Callable[..., Round],
) -> None:
    standin.always("tok-lan", Reply.quota_exceeded())
    make_device(session, cast.reporter, "tok-lan")
    report = submit(session, intake, reporter=cast.reporter)
    reject_report(
        session, policy=intake.policy, report=report, actor=cast.operator, reason="Trùng địa bàn"
    )

    for hours in range(3):
        run_worker(later=timedelta(hours=hours * 2), max_attempts=3)
    (dead,) = deliveries(session)
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 3)
    assert run_worker(later=timedelta(days=1)).sent.total == 0

    standin.always("tok-lan", None)
    with unit_of_work(session_factory) as other:
        assert retry_deliveries(other, all_dead=True) == 1
    revived = run_worker(max_attempts=3)

    assert revived.sent.delivered == 1
    (delivered,) = deliveries(session)
    assert (delivered.status, delivered.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert len(standin.messages_to("tok-lan")) == 4


def test_production_refuses_to_push_through_a_stand_in() -> None:
    settings = {
        "env": "production",
        "secret_key": "s" * 40,
        "database_url": "postgresql+psycopg://ioc@db/ioc",
        "fcm_endpoint": "http://127.0.0.1:9099",
    }
    with pytest.raises(ConfigurationError, match="IOC_FCM_ENDPOINT"):
        load_settings(settings)
