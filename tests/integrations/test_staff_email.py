"""Staff e-mails sent by the worker to a real SMTP server: delivered, retried, dead, revived."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ioc.config import load_settings
from ioc.db import utcnow
from ioc.events.audiences import agency_audience
from ioc.events.log import record_event
from ioc.feedback.intake.filing import Intake
from ioc.feedback.states import Role
from ioc.integrations.deliveries import Senders
from ioc.integrations.delivery_log import retry_deliveries
from ioc.integrations.mail import SmtpEmailSender, smtp_sender
from ioc.integrations.models import DeliveryChannel, DeliveryStatus
from ioc.integrations.staff_notices import StaffChannels
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import Round, run_once
from tests.factories import make_user
from tests.integrations.conftest import VN, Cast, deliveries, submit
from tests.integrations.smtp_server import SmtpServer, free_port

SITE = "https://ioc.danang.gov.vn"
SENDER = "IOC Đà Nẵng <ioc@danang.gov.vn>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def _runner(
    session_factory: sessionmaker[Session], port: int, *, starttls: bool = False
) -> Callable[..., Round]:
    email = SmtpEmailSender("127.0.0.1", port, sender=SENDER, starttls=starttls, timeout=5)
    senders = Senders(push=None, webhooks=HttpWebhookSender(), email=email)

    def run(*, later: timedelta = timedelta(0), max_attempts: int = 8) -> Round:
        moment = utcnow() + later
        return run_once(
            session_factory,
            senders,
            tz=VN,
            max_attempts=max_attempts,
            now=lambda: moment,
            staff=StaffChannels(email=True, site_url=SITE),
        )

    return run


def _assign_to_officer(session: Session, intake: Intake, cast: Cast, *, locale: str = "vi") -> str:
    manager = make_user(session, Role.AGENCY_MANAGER, "truongphong", cast.lead)
    manager.display_name = "Nguyễn Thị Lan"
    cast.officer.display_name, cast.officer.email = "Trần Văn Bình", "binh@ctdt.danang.gov.vn"
    cast.officer.locale = locale
    report = submit(session, intake, reporter=cast.reporter)
    record_event(
        session,
        "report.assignee_changed",
        payload={
            "ref": report.ref,
            "agency_code": "LEAD",
            "assignee": "officer",
            "by": "truongphong",
        },
        audiences=[agency_audience("LEAD")],
        report_id=report.id,
    )
    session.flush()
    return report.ref


def _emails(session: Session) -> list:
    return deliveries(session, channel=DeliveryChannel.EMAIL)


def test_the_worker_sends_the_e_mail_in_the_staff_members_language(
    session: Session, session_factory, intake: Intake, cast: Cast, smtp: SmtpServer
) -> None:
    ref = _assign_to_officer(session, intake, cast)

    round_ = _runner(session_factory, smtp.port)()

    assert round_.fanned_out.emails == 1
    assert round_.sent.delivered == 1
    (message,) = smtp.messages
    assert message["To"] == "binh@ctdt.danang.gov.vn"
    assert message["From"] == SENDER
    assert message["Subject"] == f"Phản ánh {ref}: Phân công xử lý mới"
    body = message.get_content()
    assert "Kính gửi Trần Văn Bình," in body
    assert "Nguyễn Thị Lan đã giao phản ánh này cho Anh/Chị xử lý." in body
    assert f"Mở phản ánh: {SITE}/agency?ref={ref}" in body
    (delivered,) = _emails(session)
    assert (delivered.status, delivered.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_an_english_speaking_officer_reads_english(
    session: Session, session_factory, intake: Intake, cast: Cast, smtp: SmtpServer
) -> None:
    ref = _assign_to_officer(session, intake, cast, locale="en")

    _runner(session_factory, smtp.port)()

    (message,) = smtp.messages
    assert message["Subject"] == f"Report {ref}: New assignment"
    body = message.get_content()
    assert body.startswith("Dear Trần Văn Bình,")
    assert f"Open the report: {SITE}/agency?ref={ref}" in body


def test_an_unreachable_server_is_retried_then_dead_and_revived_by_an_operator(
    session: Session, session_factory, intake: Intake, cast: Cast
) -> None:
    _assign_to_officer(session, intake, cast)
    run = _runner(session_factory, free_port())  # nobody listens: connection refused

    first = run(max_attempts=2)
    (waiting,) = _emails(session)
    waiting_as = (waiting.status, waiting.attempts, waiting.last_error or "")
    second = run(later=timedelta(hours=1), max_attempts=2)
    (dead,) = _emails(session)

    assert (first.sent.retrying, second.sent.dead) == (1, 1)
    assert waiting_as[:2] == (DeliveryStatus.PENDING, 1)
    assert "ConnectionRefusedError" in waiting_as[2]
    assert (dead.status, dead.attempts) == (DeliveryStatus.DEAD, 2)
    assert retry_deliveries(session, all_dead=True) == 1
    session.flush()
    assert _emails(session)[0].status == DeliveryStatus.PENDING


def test_a_mailbox_refused_for_good_is_dead_at_once(
    session: Session, session_factory, intake: Intake, cast: Cast, smtp: SmtpServer
) -> None:
    smtp.refuse_recipients = "550 5.1.1 no such mailbox"
    _assign_to_officer(session, intake, cast)

    round_ = _runner(session_factory, smtp.port)()

    assert round_.sent.dead == 1
    (dead,) = _emails(session)
    assert (dead.status, dead.attempts, dead.response_status) == (DeliveryStatus.DEAD, 1, 550)
    assert dead.last_error == "SMTP 550: 5.1.1 no such mailbox"
    assert smtp.messages == []


def test_a_mailbox_busy_for_now_is_retried(
    session: Session, session_factory, intake: Intake, cast: Cast, smtp: SmtpServer
) -> None:
    smtp.refuse_recipients = "451 4.3.0 try again later"
    _assign_to_officer(session, intake, cast)
    run = _runner(session_factory, smtp.port)

    first = run()
    smtp.refuse_recipients = ""
    later = run(later=timedelta(minutes=5))

    assert (first.sent.retrying, later.sent.delivered) == (1, 1)
    assert len(smtp.messages) == 1


def test_starttls_asked_of_a_server_without_it_is_retried_not_sent_in_the_clear(
    session: Session, session_factory, intake: Intake, cast: Cast, smtp: SmtpServer
) -> None:
    _assign_to_officer(session, intake, cast)

    round_ = _runner(session_factory, smtp.port, starttls=True)()

    assert round_.sent.retrying == 1
    assert smtp.messages == []


def test_without_a_mail_server_no_e_mail_is_owed(
    session: Session, session_factory, intake: Intake, cast: Cast
) -> None:
    assert smtp_sender(load_settings({"smtp_host": ""})) is None
    _assign_to_officer(session, intake, cast)
    senders = Senders(push=None, webhooks=HttpWebhookSender())

    round_ = run_once(session_factory, senders, tz=VN, max_attempts=8)

    assert round_.fanned_out.emails == 0
    assert _emails(session) == []
