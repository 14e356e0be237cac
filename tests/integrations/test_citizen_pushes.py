"""Citizens hear what they wait for: a question from staff (their report's clock waits on
them), and the report closed, each with a link that opens the report; and a push too old to
matter after a worker outage is dropped as stale, not sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.lifecycle.triage import close_report
from ioc.integrations.deliveries import Senders
from ioc.integrations.models import DeliveryStatus
from ioc.integrations.worker import run_once
from tests.integrations.conftest import VN, Cast, deliveries, make_device, resolve, submit
from tests.integrations.fcm_standin import FcmStandIn


def test_a_question_from_staff_is_pushed_to_the_reporter_with_a_link_to_the_report(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    make_device(session, cast.stranger, "tok-hoa")
    report = submit(session, intake, reporter=cast.reporter)
    ask_citizen(
        session, report=report, actor=cast.operator, question="Ổ gà ở phía trước số 12 hay số 14?"
    )
    session.commit()

    run_worker()

    [message] = [
        m for m in standin.messages_to("tok-lan") if m["data"]["event"] == "report.info_requested"
    ]
    assert message["notification"] == {
        "title": f"Phản ánh {report.ref}",
        "body": "Cơ quan xử lý cần Anh/Chị bổ sung thông tin: Ổ gà ở phía trước số 12 hay số 14?",
    }
    link = f"http://localhost:5000/report?ref={report.ref}"
    assert message["data"]["link"] == link
    # The web part: a notification the browser shows, replacing older ones about the report.
    assert message["webpush"]["notification"]["tag"] == report.ref
    assert standin.messages_to("tok-hoa") == []


def test_closing_a_report_is_pushed_in_the_citizens_language(
    session: Session, intake: Intake, cast: Cast, standin: FcmStandIn, run_worker
) -> None:
    make_device(session, cast.reporter, "tok-lan", locale="en")
    report = submit(session, intake, reporter=cast.reporter)
    resolve(session, intake, cast, report, "Đã vá ổ gà")
    close_report(session, report=report, actor=cast.operator, note=None)
    session.commit()

    run_worker()

    events = [m["data"]["event"] for m in standin.messages_to("tok-lan")]
    assert events[-1] == "report.closed"
    assert standin.messages_to("tok-lan")[-1]["notification"]["body"] == (
        "Closed. Thank you for your report."
    )


def test_pushes_older_than_the_age_limit_are_dropped_as_stale_after_an_outage(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    standin: FcmStandIn,
    senders: Senders,
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    report = submit(session, intake, reporter=cast.reporter)
    ask_citizen(session, report=report, actor=cast.operator, question="Số nhà chính xác?")
    session.commit()
    asked_at = report.updated_at
    assert asked_at is not None
    back_up = asked_at + timedelta(hours=7)  # the worker was down for seven hours

    stale = run_once(
        session_factory,
        senders,
        tz=VN,
        max_attempts=8,
        now=lambda: back_up,
        push_max_age=timedelta(hours=6),
    )

    assert stale.sent.stale >= 1
    assert stale.sent.delivered == 0
    assert standin.messages_to("tok-lan") == []
    rows = deliveries(session, channel="push")
    assert {row.status for row in rows} == {DeliveryStatus.STALE}
    assert all(row.last_error and row.last_error.startswith("stale") for row in rows)


def test_pushes_within_the_age_limit_are_sent(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    standin: FcmStandIn,
    senders: Senders,
) -> None:
    make_device(session, cast.reporter, "tok-lan")
    report = submit(session, intake, reporter=cast.reporter)
    ask_citizen(session, report=report, actor=cast.operator, question="Số nhà chính xác?")
    session.commit()
    assert report.updated_at is not None
    back_up = report.updated_at + timedelta(hours=5)

    round_ = run_once(
        session_factory,
        senders,
        tz=VN,
        max_attempts=8,
        now=lambda: back_up,
        push_max_age=timedelta(hours=6),
    )

    assert round_.sent.stale == 0
    assert "report.info_requested" in [m["data"]["event"] for m in standin.messages_to("tok-lan")]
