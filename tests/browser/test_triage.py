"""The triage console: an operator works the IOC queue with the keyboard."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from PIL import Image

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.intake.filing import Intake
from ioc.feedback.intake.photos import process_photo
from ioc.feedback.intake.submission import stage_photos
from ioc.feedback.lifecycle.inbound import Received, receive_message
from ioc.feedback.states import Channel
from ioc.geo.service import AreaLocator
from ioc.media import MediaStore
from tests.browser.conftest import LIVE_TIMEOUT_MS, screenshot, sign_in, wait_until
from tests.factories import make_policy

# Waits for the IOC (no automatic dispatch), needs no photo; the rules suggest an agency.
STREET_LIGHT = {
    "category": "street_light",
    "attributes": {"light_issue": "off"},
    "description": "Đèn đường tắt cả dãy",
}


def _resolved_for_the_citizen(live_server, rating: str | None = "unsatisfied") -> str:
    """A report SXD resolved and its citizen rated (unsatisfied: they ask to reopen it)."""
    ref = live_server.submit_report(**STREET_LIGHT)
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})
    _resolve(live_server, ref)
    if rating:
        live_server.citizen("POST", f"/api/mobile/v1/reports/{ref}/rating", {"rating": rating})
    return ref


def _resolve(live_server, ref: str) -> None:
    live_server.staff("sxd.canbo", "POST", f"/api/agency/v1/reports/{ref}/accept")
    live_server.staff(
        "sxd.canbo", "POST", f"/api/agency/v1/reports/{ref}/resolve", {"answer": "Đã thay bóng"}
    )


def _open(page, live_server, ref: str) -> None:
    sign_in(page, "dieuhanh", next_path="/ops/triage")
    page.locator(f'.report-item[data-ref="{ref}"]').click()
    page.locator(".report-head .ref", has_text=ref).wait_for()


def test_an_operator_verifies_and_assigns_a_queued_report_with_the_keyboard(page, live_server):
    ref = live_server.submit_report(**STREET_LIGHT)
    _open(page, live_server, ref)
    screenshot(page, "triage")

    page.keyboard.press("v")
    page.get_by_role("status").filter(has_text=f"Đã xác minh {ref}").wait_for()
    page.keyboard.press("a")
    agency = page.get_by_label("Đơn vị chủ trì")
    assert agency.evaluate("el => el === document.activeElement")
    suggested = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")[
        "suggested_assignment"
    ]["agency"]
    assert agency.input_value() == suggested["code"]  # pre-filled with the rules' suggestion
    page.keyboard.press("Enter")

    page.get_by_role("status").filter(has_text=f"Đã chuyển {ref}").wait_for()
    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert report["status"] == "assigned"
    assert report["lead_agency"]["code"] == suggested["code"]
    assert [e["action"] for e in report["timeline"]][-2:] == ["verify", "assign"]
    page.locator(f'.report-item[data-ref="{ref}"]').wait_for(state="detached")


def test_rejecting_needs_a_reason(page, live_server):
    ref = live_server.submit_report(**STREET_LIGHT)
    _open(page, live_server, ref)

    page.keyboard.press("r")
    page.get_by_role("button", name="Xác nhận").click()
    assert "Cần nhập lý do" in page.get_by_role("alert").inner_text()
    assert live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")["status"] == (
        "pending_review"
    )

    page.get_by_label("Lý do từ chối").fill("Không thuộc phạm vi tiếp nhận")
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_role("status").filter(has_text=f"Đã từ chối {ref}").wait_for()
    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert report["status"] == "rejected"


def test_a_new_report_joins_the_open_queue_without_a_reload(page, live_server):
    sign_in(page, "dieuhanh", next_path="/ops/triage")
    page.wait_for_function("window.iocTriage && window.iocTriage.live.status === 'online'")

    ref = live_server.submit_report(**STREET_LIGHT)

    page.locator(f'.report-item[data-ref="{ref}"]').wait_for(timeout=LIVE_TIMEOUT_MS)


def test_an_action_someone_else_overtook_asks_to_reload(page, live_server, console):
    console.allow("409")
    ref = live_server.submit_report(**STREET_LIGHT)
    _open(page, live_server, ref)
    page.keyboard.press("r")  # the form is open: the page keeps the report as it was
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"})

    page.get_by_label("Lý do từ chối").fill("Trùng nội dung")
    page.get_by_role("button", name="Xác nhận").click()

    alert = page.get_by_role("alert").filter(has_text="Phản ánh đã thay đổi")
    alert.wait_for()
    page.get_by_role("button", name="Tải lại phản ánh").click()
    wait_until(
        lambda: "Chờ xử lý" in page.locator(".report-head .status-badge").inner_text(),
        timeout=5,
        what="the reloaded status",
    )


def test_a_report_the_ioc_declines_to_reopen_shows_closed(page, live_server):
    ref = _resolved_for_the_citizen(live_server)
    sign_in(page, "dieuhanh", next_path=f"/ops/triage?ref={ref}")
    page.locator(".report-head .ref", has_text=ref).wait_for()
    assert page.get_by_role("button", name="Mở lại", exact=True).is_visible()
    assert page.get_by_role("button", name="Đóng phản ánh").is_visible()

    page.get_by_role("button", name="Từ chối mở lại").click()
    page.get_by_role("button", name="Xác nhận").click()
    assert "Cần nhập lý do" in page.get_by_role("alert").inner_text()
    page.get_by_label("Lý do từ chối mở lại").fill("Đèn đã sáng, đội kỹ thuật đã kiểm tra lại")
    page.get_by_role("button", name="Xác nhận").click()

    page.get_by_role("status").filter(has_text=f"Đã từ chối mở lại {ref}").wait_for()
    assert page.locator(".report-head .status-badge").inner_text() == "Đã đóng"
    assert page.locator(".report-head .ref").inner_text() == ref  # it stays on screen
    assert not page.get_by_role("button", name="Từ chối mở lại").is_visible()
    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert report["status"] == "closed"
    assert report["clock"]["kind"] == "none"
    assert report["timeline"][-1]["note"] == "Đèn đã sáng, đội kỹ thuật đã kiểm tra lại"


def test_a_second_reopening_is_refused_with_the_limit_named(page, live_server, console):
    console.allow("409")
    ref = _resolved_for_the_citizen(live_server)
    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/reopen", {"reason": "Lần 1"})
    _resolve(live_server, ref)
    live_server.citizen("POST", f"/api/mobile/v1/reports/{ref}/rating", {"rating": "unsatisfied"})
    sign_in(page, "dieuhanh", next_path=f"/ops/triage?ref={ref}")
    page.locator(".report-head .ref", has_text=ref).wait_for()

    page.get_by_role("button", name="Mở lại", exact=True).click()
    page.get_by_label("Lý do mở lại").fill("Người dân vẫn chưa hài lòng")
    page.get_by_role("button", name="Xác nhận").click()

    alert = page.get_by_role("alert").filter(has_text="Không thể mở lại")
    alert.wait_for()
    assert "đã được mở lại 1 lần" in alert.inner_text()
    assert live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")["status"] == (
        "resolved"
    )


def test_the_wall_map_sends_a_resolved_report_to_triage_where_it_closes(page, live_server):
    ref = _resolved_for_the_citizen(live_server, rating=None)
    sign_in(page, "dieuhanh", next_path="/ops")
    page.wait_for_function("window.iocWallMap && window.iocWallMap.ready === true")
    page.evaluate(f"window.iocWallMap.open({ref!r})")

    page.get_by_role("link", name="Quyết định ở bàn tiếp nhận").click()
    page.locator(".report-head .ref", has_text=ref).wait_for()
    page.get_by_role("button", name="Đóng phản ánh").click()
    page.get_by_role("button", name="Xác nhận").click()  # the note is optional

    page.get_by_role("status").filter(has_text=f"Đã đóng {ref}").wait_for()
    assert page.locator(".report-head .status-badge").inner_text() == "Đã đóng"
    assert live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")["status"] == (
        "closed"
    )


def test_the_help_overlay_and_the_language_switch(page, live_server):
    sign_in(page, "dieuhanh", next_path="/ops/triage")
    page.keyboard.press("?")
    assert page.get_by_role("dialog", name="Phím tắt").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()

    page.get_by_role("button", name="Chuyển sang tiếng Anh").click()

    assert page.get_by_role("heading", name="Review queue").is_visible()
    assert page.evaluate("document.documentElement.lang") == "en"


def test_duplicate_candidates_come_from_the_server_nearest_first(page, live_server):
    first = live_server.submit_report(lon=108.7301, lat=15.5601, **STREET_LIGHT)
    near = live_server.submit_report(lon=108.73012, lat=15.56012, **STREET_LIGHT)
    _open(page, live_server, near)

    page.keyboard.press("d")

    page.locator(f'[data-candidate="{first}"]').wait_for()
    assert page.get_by_label("Mã phản ánh gốc").input_value() == first


def _e_mail_waiting_for_a_place(live_server) -> int:
    """An e-mail without a geotagged photo, received as the mailbox job receives one: its
    photo stripped and stored, the message held in the IOC queue."""
    database = Path(live_server.database_url.removeprefix("sqlite:///"))
    media = MediaStore(database.parent / "media")
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (60, 110, 60)).save(photo, "JPEG")
    engine = make_engine(live_server.database_url)
    try:
        with media.staged() as batch:
            stored = stage_photos(batch, [process_photo(photo.getvalue(), field="photos[0]")])
            with unit_of_work(make_session_factory(engine)) as session:
                record = receive_message(
                    session,
                    Intake(locator=AreaLocator(check_seconds=0), policy=make_policy()),
                    message=Received(
                        channel=Channel.EMAIL,
                        external_id=f"<{uuid.uuid4().hex}@example.vn>",
                        sender_email="le.cuong@example.vn",
                        sender_name="Lê Văn Cường",
                        subject="Cây đổ chắn đường",
                        body="Cây phượng trước trường tiểu học bị đổ, chắn nửa lòng đường.",
                        received_at=live_server.clock.now(),
                        photos=stored,
                    ),
                    category_code="street_light",
                )
                message_id = record.id
    finally:
        engine.dispose()
    return message_id


def test_an_operator_places_a_waiting_e_mail_on_the_map_and_it_becomes_a_routed_report(
    page, live_server
):
    message_id = _e_mail_waiting_for_a_place(live_server)
    sign_in(page, "dieuhanh", next_path="/ops/triage")
    # The queue above the e-mails loads at the same time as they do, and drawing it moves
    # them down: the click waits until the page has drawn both.
    page.wait_for_function("() => window.iocTriage?.ready === true")

    page.locator(f'[data-inbound="{message_id}"]').click()
    detail = page.locator("[data-detail]")
    detail.get_by_role("heading", name="Cây đổ chắn đường").wait_for()
    assert "Lê Văn Cường" in detail.inner_text()  # an operator may see who wrote
    photo = detail.get_by_role("img", name="Ảnh 1 đính kèm thư")
    photo.wait_for()
    wait_until(
        lambda: photo.evaluate("img => img.complete && img.naturalWidth > 0"),
        timeout=10,
        what="the e-mail's photo to load",
    )
    wait_until(
        lambda: page.evaluate("() => Boolean(window.iocTriage?.inboundMap)"),
        timeout=20,
        what="the placing map",
    )
    # A click on the map where the tree fell (inside commune territory served by the rules).
    detail.locator("[data-map]").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "() => { const p = window.iocTriage.inboundMap.project([108.74, 15.57]);"
        " return [p.x, p.y]; }"
    )
    box = detail.locator("[data-map]").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    detail.get_by_text("Vị trí đã chọn: 108.7").wait_for()
    detail.get_by_label("Lĩnh vực").select_option("fallen_tree")
    detail.get_by_label("Tình trạng cây *").select_option("fallen")
    screenshot(page, "triage-inbound")
    detail.get_by_role("button", name="Tiếp nhận thành phản ánh").click()

    notice = page.get_by_role("status").filter(has_text="Thư đã thành phản ánh")
    notice.wait_for()
    ref = notice.inner_text().split("phản ánh ")[1].split(",")[0].rstrip(".")
    report = live_server.staff("dieuhanh", "GET", f"/api/ops/v1/reports/{ref}")
    assert report["channel"]["code"] == "email"
    assert report["category"]["code"] == "fallen_tree"
    assert report["status"] == "assigned"  # automatic dispatch: routed like an app report
    assert report["lead_agency"]["name"] in notice.inner_text()
    assert (round(report["lon"], 2), round(report["lat"], 2)) == (108.74, 15.57)
    assert len(report["photos"]) == 1
    assert report["description"].startswith("Cây đổ chắn đường")
    page.locator(f'[data-inbound="{message_id}"]').wait_for(state="detached")
    waiting = live_server.staff("dieuhanh", "GET", "/api/ops/v1/inbound")["items"]
    assert message_id not in [item["id"] for item in waiting]
