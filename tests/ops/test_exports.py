"""Exports of filtered reports as CSV and XLSX, for staff only, without reporter identity."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.report_models import AuditEntry
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
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
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


FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def formula_reports(session, intake, reports):
    return [
        submit_report(
            session,
            intake,
            category_code="rac",
            lon=108.05,
            lat=16.05,
            channel="phone",
            description=text,
            address=text,
        )
        for text in FORMULAS
    ]


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_formula_cells_come_out_inert_in_the_csv(client, formula_reports):
    response = client.get("/api/ops/v1/exports/reports.csv", headers=_operator(client))

    by_ref = {row[0]: row for row in _csv_rows(response)[1:]}
    for report, text in zip(formula_reports, FORMULAS, strict=True):
        assert by_ref[report.ref][10] == "'" + text
        assert by_ref[report.ref][9] == "'" + text


def test_formula_cells_come_out_inert_in_the_xlsx(client, formula_reports):
    response = client.get("/api/ops/v1/exports/reports.xlsx", headers=_operator(client))

    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows())
    assert all(cell.data_type != "f" for row in rows for cell in row)
    by_ref = {row[0].value: [cell.value for cell in row] for row in rows[1:]}
    for report, text in zip(formula_reports, FORMULAS, strict=True):
        assert by_ref[report.ref][10] == "'" + text
        assert by_ref[report.ref][9] == "'" + text


def test_the_xlsx_keeps_vietnamese_text_and_drops_what_xml_cannot_hold(client, session, intake):
    make_province_with_two_communes(session)
    make_category(session, "rac", name_vi='Rác thải <độc hại> & "bẩn"', is_auto_dispatch=False)
    session.add(
        User(role="ioc_operator", username="dieuhanh", password_hash=hash_password(PASSWORD))
    )
    report = submit_report(
        session,
        intake,
        category_code="rac",
        lon=108.05,
        lat=16.05,
        channel="phone",
        description="Rác\x1f ùn ứ\x0b ở ngõ 5\r\ndòng hai",
    )

    response = client.get("/api/ops/v1/exports/reports.xlsx", headers=_operator(client))

    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    row = [cell.value for cell in sheet[2]]
    assert row[0] == report.ref
    assert row[2] == 'Rác thải <độc hại> & "bẩn"'
    assert row[10] == "Rác ùn ứ ở ngõ 5\r\ndòng hai"
    assert sheet["A1"].font.b


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_start_streaming_before_the_whole_file_exists(client, reports, fmt):
    response = client.get(
        f"/api/ops/v1/exports/reports.{fmt}", headers=_operator(client), buffered=False
    )

    assert response.is_streamed
    assert "Content-Length" not in response.headers
    response.close()


def test_more_reports_than_one_batch_all_come_out_once(client, session, intake, reports):
    more = [
        submit_report(
            session,
            intake,
            category_code="den",
            lon=108.05,
            lat=16.05,
            channel="phone",
            description=f"Đèn số {n}",
        ).ref
        for n in range(1100)
    ]

    response = client.get("/api/ops/v1/exports/reports.xlsx", headers=_operator(client))

    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    refs = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(refs) == sorted(more + [r.ref for r in reports])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_is_in_the_audit_log_with_who_format_and_filters(
    client, session, reports, fmt
):
    client.get(
        f"/api/ops/v1/exports/reports.{fmt}?category=rac&since=2026-03-01&until=2026-03-12",
        headers=_operator(client),
    ).get_data()

    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export_reports")).one()
    operator = session.scalars(select(User).where(User.username == "dieuhanh")).one()
    assert entry.actor_id == operator.id
    assert entry.after["format"] == fmt
    assert entry.after["filters"]["category"] == "rac"
    assert entry.after["filters"]["since"].startswith("2026-02-28T17:00")


def test_the_export_names_each_reports_channel_and_filters_by_it(client, session, intake, reports):
    submit_report(
        session,
        intake,
        category_code="rac",
        lon=108.05,
        lat=16.05,
        channel="email",
        description="Gửi qua thư điện tử",
    )
    session.flush()

    response = client.get(
        "/api/ops/v1/exports/reports.csv?channel=email", headers=_operator(client)
    )

    rows = _csv_rows(response)
    assert rows[0][-1] == "Kênh tiếp nhận"
    assert [row[-1] for row in rows[1:]] == ["Thư điện tử"]
