"""The public portal: published results only, live, Vietnamese first."""

from __future__ import annotations

from tests.browser.conftest import screenshot, wait_until

PORTAL = "window.iocPublicMap"


def _has(page, ref: str) -> bool:
    return page.evaluate(f"{PORTAL}.hasReport({ref!r})")


def test_a_rejected_report_is_published_live_and_an_open_one_is_not(page, live_server):
    waiting = live_server.submit_report()
    page.goto("/public")
    page.wait_for_function(f"{PORTAL} && {PORTAL}.ready === true")
    assert not _has(page, waiting)

    live_server.staff(
        "dieuhanh", "POST", f"/api/ops/v1/reports/{waiting}/reject", {"reason": "Ngoài phạm vi"}
    )

    wait_until(lambda: _has(page, waiting), timeout=5, what="the result on the public map")


def test_the_portal_shows_the_scorecard_and_switches_language(page):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/public")
    page.wait_for_function(f"{PORTAL} && {PORTAL}.ready === true")
    assert page.get_by_role("heading", name="Bảng đánh giá cơ quan (30 ngày)").is_visible()
    screenshot(page, "public-portal")

    page.get_by_role("button", name="Chuyển sang tiếng Anh").click()

    assert page.get_by_role("heading", name="Agency scorecard (30 days)").is_visible()
