"""The public portal: published results only, live, Vietnamese first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.models import ProvinceProfile
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


@contextmanager
def _province_channels(live_server, contacts: dict[str, str]) -> Iterator[None]:
    """The province's [channels] as a loaded pack leaves them on its profile (restored after,
    since every browser test shares the server)."""
    engine = make_engine(live_server.database_url)
    factory = make_session_factory(engine)
    try:
        with unit_of_work(factory) as session:
            profile = session.get(ProvinceProfile, 1)
            if profile is None:
                profile = ProvinceProfile(
                    id=1, code="demo", name_vi="Tỉnh Mẫu", time_zone="Asia/Ho_Chi_Minh"
                )
                session.add(profile)
            before = profile.channels
            profile.channels = contacts
        yield
        with unit_of_work(factory) as session:
            session.get_one(ProvinceProfile, 1).channels = before
    finally:
        engine.dispose()


def test_citizens_are_shown_the_hotline_e_mail_and_zalo_oa_of_the_province(page, live_server):
    contacts = {
        "hotline": "1022",
        "email": "phananh@tinhmau.gov.vn",
        "zalo_oa_name": "Trung tâm điều hành Tỉnh Mẫu",
        "zalo_oa_url": "https://zalo.me/1234567890123456789",
    }
    with _province_channels(live_server, contacts):
        page.goto("/report")
        hotline = page.get_by_role("link", name="Gọi đường dây nóng 1022")
        hotline.wait_for()
        assert hotline.get_attribute("href") == "tel:1022"
        mail = page.get_by_role("link", name="Gửi thư điện tử tới phananh@tinhmau.gov.vn")
        assert mail.get_attribute("href") == "mailto:phananh@tinhmau.gov.vn"
        zalo = page.get_by_role("link", name="Nhắn Zalo OA Trung tâm điều hành Tỉnh Mẫu")
        assert zalo.get_attribute("href") == contacts["zalo_oa_url"]

        page.goto("/public")
        page.get_by_role("link", name="Gọi đường dây nóng 1022").wait_for()
        page.get_by_role("button", name="Chuyển sang tiếng Anh").click()
        page.get_by_role("link", name="Call the hotline 1022").wait_for()
        zalo = page.get_by_role("link", name="Message the Zalo OA Trung tâm điều hành Tỉnh Mẫu")
        assert zalo.get_attribute("href") == contacts["zalo_oa_url"]
