"""The home page: Vietnamese, with the province and the report counts by status."""

from __future__ import annotations

from datetime import UTC, datetime

from shapely import box

from ioc.demo.seed import seed_demo
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.states import ReportStatus
from tests.factories import feature, make_agency, make_areas, make_category, make_rule


def _home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_home_page_is_in_vietnamese(client):
    page = _home(client)

    assert 'lang="vi"' in page
    assert "Trung tâm điều hành đô thị thông minh" in page


def test_home_page_shows_every_status_with_its_vietnamese_label(client):
    page = _home(client)

    for status in ReportStatus:
        assert status.label_vi in page


def test_empty_home_page_says_there_are_no_reports_yet(client):
    assert "Chưa có phản ánh nào." in _home(client)


def test_home_page_shows_the_province_name_after_seeding(client, session):
    seed_demo(session)

    assert "Tỉnh Hải Minh" in _home(client)


def test_home_page_lists_the_latest_report_with_its_status_and_agency(client, session, intake):
    make_areas(session, [feature("P", "Tỉnh Thử", box(108.0, 16.0, 108.2, 16.1))], level="province")
    category = make_category(session, "den_duong", name_vi="Đèn đường hỏng")
    make_rule(session, category, "P", make_agency(session, "SXD", name_vi="Sở Xây dựng"))
    report = submit_report(
        session,
        intake,
        category_code="den_duong",
        lon=108.1,
        lat=16.05,
        channel="web",
        address="12 Trần Phú",
        received_at=datetime(2025, 7, 7, 1, 0, tzinfo=UTC),
    )

    page = _home(client)

    assert report.ref in page
    for cell in ("Đèn đường hỏng", "chờ xử lý", "Sở Xây dựng", "12 Trần Phú"):
        assert f"<td>{cell}</td>" in page
    assert "Chưa có phản ánh nào." not in page


def test_home_page_shows_a_pending_report_as_waiting_for_the_ioc(client, session, intake):
    make_areas(session, [feature("P", "Tỉnh Thử", box(108.0, 16.0, 108.2, 16.1))], level="province")
    make_category(session, "khac", is_auto_dispatch=False)
    submit_report(session, intake, category_code="khac", lon=108.1, lat=16.05, channel="web")

    page = _home(client)

    assert "<td>chờ tiếp nhận</td>" in page
    assert "<td>Chờ IOC phân loại</td>" in page


def test_home_page_never_lists_a_private_tip(client, session, intake):
    make_areas(session, [feature("P", "Tỉnh Thử", box(108.0, 16.0, 108.2, 16.1))], level="province")
    make_category(session, "an_ninh", is_private=True, is_auto_dispatch=False)
    tip = submit_report(
        session,
        intake,
        category_code="an_ninh",
        lon=108.1,
        lat=16.05,
        channel="web",
        address="5 Hẻm Bí Mật",
    )

    page = _home(client)

    assert tip.ref not in page
    assert "5 Hẻm Bí Mật" not in page


def test_home_page_links_every_page(client):
    html = client.get("/").get_data(as_text=True)

    for path in ("/report", "/public", "/ops", "/ops/triage", "/agency", "/login"):
        assert f'href="{path}"' in html
