"""The hotline: operators file a caller's report with photos, once per Idempotency-Key, and
the caller's name and phone stay inside the operations centre."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.report_models import Report
from ioc.media import MediaStore
from tests.factories import make_category, make_province_with_two_communes

PASSWORD = "mat-khau-dai-1"
CALL = {
    "channel": "phone",
    "caller": {"name": "Bà Trần Thị Mai", "phone": "+84905111222"},
    "category": "rac",
    "lon": 108.05,
    "lat": 16.05,
    "description": "Rác tồn đọng ba ngày ở đầu hẻm",
}


@pytest.fixture
def operator(client, session) -> dict[str, str]:
    make_province_with_two_communes(session)
    make_category(session, "rac", is_auto_dispatch=False)
    session.add(
        User(role="ioc_operator", username="dieuhanh", password_hash=hash_password(PASSWORD))
    )
    session.flush()
    answer = client.post("/api/auth/login", json={"username": "dieuhanh", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CallerPhone"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (16.0, 3.0, 0.0), "E", (108.0, 3.0, 0.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "brown").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def _multipart(body: dict, photos: list[bytes]) -> dict:
    return {
        "report": json.dumps(body),
        "photos": [(io.BytesIO(raw), f"anh-{i}.jpg", "image/jpeg") for i, raw in enumerate(photos)],
    }


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Report)) or 0


def test_a_phoned_in_report_takes_photos_stored_without_their_metadata(
    client, session, app, operator
):
    response = client.post(
        "/api/ops/v1/reports",
        data=_multipart(CALL, [_photo_with_gps(), _photo_with_gps()]),
        headers=operator,
        content_type="multipart/form-data",
    )

    assert response.status_code == 201, response.get_json()
    report = session.scalar(select(Report).where(Report.ref == response.get_json()["ref"]))
    assert report.channel == "phone"
    assert response.get_json()["channel"] == {"code": "phone", "name": "Đường dây nóng"}
    assert len(report.attachments) == 2
    media = MediaStore(app.extensions["ioc"].settings.media_dir)
    stored = Image.open(io.BytesIO(media.read(report.attachments[0].storage_key)))
    assert not stored.getexif()


def test_the_same_idempotency_key_twice_files_one_report_and_answers_the_same(
    client, session, operator
):
    headers = {**operator, "Idempotency-Key": "cuoc-goi-0001"}

    first = client.post("/api/ops/v1/reports", json=CALL, headers=headers)
    again = client.post("/api/ops/v1/reports", json=CALL, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert _count(session) == 1


def test_a_double_click_with_photos_files_once(client, session, operator):
    headers = {**operator, "Idempotency-Key": "cuoc-goi-0002"}
    photo = _photo_with_gps()

    for _ in range(2):
        response = client.post(
            "/api/ops/v1/reports",
            data=_multipart(CALL, [photo]),
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == 201

    assert _count(session) == 1


def test_the_same_key_with_another_report_is_refused_and_files_nothing(client, session, operator):
    headers = {**operator, "Idempotency-Key": "cuoc-goi-0003"}
    client.post("/api/ops/v1/reports", json=CALL, headers=headers)

    other = client.post(
        "/api/ops/v1/reports", json={**CALL, "description": "Cây đổ"}, headers=headers
    )

    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["error"]["details"]["fields"]
    assert _count(session) == 1


def test_the_callers_name_and_phone_never_reach_the_public(client, session, operator):
    ref = client.post("/api/ops/v1/reports", json=CALL, headers=operator).get_json()["ref"]

    public = client.get(f"/open311/v2/requests/{ref}.json")

    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "+84905111222" not in text
    assert "Trần Thị Mai" not in text
