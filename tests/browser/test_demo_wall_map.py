"""``ioc demo`` opens a living wall map: the simulator's reports appear, move through their
states and fill the KPI tiles, with nobody touching anything."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (
    ConsoleWatch,
    RunningIoc,
    _free_port,
    _watched_page,
    new_context,
    running_ioc,
    screenshot,
    sign_in,
    wait_until,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, built_frontend: Path) -> Iterator[RunningIoc]:
    """``ioc demo`` exactly as the README runs it, with a faster simulator."""
    folder = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {**os.environ, "IOC_VAR_DIR": str(folder), "IOC_RATE_LIMITS_ENABLED": "false"}
    for name in ("IOC_DATABASE_URL", "IOC_REDIS_URL", "IOC_ENV", "IOC_MEDIA_DIR"):
        env.pop(name, None)
    arguments = ["demo", "--port", str(port), "--every", "0.5"]
    with running_ioc(arguments, env=env, port=port, log_path=folder / "demo.log") as server:
        yield server


def _feed_types(page: Any) -> set[str]:
    script = "items => items.map(item => item.dataset.eventType)"
    return set(page.eval_on_selector_all("[data-event-type]", script))


def test_the_demo_wall_map_lives_on_its_own(browser: Any, demo: RunningIoc) -> None:
    console = ConsoleWatch()
    context = new_context(browser, demo, viewport={"width": 1920, "height": 1080})
    page = _watched_page(context, console)
    sign_in(page, "dieuhanh", next_path="/ops")
    page.wait_for_function("window.iocWallMap && window.iocWallMap.ready === true")

    wait_until(
        lambda: "report.created" in _feed_types(page) and len(_feed_types(page)) >= 2,
        timeout=30,
        what="simulated reports and a simulated staff step in the live feed",
    )
    received_today = page.locator('[data-kpi="today"] b')
    wait_until(
        lambda: received_today.inner_text().strip() not in ("", "–", "0"),
        timeout=10,
        what="the 'received today' tile to count the simulated reports",
    )
    newest = page.locator("[data-event-type='report.created']").first.get_attribute("data-ref")
    assert page.evaluate(f"window.iocWallMap.reportStatus({newest!r})") is not None
    screenshot(page, "ops-demo")
    context.close()
    assert not console.unexpected(), "\n".join(console.unexpected())
