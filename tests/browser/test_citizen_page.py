"""The citizen page /report on a phone: report with photos and attributes, survive a dropped
connection, be told about a nearby report, follow one's report live and rate the result."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.report_models import Report
from tests.browser.conftest import LIVE_TIMEOUT_MS, PHONE, screenshot

READY = "window.iocReport && window.iocReport.ready"


def _phone_at(lon: float, lat: float) -> dict:
    return {**PHONE, "geolocation": {"longitude": lon, "latitude": lat, "accuracy": 10}}


def _photo(folder: Path, name: str = "den-hong.jpg") -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 120, 30)).save(buffer, format="JPEG")
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


def _reports_described(live_server, description: str) -> int:
    engine = make_engine(live_server.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            return session.scalar(
                select(func.count()).select_from(Report).where(Report.description == description)
            )
    finally:
        engine.dispose()


def _fill_street_light(page, description: str, photo: Path | None = None) -> None:
    page.wait_for_function(READY)
    page.get_by_label("Lĩnh vực").select_option("street_light")
    page.get_by_label("Tình trạng đèn").select_option("off")
    page.get_by_text("Đã chọn:").wait_for()  # the device's position
    if photo:
        page.get_by_label("Ảnh hiện trường").set_input_files(str(photo))
        page.get_by_role("img", name="Ảnh 1 sẽ gửi").wait_for()
    page.get_by_label("Mô tả").fill(description)


def _sent_ref(page) -> str:
    status = page.get_by_role("status").filter(has_text="Đã gửi phản ánh").first
    status.wait_for()
    return status.inner_text().split("Đã gửi phản ánh ")[1].split(".")[0]


def test_a_citizen_reports_with_a_photo_follows_it_live_and_rates_the_result(
    open_page, live_server, tmp_path
):
    page = open_page(**_phone_at(108.7312, 15.5634))
    page.goto("/report")
    _fill_street_light(page, "Cả dãy đèn đường trước chợ tắt", _photo(tmp_path))
    page.get_by_label("Số hiệu cột đèn").fill("CD-042")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "citizen-report")

    page.get_by_role("button", name="Gửi phản ánh").click()

    ref = _sent_ref(page)
    assert "Chờ tiếp nhận" in page.locator("[data-status-line]").inner_text()
    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert report["attributes"] == {"light_issue": "off", "pole_number": "CD-042"}
    assert [p["purpose"] for p in report["photos"]] == ["before"]
    assert report["description"] == "Cả dãy đèn đường trước chợ tắt"

    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})
    live_server.staff("sxd.canbo", "POST", f"/api/agency/v1/reports/{ref}/accept")
    live_server.staff(
        "sxd.canbo", "POST", f"/api/agency/v1/reports/{ref}/resolve", {"answer": "Đã thay bóng"}
    )

    # The answer arrives live.
    page.locator("[data-status-line]", has_text="Đã xử lý").wait_for(timeout=LIVE_TIMEOUT_MS)
    assert page.get_by_text("Đã thay bóng").first.is_visible()
    screenshot(page, "citizen-tracking")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_role("status").filter(has_text="Cảm ơn bạn đã đánh giá").wait_for()
    rated = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert rated["rating"] == "satisfied"
    assert rated["status"] == "closed"


def test_a_connection_dropped_while_sending_still_files_exactly_one_report(
    open_page, live_server, console
):
    # The connection drops after the server filed the report but before the answer arrived:
    # the page must send it again with the same Idempotency-Key and get the same report back.
    console.allow("ERR_INTERNET_DISCONNECTED")
    console.allow("ERR_FAILED")
    console.allow("WebSocket")
    page = open_page(**_phone_at(108.7355, 15.5672), service_workers="block")
    context = page.context
    keys: list[str] = []

    def lose_the_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server files the report...
            context.set_offline(True)
            route.abort("internetdisconnected")  # ...and the answer never arrives
        else:
            route.continue_()

    page.route("**/api/mobile/v1/reports", lose_the_answer)
    page.goto("/report")
    description = "Đèn đường chập chờn cả tối (mất mạng khi gửi)"
    _fill_street_light(page, description)
    page.get_by_role("button", name="Gửi phản ánh").click()

    page.locator('[data-draft][data-state="waiting"]').wait_for()
    assert "Mất kết nối" in page.locator("[data-draft]").inner_text()
    assert page.get_by_text("Bạn đang ngoại tuyến").is_visible()
    context.set_offline(False)

    _sent_ref(page)
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert _reports_described(live_server, description) == 1
    assert page.locator("[data-draft]").count() == 0


def test_reporting_next_to_an_open_report_offers_to_follow_it(open_page, live_server):
    existing = live_server.submit_report(
        category="street_light", lon=108.7401, lat=15.5603, citizen="hang-xom"
    )
    page = open_page(**_phone_at(108.7402, 15.5603))
    page.goto("/report")
    page.wait_for_function(READY)
    page.get_by_text("Đã chọn:").wait_for()

    page.get_by_label("Lĩnh vực").select_option("street_light")

    region = page.get_by_role("region").filter(has_text="Đã có người phản ánh việc này")
    region.wait_for()
    assert existing in region.inner_text()
    page.get_by_role("button", name="Theo dõi phản ánh này").click()
    page.get_by_role("status").filter(has_text=f"Bạn đang theo dõi {existing}").wait_for()
    assert (
        live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{existing}")["support_count"]
        == 1
    )


def test_a_missing_required_attribute_is_named_and_nothing_is_sent(open_page, live_server):
    page = open_page(**_phone_at(108.7288, 15.5701))
    page.goto("/report")
    page.wait_for_function(READY)
    page.get_by_label("Lĩnh vực").select_option("street_light")
    page.get_by_role("button", name="Gửi phản ánh").click()

    assert "Tình trạng đèn" in page.get_by_role("alert").inner_text()
    assert page.locator("[data-draft]").count() == 0


def test_the_page_installs_and_opens_without_a_connection(open_page, live_server, console):
    # Offline, the live connection and the map's boundary layer fail (and say so); the form
    # itself must still open.
    for expected in ("ERR_INTERNET_DISCONNECTED", "WebSocket", "/assets/app/basemap"):
        console.allow(expected)
    page = open_page(**PHONE)
    page.goto("/report")
    page.wait_for_function(READY)
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == live_server.url("/report")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["display"] == "standalone"

    page.context.set_offline(True)
    page.reload()

    page.wait_for_function(READY)
    assert page.get_by_label("Lĩnh vực").locator("option").count() > 5  # categories cached


def test_the_language_switch_on_the_phone(open_page, live_server):
    page = open_page(**PHONE)
    page.goto("/report")
    page.wait_for_function(READY)

    page.get_by_role("button", name="Chuyển sang tiếng Anh").click()

    assert page.get_by_role("tab", name="My reports").is_visible()
    assert page.get_by_role("button", name="Send the report").is_visible()
