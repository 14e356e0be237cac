"""Surge alerts on the wall map: a burst of reports of one kind in one commune shows an alert
card and a ring on the map live, and an operator groups the reports into one incident."""

from __future__ import annotations

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.feedback.surges.detection import detect_surges
from tests.browser.conftest import LIVE_TIMEOUT_MS, LiveServer, screenshot, sign_in, wait_until

WALL = "window.iocWallMap"
NO_WATER = {"water_issue": "no_water"}


def _detect(live_server: LiveServer) -> None:
    """What the worker does every minute, done now against the live server's database."""
    engine = make_engine(live_server.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        detect_surges(session)
    engine.dispose()


def test_a_surge_appears_live_and_an_operator_groups_it(page, live_server):
    sign_in(page, "dieuhanh", next_path="/ops")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_function(f"{WALL} && {WALL}.ready === true")
    refs = [
        live_server.submit_report(
            category="water_supply",
            lon=108.731 + i * 0.0004,
            lat=15.561,
            attributes=NO_WATER,
            description="Mất nước từ sáng",
            citizen=f"surge-citizen-{i}",
        )
        for i in range(4)
    ]

    _detect(live_server)

    card = page.locator(".ops-surges li").filter(has_text=refs[0])
    card.wait_for(timeout=LIVE_TIMEOUT_MS)
    assert page.locator(".ops-surge-ring").count() >= 1
    for ref in refs:
        assert card.get_by_role("button", name=ref).is_visible()
    screenshot(page, "ops-surge")

    card.get_by_role("button", name="Gộp thành một sự cố").click()

    card.wait_for(state="detached", timeout=LIVE_TIMEOUT_MS)
    for ref in refs[1:]:
        wait_until(
            lambda ref=ref: page.evaluate(f"{WALL}.reportStatus({ref!r})") == "duplicate",
            timeout=5,
            what=f"{ref} merged into the incident",
        )
    assert page.evaluate(f"{WALL}.reportStatus({refs[0]!r})") != "duplicate"
