"""Exports of filtered reports as CSV and XLSX, for staff only, without reporter identity."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from tests.factories import make_category, make_province_with_two_communes

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def reports(session, intake):
    make_province_with_two_communes(session)
    make_category(session, "rac", name_vi="Rác thải", is_auto_dispatch=False)
    make_category(session, "den", name_vi="Đèn đường", is_auto_dispatch=False)
    session.add(
        User(role="ioc_operator", username="dieuhanh", password_hash=hash_password(PASSWORD))
    )
    citizen = User(role="citizen", display_name="Võ Thị Cúc", phone="+84905999888")
    session.add(citizen)
    session.flush()
    return [
        submit_report(
            session,
            intake,
            category_code=code,
            lon=108.05,
            lat=16.05,
            channel="phone",
            description=f"Phản ánh {n}",
            reporter_id=citizen.id,
        )
        for n, code in enumerate(["rac", "rac", "den"])
    ]


def _operator(client) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": "dieuhanh", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_the_csv_export_has_a_vietnamese_header_and_one_row_per_report(client, reports):
    response = client.get("/api/ops/v1/exports/reports.csv", headers=_operator(client))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Mã phản ánh", "Thời điểm tiếp nhận", "Lĩnh vực"]
    assert sorted(row[0] for row in rows[1:]) == sorted(r.ref for r in reports)


def test_the_export_follows_the_filters(client, reports):
    response = client.get("/api/ops/v1/exports/reports.csv?category=den", headers=_operator(client))

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["Đèn đường"]


def test_exports_never_carry_the_reporter_identity(client, reports):
    text = client.get("/api/ops/v1/exports/reports.csv", headers=_operator(client)).get_data(
        as_text=True
    )

    assert "Võ Thị Cúc" not in text
    assert "+84905999888" not in text


def test_the_xlsx_export_opens_with_the_same_rows(client, reports):
    response = client.get("/api/ops/v1/exports/reports.xlsx", headers=_operator(client))

    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == len(reports) + 1
    assert sheet["A1"].value == "Mã phản ánh"


def test_exports_need_a_staff_sign_in(client, reports):
    assert client.get("/api/ops/v1/exports/reports.csv").status_code == 401
