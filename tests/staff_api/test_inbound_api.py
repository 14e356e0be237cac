"""E-mails waiting for a place, as the triage console reads them: their text, their photos
(stripped, served to the operations centre's readers only) and their sender (shown as a
report's reporter is: IOC staff, viewers only where the province grants it)."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from ioc.db import utcnow
from ioc.feedback.citizen_models import InboundMessage
from ioc.feedback.intake.photos import process_photo
from ioc.feedback.intake.submission import stage_photos
from ioc.feedback.lifecycle.inbound import Received, receive_message
from ioc.feedback.lifecycle.placement import place_message
from ioc.feedback.report_models import AuditEntry
from ioc.feedback.states import Channel
from tests.staff_api.conftest import World

OPS = "/api/ops/v1"
SENDER = ("tran.binh@example.vn", "Trần Thị Bình")


def _camera_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 40, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _waiting_e_mail(app: Flask, world: World) -> InboundMessage:
    """An e-mail without a place, received as the mailbox job receives one."""
    media = app.extensions["ioc"].media
    with media.staged() as batch:
        stored = stage_photos(batch, [process_photo(_camera_photo(), field="photos[0]")])
    record = receive_message(
        world.session,
        world.intake,
        message=Received(
            channel=Channel.EMAIL,
            external_id="<cot-den@example.vn>",
            sender_email=SENDER[0],
            sender_name=SENDER[1],
            subject="Cột đèn nghiêng",
            body="Cột đèn trước số 12 bị nghiêng.",
            received_at=utcnow(),
            photos=stored,
        ),
        category_code="den_duong",
    )
    world.session.flush()
    return record


def test_an_operator_reads_a_waiting_e_mail_with_its_sender_and_its_stripped_photo(
    app: Flask, client: FlaskClient, world: World
) -> None:
    record = _waiting_e_mail(app, world)

    answer = client.get(f"{OPS}/inbound", headers=world.headers["ioc_operator"])
    [item] = answer.get_json()["items"]
    photo = client.get(item["photos"][0]["url"], headers=world.headers["ioc_operator"])
    thumbnail = client.get(
        item["photos"][0]["thumbnail_url"], headers=world.headers["ioc_operator"]
    )

    assert (item["id"], item["sender_name"], item["sender_email"]) == (record.id, *SENDER[::-1])
    assert item["description"].startswith("Cột đèn nghiêng")
    assert photo.status_code == 200
    assert photo.headers["Cache-Control"] == "private, no-store"
    assert Image.open(io.BytesIO(photo.data)).getexif().get(0x010F) is None
    assert Image.open(io.BytesIO(thumbnail.data)).size < Image.open(io.BytesIO(photo.data)).size
    reads = world.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "inbound_message")
    ).all()
    assert [entry.target_ref for entry in reads] == [str(record.id)]


def test_a_viewer_sees_the_e_mail_but_not_who_sent_it(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _waiting_e_mail(app, world)

    [item] = client.get(f"{OPS}/inbound", headers=world.headers["viewer"]).get_json()["items"]
    photo = client.get(item["photos"][0]["url"], headers=world.headers["viewer"])

    assert (item["sender_name"], item["sender_email"]) == (None, None)
    assert photo.status_code == 200


def test_agencies_and_strangers_cannot_fetch_a_waiting_photo(
    app: Flask, client: FlaskClient, world: World
) -> None:
    record = _waiting_e_mail(app, world)
    url = f"{OPS}/inbound/{record.id}/photos/1"

    statuses = [
        client.get(url, headers=world.headers[caller]).status_code
        for caller in ("anonymous", "citizen", "sxd_officer")
    ]

    assert statuses == [401, 401, 403]
    assert (
        client.get(
            f"{OPS}/inbound/{record.id}/photos/2", headers=world.headers["ioc_operator"]
        ).status_code
        == 404
    )


def test_once_placed_the_photo_is_the_reports_and_no_longer_a_waiting_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    record = _waiting_e_mail(app, world)
    report = place_message(
        world.session,
        world.intake,
        message_id=record.id,
        actor=world.users["ioc_operator"],
        lon=108.05,
        lat=16.05,
        category_code="den_duong",
    )
    world.session.flush()

    waiting = client.get(
        f"{OPS}/inbound/{record.id}/photos/1", headers=world.headers["ioc_operator"]
    )
    listed = client.get(f"{OPS}/inbound", headers=world.headers["ioc_operator"]).get_json()

    assert waiting.status_code == 404
    assert listed["items"] == []
    assert len(report.attachments) == 1
