"""The issue's whole story in real browsers: a citizen reports on a phone, the report appears
on the open wall map within two seconds, the agency resolves it, the wall map recolours it and
the public portal shows it; no page logs an error."""

from __future__ import annotations

import io

from PIL import Image

from tests.browser.conftest import LIVE_TIMEOUT_MS, PHONE, sign_in, wait_until

WALL = "window.iocWallMap"
PUBLIC = "window.iocPublicMap"


def test_a_citizen_report_goes_live_to_the_wall_map_is_resolved_and_published(
    open_page, live_server, tmp_path
):
    wall = open_page(viewport={"width": 1920, "height": 1080})
    sign_in(wall, "dieuhanh", next_path="/ops")
    wall.wait_for_function(f"{WALL} && {WALL}.ready === true")

    phone = open_page(**{**PHONE, "geolocation": {"longitude": 108.7461, "latitude": 15.5748}})
    phone.goto("/report")
    phone.wait_for_function("window.iocReport && window.iocReport.ready")
    phone.get_by_label("Lĩnh vực").select_option("street_light")
    phone.get_by_label("Tình trạng đèn").select_option("damaged_pole")
    phone.get_by_text("Đã chọn:").wait_for()
    phone.get_by_label("Mô tả").fill("Cột đèn nghiêng sắp đổ ra đường")
    phone.get_by_role("button", name="Gửi phản ánh").click()
    sent = phone.get_by_role("status").filter(has_text="Đã gửi phản ánh").first
    sent.wait_for()
    ref = sent.inner_text().split("Đã gửi phản ánh ")[1].split(".")[0]

    # Within two seconds of the citizen's answer, without a reload.
    wait_until(
        lambda: wall.evaluate(f"{WALL}.reportStatus({ref!r})") == "pending_review",
        timeout=2.0,
        what="the citizen's report on the wall map",
    )
    wall.locator(f'[data-ref="{ref}"][data-event-type="report.created"]').wait_for(timeout=2000)
    colour_before = wall.evaluate(f"{WALL}.reportColor({ref!r})")

    # The operators send it to the Department of Construction (no supporting agency).
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})

    agency = open_page()
    sign_in(agency, "sxd.canbo")
    agency.locator(f'.report-item[data-ref="{ref}"]').click()
    agency.get_by_role("button", name="Tiếp nhận xử lý").click()
    agency.get_by_role("status").filter(has_text=f"Đã tiếp nhận {ref}").wait_for()
    agency.get_by_role("button", name="Báo cáo kết quả").click()
    agency.get_by_label("Kết quả xử lý (công khai)").fill("Đã dựng lại cột đèn và gia cố móng")
    photo = tmp_path / "cot-den.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 90, 160)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    agency.get_by_label("Ảnh sau xử lý").set_input_files(str(photo))
    agency.get_by_role("button", name="Gửi").click()
    agency.get_by_role("status").filter(has_text=f"Đã báo cáo kết quả xử lý {ref}").wait_for()

    wait_until(
        lambda: wall.evaluate(f"{WALL}.reportStatus({ref!r})") == "resolved",
        timeout=5,
        what="the resolution on the wall map",
    )
    assert wall.evaluate(f"{WALL}.reportColor({ref!r})") != colour_before
    wall.locator(f'[data-ref="{ref}"][data-event-type="report.resolved"]').wait_for()

    # The citizen sees it too, live.
    phone.locator("[data-status-line]", has_text="Đã xử lý").wait_for(timeout=LIVE_TIMEOUT_MS)

    public = open_page()
    public.goto("/public")
    public.wait_for_function(f"{PUBLIC} && {PUBLIC}.ready === true")
    wait_until(
        lambda: public.evaluate(f"{PUBLIC}.hasReport({ref!r})"),
        timeout=5,
        what="the result on the public portal",
    )
