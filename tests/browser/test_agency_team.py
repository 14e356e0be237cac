"""The agency console for a department: the manager gives a report to an officer, the officer's
answer waits for the manager's sign-off, the citizen sees only the approved answer, and the
agency's own figures count it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.models import Agency
from tests.browser.conftest import LiveServer, screenshot, sign_in

MANAGER = "sxd.truongphong"
OFFICER = "sxd.canbo"
ANSWER = "Đã thay bóng đèn và kiểm tra lại toàn tuyến"


def _assigned_to_sxd(live_server: LiveServer, description: str) -> str:
    ref = live_server.submit_report(category="street_light", description=description)
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})
    return ref


def _sign_off(live_server: LiveServer, code: str, *, on: bool) -> None:
    """The agency's sign-off setting, as the province pack or the admin console would set it."""
    engine = make_engine(live_server.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            agency = session.scalars(select(Agency).where(Agency.code == code)).one()
            agency.requires_sign_off = on
    finally:
        engine.dispose()


def _photo(folder: Path) -> Path:
    path = folder / "sau-khi-sua.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _as_citizen(live_server: LiveServer, ref: str) -> dict[str, Any]:
    answer: dict[str, Any] = live_server.citizen("GET", f"/api/mobile/v1/reports/{ref}")
    return answer


def _figure(page: Page, name: str) -> int:
    """The number a figure tile shows ("1.204 (96 %)" reads 1204)."""
    text = page.locator(f'[data-figure="{name}"] b').inner_text()
    return int(re.match(r"[\d.]+", text).group().replace(".", ""))  # type: ignore[union-attr]


def test_a_managers_sign_off_publishes_the_officers_answer(
    open_page, live_server: LiveServer, tmp_path: Path
) -> None:
    ref = _assigned_to_sxd(live_server, "Đèn đường tắt cả dãy trước trường học")
    _sign_off(live_server, "SXD", on=True)
    try:
        manager = open_page()
        sign_in(manager, MANAGER)
        manager.get_by_test_id("view-team").wait_for()
        manager.locator(f'.report-item[data-ref="{ref}"]').click()
        manager.get_by_test_id("assignee-select").select_option(OFFICER)
        manager.get_by_test_id("assign").click()
        manager.get_by_role("status").filter(has_text=f"Đã phân công {ref}").wait_for()
        assert manager.get_by_test_id("assignee-name").inner_text() != "Chưa phân công"

        officer = open_page()
        sign_in(officer, OFFICER)
        officer.get_by_test_id("view-mine").wait_for()
        officer.locator(f'.report-item[data-ref="{ref}"]').click()
        officer.get_by_role("button", name="Tiếp nhận xử lý").click()
        officer.get_by_role("status").filter(has_text=f"Đã tiếp nhận {ref}").wait_for()
        officer.get_by_role("button", name="Báo cáo kết quả").click()
        officer.get_by_label("Kết quả xử lý (công khai)").fill(ANSWER)
        officer.get_by_label("Ảnh sau xử lý").set_input_files(str(_photo(tmp_path)))
        officer.get_by_role("button", name="Gửi").click()
        officer.get_by_test_id("awaiting-approval").wait_for()
        assert officer.get_by_test_id("awaiting-approval").inner_text() == "Chờ lãnh đạo duyệt"

        waiting = _as_citizen(live_server, ref)
        assert waiting["status"] != "resolved"
        assert waiting["result"] is None

        # The agency's figures before the answer goes out (other tests' reports count too).
        manager.get_by_test_id("section-figures").click()
        manager.get_by_test_id("figure-tiles").wait_for()
        on_time_before = _figure(manager, "on_time")
        late_before = _figure(manager, "late")
        manager.get_by_test_id("section-reports").click()

        manager.locator(f'.report-item[data-ref="{ref}"]').click()
        manager.get_by_test_id("draft").wait_for()
        assert manager.get_by_test_id("approve-answer").input_value() == ANSWER
        screenshot(manager, "agency-sign-off")
        manager.get_by_test_id("approve").click()
        manager.get_by_role("status").filter(
            has_text=f"Đã duyệt và công bố kết quả {ref}"
        ).wait_for()

        published = _as_citizen(live_server, ref)
        assert published["status"] == "resolved"
        assert published["result"]["text"] == ANSWER
        assert len(published["result"]["photos"]) == 1

        manager.get_by_test_id("section-figures").click()
        expect(manager.locator('[data-figure="on_time"] b')).to_have_text(
            re.compile(rf"^{on_time_before + 1}\b")
        )
        assert _figure(manager, "late") == late_before
        assert manager.locator(f'[data-officer="{OFFICER}"]').is_visible()
    finally:
        _sign_off(live_server, "SXD", on=False)


def test_the_manager_reads_the_agencys_figures_and_exports_the_same_period(page, live_server):
    _assigned_to_sxd(live_server, "Đèn chiếu sáng công viên hỏng")
    sign_in(page, MANAGER)

    page.get_by_test_id("section-figures").click()
    page.get_by_test_id("figure-tiles").wait_for()
    received = int(page.locator('[data-figure="received"] b').inner_text().replace(".", ""))
    assert received >= 1
    assert page.get_by_test_id("figures-table").is_visible()

    this_month = page.get_by_test_id("export-csv").get_attribute("href")
    page.get_by_test_id("figures-period").select_option("last_month")
    # The section is drawn again once the new period's figures arrive: wait for that drawing,
    # or the click below may land on a link that is being replaced.
    expect(page.get_by_test_id("export-csv")).not_to_have_attribute("href", this_month or "")
    page.get_by_test_id("figure-tiles").wait_for()
    href = page.get_by_test_id("export-csv").get_attribute("href")
    assert href.startswith("/api/agency/v1/exports/reports.csv?since=")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
