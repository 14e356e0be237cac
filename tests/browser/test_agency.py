"""The agency console: an officer handles what the routing sent to their agency."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from ioc.db import utcnow
from tests.browser.conftest import LIVE_TIMEOUT_MS, screenshot, sign_in

# Routed straight to the Department of Construction (SXD) by the demo rules; no photo needed.
TRAFFIC_LIGHT = {"category": "traffic_light", "attributes": {"light_fault": "all_off"}}


def _assigned_to_sxd(live_server, description: str) -> str:
    """A report the operators sent to SXD alone (no supporting agency has to report first)."""
    ref = live_server.submit_report(category="street_light", description=description)
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})
    return ref


def _make_overdue(live_server, ref: str) -> None:
    live_server.update_report(ref, due_at=utcnow() - timedelta(hours=2))


def _photo(folder: Path) -> Path:
    path = folder / "sau-khi-sua.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_officer_accepts_notes_and_resolves_with_a_photo_overdue_first(
    page, live_server, tmp_path
):
    on_time = _assigned_to_sxd(live_server, "Cả dãy đèn đường tắt")
    late = _assigned_to_sxd(live_server, "Đèn đường chập chờn")
    _make_overdue(live_server, late)

    sign_in(page, "sxd.canbo")
    first = page.locator(".report-item").first
    first.wait_for()
    assert first.get_attribute("data-ref") == late
    assert "Quá hạn" in first.inner_text()
    assert "quá hạn" in first.locator("[data-deadline]").inner_text()

    page.locator(f'.report-item[data-ref="{on_time}"]').click()
    page.get_by_role("button", name="Tiếp nhận xử lý").click()
    page.get_by_role("status").filter(has_text=f"Đã tiếp nhận {on_time}").wait_for()

    page.get_by_role("button", name="Ghi chú tiến độ").click()
    page.get_by_label("Nội dung ghi chú").fill("Đã cử đội kỹ thuật ra hiện trường")
    page.get_by_label("Công khai cho người dân").check()
    page.get_by_role("button", name="Gửi").click()
    page.get_by_role("status").filter(has_text="Đã ghi chú").wait_for()

    page.get_by_role("button", name="Báo cáo kết quả").click()
    page.get_by_label("Kết quả xử lý (công khai)").fill("Đã thay bộ điều khiển, đèn hoạt động lại")
    page.get_by_label("Ảnh sau xử lý").set_input_files(str(_photo(tmp_path)))
    assert page.get_by_role("img", name="Ảnh đã chọn 1").is_visible()
    screenshot(page, "agency")
    page.get_by_role("button", name="Gửi").click()
    page.get_by_role("status").filter(has_text=f"Đã báo cáo kết quả xử lý {on_time}").wait_for()

    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{on_time}")
    assert report["status"] == "resolved"
    assert report["result_text"] == "Đã thay bộ điều khiển, đèn hoạt động lại"
    assert [p["purpose"] for p in report["photos"]] == ["after"]
    assert any(e["note"] == "Đã cử đội kỹ thuật ra hiện trường" for e in report["timeline"])
    page.get_by_role("img", name=f"Ảnh kết quả 1 của phản ánh {on_time}").wait_for()
    page.locator(f'.report-item[data-ref="{on_time}"]').wait_for(state="detached")


def test_returning_needs_a_reason_and_sends_the_report_back(page, live_server):
    ref = live_server.submit_report(**TRAFFIC_LIGHT)
    sign_in(page, "sxd.canbo")
    page.locator(f'.report-item[data-ref="{ref}"]').click()

    page.get_by_role("button", name="Chuyển trả").click()
    page.get_by_role("button", name="Gửi").click()
    assert "Lý do chuyển trả" in page.get_by_role("alert").inner_text()
    page.get_by_label("Lý do chuyển trả").fill("Đèn do Công an giao thông quản lý")
    page.get_by_role("button", name="Gửi").click()

    page.get_by_role("status").filter(has_text=f"Đã chuyển trả {ref}").wait_for()
    assert live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")["status"] == (
        "returned"
    )


def test_a_report_assigned_to_the_agency_arrives_without_a_reload(page, live_server):
    sign_in(page, "sxd.canbo")
    page.wait_for_function("window.iocAgency && window.iocAgency.live.status === 'online'")

    ref = live_server.submit_report(**TRAFFIC_LIGHT)

    page.locator(f'.report-item[data-ref="{ref}"]').wait_for(timeout=LIVE_TIMEOUT_MS)


def test_a_report_waiting_for_the_citizen_shows_as_paused_never_overdue(page, live_server):
    ref = _assigned_to_sxd(live_server, "Đèn đường tắt, chưa rõ cột nào")
    live_server.staff(
        "sxd.canbo",
        "POST",
        f"/api/agency/v1/reports/{ref}/ask-citizen",
        {"question": "Anh/chị cho biết số hiệu cột đèn?"},
    )
    _make_overdue(live_server, ref)  # the stored deadline has passed; the clock is paused

    sign_in(page, "sxd.canbo")
    item = page.locator(f'.report-item[data-ref="{ref}"]')
    item.wait_for()
    assert item.get_attribute("data-clock-state") == "paused"
    assert "Tạm dừng" in item.inner_text()
    assert "Quá hạn" not in item.inner_text()
    assert item.locator("[data-deadline]").inner_text() == "tạm dừng — chờ người dân bổ sung"

    item.click()
    countdown = page.locator(".report-head .countdown")
    countdown.wait_for()
    assert countdown.inner_text() == "tạm dừng — chờ người dân bổ sung"
    assert "is-overdue" not in countdown.get_attribute("class")
    assert "chờ người dân bổ sung" in page.locator("[data-fact=deadline]").inner_text()

    page.get_by_role("button", name="Chuyển sang tiếng Anh").click()
    page.locator(".report-head .countdown", has_text="paused — waiting for the citizen").wait_for()
