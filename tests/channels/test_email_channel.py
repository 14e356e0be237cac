"""The e-mail channel against a real IMAP server (Dovecot) and a real SMTP server: each
message files one report, once, where its photo was taken; the citizen is answered by e-mail;
a message without a place waits in the IOC queue until an operator places it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.feedback.citizen_models import InboundMessage, InboundStatus
from ioc.feedback.intake.filing import Intake
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.lifecycle.placement import place_message
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.lifecycle.triage import assign_report
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus
from ioc.geo.models import Area
from ioc.integrations.deliveries import Senders
from ioc.integrations.mail import SmtpEmailSender
from ioc.integrations.mailbox import HANDLED, MailboxSettings, poll_mailbox
from ioc.integrations.staff_notices import StaffChannels
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import run_once
from ioc.media import MediaStore
from tests.channels.conftest import deliver, flags_in
from tests.channels.imap_server import ImapServer
from tests.integrations.conftest import POLICY, VN, Cast
from tests.integrations.smtp_server import SmtpServer

CITIZEN = "Nguyễn Văn An <an.nguyen@example.vn>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def media(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def geotagged_jpeg(lon: float, lat: float) -> bytes:
    """A phone photo: camera model and the GPS position where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", _dms(lat)
    gps[3], gps[4] = "E", _dms(lon)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def e_mail(subject: str, body: str, *, photo: bytes | None = None) -> tuple[str, bytes]:
    message = EmailMessage()
    message["From"] = CITIZEN
    message["To"] = "phananh@example.vn"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.vn")
    message.set_content(body)
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="o-ga.jpg")
    return message["Message-ID"], message.as_bytes()


def _poll(
    session_factory: sessionmaker[Session], media: MediaStore, intake: Intake, box: MailboxSettings
):
    return poll_mailbox(session_factory, media, intake, box)


def _worker_round(session_factory: sessionmaker[Session], smtp: SmtpServer) -> None:
    email = SmtpEmailSender("127.0.0.1", smtp.port, sender="IOC <ioc@example.vn>", starttls=False)
    run_once(
        session_factory,
        Senders(push=None, webhooks=HttpWebhookSender(), email=email),
        tz=VN,
        max_attempts=3,
        staff=StaffChannels(email=True),
    )


def _area(session: Session, report: Report) -> str:
    area = session.get(Area, report.area_id)
    return area.code if area is not None else ""


def _reports(session: Session) -> list[Report]:
    session.expire_all()
    return list(session.scalars(select(Report).order_by(Report.id)))


def test_a_geotagged_e_mail_files_one_report_where_the_photo_was_taken_and_is_answered_with_the_ref(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    media: MediaStore,
    imap_server: ImapServer,
    mailbox: MailboxSettings,
    smtp: SmtpServer,
) -> None:
    _, raw = e_mail(
        "Ổ gà trên đường Lê Lợi", "Ổ gà sâu, xe máy dễ ngã.", photo=geotagged_jpeg(108.05, 16.05)
    )
    deliver(imap_server, mailbox.folder, raw)

    first = _poll(session_factory, media, intake, mailbox)
    _worker_round(session_factory, smtp)
    again = _poll(session_factory, media, intake, mailbox)

    (report,) = _reports(session)
    assert (first.filed, again.total) == (1, 0)
    assert report.channel == "email"
    assert (round(report.lon, 4), round(report.lat, 4)) == (108.05, 16.05)
    assert _area(session, report) == "A"
    assert report.description == "Ổ gà trên đường Lê Lợi\n\nỔ gà sâu, xe máy dễ ngã."
    assert report.reporter is not None
    assert (report.reporter.email, report.reporter.display_name) == (
        "an.nguyen@example.vn",
        "Nguyễn Văn An",
    )
    (photo,) = report.attachments
    stored = Image.open(io.BytesIO(media.read(photo.storage_key)))
    assert not stored.getexif()  # no camera, no GPS: stripped
    (reply,) = smtp.messages
    assert reply["To"] == "an.nguyen@example.vn"
    assert report.ref in reply["Subject"]
    assert report.ref in reply.get_content()
    (flags,) = flags_in(imap_server, mailbox.folder)
    assert {HANDLED, "\\Seen"} <= set(flags)


