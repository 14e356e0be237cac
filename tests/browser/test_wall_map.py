"""The operations wall map in a real browser: live reports, colours, language, keyboard."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ioc.db import utcnow
from tests.browser.conftest import screenshot, sign_in, wait_until

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WALL = "window.iocWallMap"
FOCUSED = "document.activeElement.name || document.activeElement.className"


def _open_wall_map(page, username: str = "dieuhanh") -> None:
    sign_in(page, username, next_path="/ops")
    page.wait_for_function(f"{WALL} && {WALL}.ready === true")


def _status(page, ref: str):
    return page.evaluate(f"{WALL}.reportStatus({ref!r})")


def test_the_wall_map_shows_seeded_reports_and_a_new_one_live(page, live_server):
    before = live_server.submit_report(lon=108.72, lat=15.55)
    page.set_viewport_size({"width": 1920, "height": 1080})
    _open_wall_map(page)
    assert _status(page, before) == "pending_review"

    ref = live_server.submit_report(lon=108.75, lat=15.58)

    wait_until(lambda: _status(page, ref), timeout=2.0, what="the new report on the map")
    assert page.evaluate(f"{WALL}.reportColor({ref!r})") == "#f4a261"
    item = page.locator(f'[data-ref="{ref}"][data-event-type="report.created"]')
    item.wait_for(timeout=2000)

    # The channel mix tile follows the figures: a phoned-in report joins today's hotline share.
    live_server.staff(
        "dieuhanh",
        "POST",
        "/api/ops/v1/reports",
        {
            "channel": "phone",
            "category": "street_light",
            "lon": 108.73,
            "lat": 15.56,
            "attributes": {"light_issue": "off"},
            "caller": {"name": "Người gọi", "phone": "0905123456"},
        },
    )
    today = _channel_mix_today(live_server)
    tile = page.locator("[data-kpi=channels]")
    wait_until(
        lambda: (
            tile.locator("[data-period=today]").get_attribute("data-total")
            == str(sum(today.values()))
        ),
        timeout=10,
        what="the channel tile to count today's reports",
    )
    assert today["phone"] >= 1
    assert today["mobile"] + today.get("web", 0) >= 2
    shares = {
        channel: tile.locator(f"[data-channel={channel}] [data-share=today]").inner_text()
        for channel in ("app", "phone")
    }
    assert all(share.endswith("%") and share != "0%" for share in shares.values()), shares
    assert "Đường dây nóng" in tile.inner_text()


def _channel_mix_today(live_server) -> dict[str, int]:
    """Today's reports by channel, as the statistics API counts them."""
    period = live_server.staff("dieuhanh", "GET", "/api/ops/v1/statistics?group_by=channel")
    until = datetime.fromisoformat(period["until"]).astimezone(VN)
    day = (until - timedelta(hours=12)).date().isoformat()
    answer = live_server.staff(
        "dieuhanh", "GET", f"/api/ops/v1/statistics?group_by=channel&since={day}"
    )
    return {item["key"]: item["received"] for item in answer["items"]}


def test_a_status_change_recolours_the_report(page, live_server):
    ref = live_server.submit_report()
    _open_wall_map(page)
    before = page.evaluate(f"{WALL}.reportColor({ref!r})")

    live_server.staff("dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/reject", {"reason": "Thử"})

    wait_until(lambda: _status(page, ref) == "rejected", timeout=5, what="the rejection")
    after = page.evaluate(f"{WALL}.reportColor({ref!r})")
    assert after != before
    page.locator(f'[data-ref="{ref}"][data-event-type="report.rejected"]').wait_for()


def test_the_wall_map_resumes_after_a_dropped_connection(page, live_server):
    _open_wall_map(page)
    page.evaluate("window.iocLive.disconnect()")
    ref = live_server.submit_report(lon=108.7, lat=15.6)
    page.evaluate("window.iocLive.reconnect()")

    wait_until(lambda: _status(page, ref), timeout=5, what="the missed report after resuming")


def test_clicking_a_report_opens_its_panel(page, live_server):
    ref = live_server.submit_report(lon=108.74, lat=15.57)
    _open_wall_map(page)

    page.evaluate(f"window.iocWallMap.open({ref!r})")

    panel = page.locator("[data-role=panel]")
    panel.wait_for()
    assert ref in panel.inner_text()


