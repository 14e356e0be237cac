"""Operators file reports for citizens who phoned, and moderate what the public sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ioc.feedback.intake.filing import StoredPhoto, submit_report
from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.report_models import Attachment, Report
from tests.factories import make_category, make_province_with_two_communes

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def world(session):
    make_province_with_two_communes(session)
    make_category(
        session, "rac", is_auto_dispatch=False, is_photo_required=True, is_after_photo_required=True
    )
    hashed = hash_password(PASSWORD)
    session.add_all(
        [
            User(role="ioc_operator", username="dieuhanh", password_hash=hashed),
            User(role="viewer", username="lanhdao", password_hash=hashed),
        ]
    )
    session.flush()


def _as(client, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


PHONE_CALL = {
    "channel": "phone",
    "caller": {"name": "Bà Trần Thị Mai", "phone": "+84905111222"},
    "category": "rac",
    "lon": 108.05,
    "lat": 16.05,
    "description": "Rác tồn đọng ba ngày ở đầu hẻm",
}


def test_an_operator_files_a_phoned_in_report_without_a_photo(client, session, world):
    response = client.post("/api/ops/v1/reports", json=PHONE_CALL, headers=_as(client, "dieuhanh"))

    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending_review"
    assert body["reporter"]["name"] == "Bà Trần Thị Mai"
    report = session.scalar(select(Report).where(Report.ref == body["ref"]))
    assert report.channel == "phone"


def test_a_caller_with_the_same_phone_is_the_same_reporter(client, session, world):
    headers = _as(client, "dieuhanh")
    first = client.post("/api/ops/v1/reports", json=PHONE_CALL, headers=headers).get_json()
    second = client.post("/api/ops/v1/reports", json=PHONE_CALL, headers=headers).get_json()

    session.expire_all()
    reporters = {
        session.scalar(select(Report.reporter_id).where(Report.ref == ref))
        for ref in (first["ref"], second["ref"])
    }
    assert len(reporters) == 1


def test_a_viewer_cannot_file_reports(client, world):
    response = client.post("/api/ops/v1/reports", json=PHONE_CALL, headers=_as(client, "lanhdao"))

    assert response.status_code == 403


def test_the_mobile_channel_is_not_for_operators(client, world):
    response = client.post(
        "/api/ops/v1/reports",
        json={**PHONE_CALL, "channel": "mobile"},
        headers=_as(client, "dieuhanh"),
    )

    assert response.status_code == 422


def test_moderation_replaces_the_public_text_and_hides_a_photo(client, session, world, intake):
    photo = StoredPhoto("2026/11/a.jpg", "2026/11/a-t.jpg", "image/jpeg", 10, 10, 100, "0" * 64)
    report = submit_report(
        session,
        intake,
        category_code="rac",
        lon=108.05,
        lat=16.05,
        channel="web",
        description="Gọi 0905 123 456 mà không ai nghe",
        photos=[photo],
    )

    response = client.post(
        f"/api/ops/v1/reports/{report.ref}/moderate",
        json={"description": "Rác tồn đọng", "hide_photos": ["2026/11/a.jpg"]},
        headers=_as(client, "dieuhanh"),
    )

    assert response.status_code == 200
    session.expire_all()
    assert (
        session.scalar(select(Report.description).where(Report.id == report.id)) == "Rác tồn đọng"
    )
    assert session.scalar(select(Attachment.is_hidden).where(Attachment.report_id == report.id))
    assert client.get("/media/2026/11/a.jpg").status_code == 404


def test_moderating_a_photo_of_another_report_is_refused(client, session, world, intake):
    report = submit_report(
        session, intake, category_code="rac", lon=108.05, lat=16.05, channel="phone"
    )

    response = client.post(
        f"/api/ops/v1/reports/{report.ref}/moderate",
        json={"hide_photos": ["2026/11/other.jpg"]},
        headers=_as(client, "dieuhanh"),
    )

    assert response.status_code == 422
