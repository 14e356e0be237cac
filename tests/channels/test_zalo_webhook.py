"""The Zalo OA channel end to end: signed webhooks through the app, the conversation filing one
report through the intake, and the worker sending the ref and the answer to the OA stand-in."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.app import create_app
from ioc.db import utcnow
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.models import Agency, User
from ioc.feedback.report_models import Report
from ioc.feedback.sla.policy import SlaPolicy
from ioc.feedback.states import Channel, ReportStatus, Role
from ioc.integrations.deliveries import Senders
from ioc.integrations.models import Delivery, DeliveryStatus
from ioc.integrations.webhooks import HttpWebhookSender
from ioc.integrations.worker import Round, run_once
from ioc.integrations.zalo.models import ZaloContact
from ioc.integrations.zalo.oa import OaMessageSender
from ioc.integrations.zalo.signature import mac
from tests.channels.zalo_standin import ACCESS_TOKEN, ZaloOaStandIn
from tests.factories import (
    make_agency,
    make_category,
    make_province_with_two_communes,
    make_rule,
    make_user,
)

APP_ID = "1234567890"
OA_ID = "5555"
SECRET = "oa-secret-key"
USER = "zalo-user-42"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
IN_A = (108.05, 16.05)
WEBHOOK = "/api/channels/v1/zalo/webhook"


@pytest.fixture
def standin() -> Iterator[ZaloOaStandIn]:
    server = ZaloOaStandIn().start()
    yield server
    server.stop()


def _app(engine: Engine, session_factory, tmp_path: Path, policy: SlaPolicy, **zalo: str) -> Flask:
    app = create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
            **zalo,
        }
    )
    services = app.extensions["ioc"]
    services.session_factory = session_factory
    services.policy = policy
    services.intake = replace(services.intake, policy=policy)
    return app


@pytest.fixture
def zalo_app(
    engine: Engine, session_factory, tmp_path: Path, policy: SlaPolicy, standin: ZaloOaStandIn
) -> Flask:
    return _app(
        engine,
        session_factory,
        tmp_path,
        policy,
        zalo_app_id=APP_ID,
        zalo_oa_id=OA_ID,
        zalo_oa_secret_key=SECRET,
        zalo_access_token=ACCESS_TOKEN,
        zalo_api_url=standin.url,
    )


@pytest.fixture
def lead(session: Session) -> Agency:
    make_province_with_two_communes(session)
    lead = make_agency(session, "LEAD", name_vi="Công ty Công trình đô thị")
    category = make_category(session, "o_ga", name_vi="Ổ gà", is_auto_dispatch=True)
    make_category(session, "rac", name_vi="Rác thải", is_auto_dispatch=False)
    make_rule(session, category, "P", lead)
    session.commit()
    return lead


def _post(client: FlaskClient, document: dict[str, Any], *, signature: str | None = None) -> Any:
    body = json.dumps(document, ensure_ascii=False).encode()
    header = signature or "mac=" + mac(
        app_id=APP_ID, body=body, timestamp=document["timestamp"], secret_key=SECRET
    )
    return client.post(
        WEBHOOK,
        data=body,
        headers={"X-ZEvent-Signature": header, "Content-Type": "application/json"},
    )


def _event(
    name: str, msg_id: str, message: dict[str, Any], *, age: timedelta = timedelta(0)
) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "event_name": name,
        "timestamp": str(int((utcnow() - age).timestamp() * 1000)),
        "sender": {"id": USER},
        "recipient": {"id": OA_ID},
        "message": {"msg_id": msg_id, **message},
    }


def _text(msg_id: str, text: str, **kw: Any) -> dict[str, Any]:
    return _event("user_send_text", msg_id, {"text": text}, **kw)


def _image(msg_id: str, url: str) -> dict[str, Any]:
    attachment = {"type": "image", "payload": {"url": url, "thumbnail": url}}
    return _event("user_send_image", msg_id, {"attachments": [attachment]})


def _location(msg_id: str, lon: float, lat: float) -> dict[str, Any]:
    coordinates = {"latitude": str(lat), "longitude": str(lon)}
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    return _event("user_send_location", msg_id, {"attachments": [attachment]})


def _geotagged_jpeg() -> bytes:
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (16.0, 3.0, 0.0), 3: "E", 4: (108.0, 3.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"taken at home")
    return buffer.getvalue()


def _run_worker(session_factory: sessionmaker[Session], standin: ZaloOaStandIn) -> Round:
    zalo = OaMessageSender(api_url=standin.url, access_token=ACCESS_TOKEN)
    hooks = HttpWebhookSender()
    try:
        senders = Senders(push=None, webhooks=hooks, zalo=zalo)
        return run_once(session_factory, senders, tz=VN, max_attempts=3)
    finally:
        zalo.close()
        hooks.close()


def _reports(session: Session) -> list[Report]:
    session.expire_all()
    return list(session.scalars(select(Report).order_by(Report.id)))


def test_text_photo_and_location_file_one_report_and_the_user_hears_the_ref_and_the_answer(
    zalo_app: Flask,
    session: Session,
    session_factory: sessionmaker[Session],
    standin: ZaloOaStandIn,
    lead: Agency,
    policy: SlaPolicy,
) -> None:
    client = zalo_app.test_client()
    photo = standin.photo_url("p1.jpg", _geotagged_jpeg())
    sequence = [
        _text("t1", "Ổ gà lớn trước nhà số 12 đường Lê Lợi"),
        _image("i1", photo),
        _location("l1", *IN_A),
    ]

    answers = [_post(client, event) for event in sequence]
    again = [_post(client, event) for event in sequence]  # Zalo redelivers

    assert [a.status_code for a in answers + again] == [200] * 6
    assert [a.get_json()["result"] for a in answers] == ["handled", "handled", "filed"]
    assert [a.get_json()["result"] for a in again] == ["duplicate"] * 3
    (report,) = _reports(session)
    assert report.ref == answers[2].get_json()["ref"]
    assert report.channel == Channel.ZALO
    assert report.description == "Ổ gà lớn trước nhà số 12 đường Lê Lợi"
    assert (report.lon, report.lat) == IN_A
    assert report.category.code == "o_ga"
    # Routed as an app report would be: straight to the rule's lead agency.
    assert report.status == ReportStatus.ASSIGNED
    assert report.lead_agency_id == lead.id
    (attachment,) = report.attachments
    stored = zalo_app.extensions["ioc"].media.read(attachment.storage_key)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert "comment" not in image.info
    assert b"PhoneMaker" not in stored
    assert b"taken at home" not in stored
    # The Zalo user is a citizen who follows their report, like an app user.
    contact = session.scalar(select(ZaloContact).where(ZaloContact.zalo_user_id == USER))
    assert contact is not None
    reporter = session.get(User, contact.user_id)
    assert reporter is not None
    assert reporter.role == Role.CITIZEN
    assert report.reporter_id == reporter.id

    _run_worker(session_factory, standin)
    received = standin.texts_to(USER)
    assert any(report.ref in text and "Đã tiếp nhận" in text for text in received)

    officer = make_user(session, Role.AGENCY_OFFICER, "officer", lead)
    report = session.get(Report, report.id)
    assert report is not None
    accept_report(session, report=report, actor=officer)
    resolve_report(
        session, policy=policy, report=report, actor=officer, answer="Đã vá ổ gà", photos=()
    )
    session.commit()
    _run_worker(session_factory, standin)

    assert standin.texts_to(USER)[-1] == f"Phản ánh {report.ref}: Đã xử lý xong: Đã vá ổ gà"
    statuses = {d.status for d in session.scalars(select(Delivery))}
    assert statuses == {DeliveryStatus.DELIVERED}


def test_a_bad_signature_gets_401_and_files_nothing(
    zalo_app: Flask, session: Session, lead: Agency
) -> None:
    client = zalo_app.test_client()
    forged = "mac=" + mac(app_id=APP_ID, body=b"{}", timestamp="1", secret_key="guess")
    event = _location("l1", *IN_A)

    answers = [
        _post(client, _text("t1", "Ổ gà"), signature=forged),
        client.post(WEBHOOK, json=event),  # no signature at all
        _post(client, event, signature="sha256=abc"),
    ]

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].get_json()["error"]["code"] == "unauthenticated"
    assert _reports(session) == []
    assert session.scalar(select(func.count()).select_from(ZaloContact)) == 0


def test_an_event_older_than_the_window_is_refused_as_a_replay(
    zalo_app: Flask, session: Session, lead: Agency
) -> None:
    client = zalo_app.test_client()

    old = _post(client, _text("t1", "Ổ gà trước nhà", age=timedelta(minutes=6)))
    ahead = _post(client, _text("t2", "Ổ gà trước nhà", age=-timedelta(minutes=6)))

    assert (old.status_code, ahead.status_code) == (401, 401)
    assert "replay" in old.get_json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(ZaloContact)) == 0


def test_the_webhook_answers_404_while_the_channel_is_not_configured(
    engine: Engine, session_factory, tmp_path: Path, policy: SlaPolicy
) -> None:
    client = _app(engine, session_factory, tmp_path, policy).test_client()

    answer = _post(client, _text("t1", "Ổ gà"))

    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "channel_unavailable"


def test_unknown_events_are_acknowledged_and_ignored(
    zalo_app: Flask, session: Session, lead: Agency
) -> None:
    client = zalo_app.test_client()

    seen = _post(client, _event("user_seen_message", "s1", {}))

    assert seen.status_code == 200
    assert seen.get_json()["result"] == "ignored"
    assert session.scalar(select(func.count()).select_from(ZaloContact)) == 0


def test_without_a_suggestion_the_user_picks_the_category_by_number(
    zalo_app: Flask,
    session: Session,
    session_factory: sessionmaker[Session],
    standin: ZaloOaStandIn,
    lead: Agency,
) -> None:
    client = zalo_app.test_client()

    _post(client, _location("l1", *IN_A))
    _post(client, _text("t1", "Đèn đường hỏng cả tuần nay"))
    _run_worker(session_factory, standin)
    question = standin.texts_to(USER)[-1]
    chosen = _post(client, _text("t2", "2"))

    assert "1. Ổ gà" in question
    assert "2. Rác thải" in question
    assert chosen.get_json()["result"] == "filed"
    (report,) = _reports(session)
    assert report.category.code == "rac"
    assert report.description == "Đèn đường hỏng cả tuần nay"
    assert report.status == ReportStatus.PENDING_REVIEW


def test_a_location_outside_the_area_is_answered_and_a_new_one_files(
    zalo_app: Flask,
    session: Session,
    session_factory: sessionmaker[Session],
    standin: ZaloOaStandIn,
    lead: Agency,
) -> None:
    client = zalo_app.test_client()

    _post(client, _text("t1", "Ổ gà sâu giữa đường"))
    outside = _post(client, _location("l1", 105.0, 21.0))
    _run_worker(session_factory, standin)
    told = standin.texts_to(USER)[-1]
    inside = _post(client, _location("l2", *IN_A))

    assert outside.get_json()["result"] == "handled"
    assert "ngoài địa bàn" in told
    assert inside.get_json()["result"] == "filed"
    assert len(_reports(session)) == 1