def test_a_paused_report_is_not_overdue_even_past_its_stored_deadline(page, live_server):
    paused = live_server.submit_report(lon=108.741, lat=15.571, description="Chờ người dân")
    running = live_server.submit_report(lon=108.742, lat=15.572, description="Đang chạy hạn")
    for ref in (paused, running):
        live_server.staff(
            "dieuhanh", "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"}
        )
    live_server.staff(
        "dieuhanh",
        "POST",
        f"/api/ops/v1/reports/{paused}/ask-citizen",
        {"question": "Đèn ở trước số nhà nào?"},
    )
    passed = utcnow() - timedelta(hours=3)
    for ref in (paused, running):
        live_server.update_report(ref, due_at=passed, receipt_due_at=passed)

    _open_wall_map(page)

    assert page.evaluate(f"{WALL}.reportOverdue({running!r})") is True
    assert page.evaluate(f"{WALL}.reportOverdue({paused!r})") is False
    page.evaluate(f"{WALL}.open({paused!r})")
    panel = page.locator("[data-role=panel]")
    panel.locator("[data-field=status]", has_text="tạm dừng — chờ người dân bổ sung").wait_for()
    assert "Quá hạn" not in panel.inner_text()
    assert panel.get_attribute("data-clock-state") == "paused"
    assert panel.locator("[data-field=due]").inner_text() == "–"


def test_the_language_switch_translates_the_wall_map(page):
    _open_wall_map(page)
    assert page.get_by_text("Tiếp nhận hôm nay").is_visible()

    page.get_by_role("button", name="Chuyển sang tiếng Anh").click()

    assert page.get_by_text("Received today").is_visible()
    assert page.get_by_role("heading", name="Live events").is_visible()


def test_keyboard_focus_reaches_the_filters_and_the_language_switch(page):
    _open_wall_map(page)
    reached = set()
    for _ in range(25):
        page.keyboard.press("Tab")
        reached.add(page.evaluate(FOCUSED))
    assert {"category", "status", "agency", "area", "window"} <= reached


def test_screenshot_of_the_wall_map_at_1920x1080(page, live_server):
    for lon, lat in ((108.73, 15.56), (108.75, 15.58), (108.74, 15.55), (108.72, 15.58)):
        live_server.submit_report(lon=lon, lat=lat)
    page.set_viewport_size({"width": 1920, "height": 1080})
    _open_wall_map(page)
    page.wait_for_function("document.querySelector('[data-kpi=today]').dataset.value !== ''")
    screenshot(page, "ops-wall-map")


def test_a_report_past_its_receipt_deadline_pulses_and_counts_as_overdue(page, live_server):
    waiting = live_server.submit_report(lon=108.743, lat=15.573, description="Chưa tiếp nhận")
    on_time = live_server.submit_report(lon=108.744, lat=15.574, description="Còn hạn")
    live_server.update_report(waiting, receipt_due_at=utcnow() - timedelta(hours=2))
    kpis = live_server.staff("dieuhanh", "GET", "/api/ops/v1/kpis")

    _open_wall_map(page)

    assert page.evaluate(f"{WALL}.reportOverdue({waiting!r})") is True
    assert page.evaluate(f"{WALL}.reportOverdue({on_time!r})") is False
    assert kpis["overdue"]["receipt"] >= 1
    tile = page.locator("[data-kpi=overdue]")
    wait_until(
        lambda: tile.get_attribute("data-value") == str(kpis["overdue"]["total"]),
        timeout=5,
        what="the overdue tile to show the server's count",
    )
    assert "tiếp nhận" in tile.inner_text()


def test_the_wall_map_draws_its_whole_view_as_points_or_clusters(page, live_server):
    ref = live_server.submit_report(lon=108.745, lat=15.575)
    _open_wall_map(page)
    view = page.evaluate(f"{WALL}.view()")
    total = live_server.staff("dieuhanh", "GET", "/api/ops/v1/kpis")

    assert view["mode"] == "clusters"  # the province at its opening zoom
    assert view["clusters"] >= total["open"]
    assert _status(page, ref) == "pending_review"  # few enough: the points are held too

    page.evaluate(f"{WALL}.jumpTo(108.745, 15.575, 15)")
    wait_until(
        lambda: page.evaluate(f"{WALL}.view()")["mode"] == "points",
        timeout=5,
        what="the street view's points",
    )
    assert _status(page, ref) == "pending_review"