def test_the_same_message_delivered_twice_files_once(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    media: MediaStore,
    imap_server: ImapServer,
    mailbox: MailboxSettings,
) -> None:
    _, raw = e_mail("Đèn đường hỏng", "Đèn tắt cả tuần.", photo=geotagged_jpeg(108.15, 16.05))
    deliver(imap_server, mailbox.folder, raw)
    deliver(imap_server, mailbox.folder, raw)  # the mail server delivered it again

    polled = _poll(session_factory, media, intake, mailbox)

    assert (polled.filed, polled.known) == (1, 1)
    (report,) = _reports(session)
    assert _area(session, report) == "B"
    assert len(flags_in(imap_server, mailbox.folder)) == 2


def test_an_e_mail_without_a_place_waits_in_the_ioc_queue_until_an_operator_places_it(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    media: MediaStore,
    imap_server: ImapServer,
    mailbox: MailboxSettings,
    smtp: SmtpServer,
) -> None:
    untagged = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(untagged, "JPEG")
    _, raw = e_mail(
        "Rác tồn đọng", "Rác ở đầu hẻm 45 chưa được thu gom.", photo=untagged.getvalue()
    )
    deliver(imap_server, mailbox.folder, raw)

    polled = _poll(session_factory, media, intake, mailbox)
    _worker_round(session_factory, smtp)
    session.expire_all()
    (waiting,) = session.scalars(select(InboundMessage))
    before = (polled.held, waiting.status, _reports(session), list(smtp.messages))

    report = place_message(
        session,
        intake,
        message_id=waiting.id,
        actor=cast.operator,
        lon=108.15,
        lat=16.02,
        category_code="o_ga",
    )
    session.commit()
    _worker_round(session_factory, smtp)

    assert before == (1, InboundStatus.NEEDS_LOCATION, [], [])
    assert (waiting.status, waiting.report_id) == (InboundStatus.PLACED, report.id)
    assert (report.channel, _area(session, report)) == ("email", "B")
    assert report.status == ReportStatus.PENDING_REVIEW
    assert len(report.attachments) == 1
    assert report.received_at == waiting.received_at
    (reply,) = smtp.messages
    assert report.ref in reply.get_content()
    assert _poll(session_factory, media, intake, mailbox).total == 0


def test_a_place_outside_the_served_area_keeps_the_message_waiting(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    media: MediaStore,
    imap_server: ImapServer,
    mailbox: MailboxSettings,
) -> None:
    _, raw = e_mail("Cây đổ", "Cây đổ chắn đường.", photo=geotagged_jpeg(105.85, 21.03))
    deliver(imap_server, mailbox.folder, raw)

    polled = _poll(session_factory, media, intake, mailbox)
    (waiting,) = session.scalars(select(InboundMessage))

    assert (polled.held, _reports(session)) == (1, [])
    with pytest.raises(InvalidInput):
        place_message(
            session,
            intake,
            message_id=waiting.id,
            actor=cast.operator,
            lon=105.85,
            lat=21.03,
            category_code="o_ga",
        )
    assert waiting.status == InboundStatus.NEEDS_LOCATION


def test_the_e_mail_reporter_gets_the_staff_question_and_the_answer_by_e_mail(
    session: Session,
    session_factory: sessionmaker[Session],
    intake: Intake,
    cast: Cast,
    media: MediaStore,
    imap_server: ImapServer,
    mailbox: MailboxSettings,
    smtp: SmtpServer,
) -> None:
    _, raw = e_mail("Ổ gà", "Ổ gà lớn.", photo=geotagged_jpeg(108.05, 16.05))
    deliver(imap_server, mailbox.folder, raw)
    _poll(session_factory, media, intake, mailbox)
    (report,) = _reports(session)

    ask_citizen(session, report=report, actor=cast.operator, question="Ổ gà ở làn nào?")
    session.commit()
    _worker_round(session_factory, smtp)
    assign_report(session, policy=POLICY, report=report, actor=cast.operator, agency_code="LEAD")
    accept_report(session, report=report, actor=cast.officer)
    resolve_report(
        session, policy=POLICY, report=report, actor=cast.officer, answer="Đã vá xong.", photos=()
    )
    session.commit()
    _worker_round(session_factory, smtp)

    received, question, answer = smtp.messages
    assert report.ref in received.get_content()
    assert "Ổ gà ở làn nào?" in question.get_content()
    assert report.ref in question.get_content()
    assert "Đã vá xong." in answer.get_content()
    assert {m["To"] for m in smtp.messages} == {"an.nguyen@example.vn"}
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == 1
    assert utcnow() >= report.received_at
