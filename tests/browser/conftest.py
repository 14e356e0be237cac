"""Browser tests: the real app in a subprocess, driven by Debian's Chromium through Playwright.

The server runs ``ioc serve`` on a free port over a temporary SQLite database loaded with the
demo province (no simulator), so the pages talk to the real API and the real Socket.IO server.
Server and browser run on the test clock (``tests/clock.py``): the server under libfaketime,
the pages with Playwright's clock, both from the instant the server started at.
Without Chromium or the Playwright package the tests are skipped with a reason, unless
``IOC_TEST_REQUIRE_BROWSER=1`` (set by CI) turns that into a failure. The ``page`` fixture fails
a test when the page logged a console error or threw, and ``screenshot`` writes the
documentation's pictures to ``docs/screenshots/``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import DEMO_ACCOUNTS, seed_demo
from ioc.feedback.report_models import Report
from ioc.identity import emulator_token
from ioc.migrate import upgrade
from tests.clock import on_the_test_clock

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("IOC_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("IOC_TEST_REQUIRE_BROWSER") == "1"
PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Required attributes of a few demo categories.
SAMPLE_ATTRIBUTES = {
    "street_light": {"light_issue": "off"},
    "traffic_light": {"light_fault": "all_off"},
}
#: Long enough for a cold page with MapLibre on a busy 2-core machine.
PAGE_TIMEOUT_MS = 20_000
#: How long a page may take to show a live event: an event another process wrote is pushed
#: at the publisher's next safety-net poll (every 2 s), later on a busy machine.
LIVE_TIMEOUT_MS = 15_000

BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every browser test, so a run can pick them out (``-m browser``) as CI does."""
    for item in items:
        if BROWSER_TESTS in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"IOC_TEST_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll ``condition`` until it returns something truthy (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ProcessClock:
    """The clock of a process started on the test clock: it started at ``started_at`` and has
    ticked in real time since."""

    started_at: datetime
    started_monotonic: float

    def now(self) -> datetime:
        return self.started_at + timedelta(seconds=time.monotonic() - self.started_monotonic)


@dataclass(frozen=True)
class RunningIoc:
    base_url: str
    clock: ProcessClock


@dataclass
class LiveServer:
    """The app running in a subprocess, and ways to act on it as its users would."""

    base_url: str
    database_url: str
    clock: ProcessClock
    project_id: str = "ioc-demo"
    _tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One JSON request; an error status raises with the server's answer in the message."""
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        call = urllib.request.Request(self.url(path), data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(call, timeout=20) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()!r}") from None
        return json.loads(raw) if raw else None

    def staff_token(self, username: str) -> str:
        if username not in self._tokens:
            answer = self.request(
                "POST",
                "/api/auth/login",
                body={"username": username, "password": PASSWORDS[username]},
            )
            self._tokens[username] = answer["token"]
        return self._tokens[username]

    def staff(self, username: str, method: str, path: str, body: Any = None) -> Any:
        """A staff API call with the account's bearer token."""
        token = self.staff_token(username)
        return self.request(method, path, body=body, headers={"Authorization": f"Bearer {token}"})

    def citizen(
        self, method: str, path: str, body: Any = None, *, citizen: str = "browser-citizen"
    ) -> Any:
        """A mobile API call as a demo citizen (the reporter of ``submit_report``'s reports)."""
        token = emulator_token(project_id=self.project_id, uid=citizen, name="Công dân thử")
        return self.request(method, path, body=body, headers={"Authorization": f"Bearer {token}"})

    def update_report(self, ref: str, **columns: Any) -> None:
        """Write report columns straight into the database: a state no API reaches without
        waiting, such as a deadline that passed hours ago. Pages see it on their next load."""
        engine = make_engine(self.database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                report = session.scalars(select(Report).where(Report.ref == ref)).one()
                for name, value in columns.items():
                    setattr(report, name, value)
        finally:
            engine.dispose()

    def submit_report(
        self,
        *,
        category: str = "street_light",
        lon: float = 108.74,
        lat: float = 15.57,
        attributes: dict[str, Any] | None = None,
        description: str = "Đèn đường không sáng",
        citizen: str = "browser-citizen",
    ) -> str:
        """File a report through the mobile API as a demo citizen; returns its ref. The default
        category waits for the IOC (pending_review); auto-dispatched ones arrive assigned."""
        token = emulator_token(project_id=self.project_id, uid=citizen, name="Công dân thử")
        body = {
            "category": category,
            "lon": lon,
            "lat": lat,
            "description": description,
            "attributes": attributes
            if attributes is not None
            else SAMPLE_ATTRIBUTES.get(category, {}),
        }
        answer = self.request(
            "POST",
            "/api/mobile/v1/reports",
            body=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        return answer["ref"]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    """The pages as the current sources build them (a no-op when nothing changed)."""
    if not shutil.which("npm"):
        _missing("npm is not installed, so the web pages cannot be built")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_frontend.sh")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return ROOT / "frontend" / "dist"


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, built_frontend: Path
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("live")
    database = f"sqlite:///{folder / 'ioc.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "IOC_ENV": "development",
        "IOC_DATABASE_URL": database,
        "IOC_MEDIA_DIR": str(folder / "media"),
        "IOC_VAR_DIR": str(folder),
        # Every test signs in; the login limit is for people, not for a test run.
        "IOC_RATE_LIMITS_ENABLED": "false",
        # The pages of a test (wall map, phone, agency, portal) share this one process; on a
        # busy CI machine their requests stack up past the production bound, which protects
        # a gevent worker's latency, and photos came back 503. Shedding has its own tests.
        "IOC_MAX_IN_FLIGHT": "32",
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
    }
    for name in ("IOC_REDIS_URL", "IOC_MAP_STYLE_URL"):
        env.pop(name, None)
    arguments = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with running_ioc(arguments, env=env, port=port, log_path=folder / "server.log") as server:
        yield LiveServer(base_url=server.base_url, database_url=database, clock=server.clock)


@contextmanager
def running_ioc(
    arguments: list[str], *, env: dict[str, str], port: int, log_path: Path
) -> Iterator[RunningIoc]:
    """``python -m ioc.cli ARGUMENTS`` in a subprocess on the test clock, once it answers
    ``/healthz``; yields its base URL and clock, and stops it afterwards."""
    log = log_path.open("w")
    env = on_the_test_clock(env)
    clock = ProcessClock(started_at=datetime.now(UTC), started_monotonic=time.monotonic())
    process = subprocess.Popen(
        [sys.executable, "-m", "ioc.cli", *arguments],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(
            lambda: _healthy(base) or process.poll() is not None,
            timeout=90,
            what=f"ioc {arguments[0]} to answer /healthz",
        )
        assert process.poll() is None, log_path.read_text()
        yield RunningIoc(base_url=base, clock=clock)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# Package scope, not session: Playwright's sync API keeps an asyncio loop running in the main
# thread while it is started, and other tests' libraries call asyncio.run() there.
@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright starts Chromium with a fresh temporary profile of its own each launch.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions of a page; a test may allow expected ones."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        """Accept errors containing ``fragment`` (e.g. the 401 of a wrong password)."""
        self._allowed.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(a in e for a in self._allowed)]


@pytest.fixture
def console() -> ConsoleWatch:
    return ConsoleWatch()


def new_context(browser: Any, server: LiveServer | RunningIoc, **options: Any) -> Any:
    """A browser context on ``server`` whose pages' clock reads the server's (Vietnamese
    locale and time zone, a laptop screen unless ``options`` say otherwise)."""
    context = browser.new_context(
        **{
            "base_url": server.base_url,
            "viewport": {"width": 1280, "height": 800},
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
            **options,
        }
    )
    # Pages count "today" and time left from Date.now(): it must be the server's day and hour.
    context.clock.install(time=server.clock.now())
    return context


def _watched_page(context: Any, console: ConsoleWatch) -> Any:
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and console.errors.append(f"console: {message.text} ({message.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda error: console.errors.append(f"page error: {error}"))
    return page


@pytest.fixture
def page(browser: Any, live_server: LiveServer, console: ConsoleWatch) -> Iterator[Any]:
    """A fresh browser context and page on the live server; fails on console errors."""
    context = new_context(browser, live_server)
    page = _watched_page(context, console)
    yield page
    context.close()
    unexpected = console.unexpected()
    assert not unexpected, "the page reported errors:\n" + "\n".join(unexpected)


#: A phone held upright, at the demo province's centre (for the citizen page).
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "geolocation": {"longitude": 108.74, "latitude": 15.57, "accuracy": 12},
    "permissions": ["geolocation"],
}


@pytest.fixture
def open_page(
    browser: Any, live_server: LiveServer, console: ConsoleWatch
) -> Iterator[Callable[..., Any]]:
    """Opens pages in contexts of their own (another person, another device) with context
    options such as ``**PHONE``; fails the test on console errors of any of them."""
    contexts: list[Any] = []

    def open_one(**options: Any) -> Any:
        context = new_context(browser, live_server, **options)
        contexts.append(context)
        return _watched_page(context, console)

    yield open_one
    for context in contexts:
        context.close()
    unexpected = console.unexpected()
    assert not unexpected, "the pages reported errors:\n" + "\n".join(unexpected)


def sign_in(page: Any, username: str, *, next_path: str | None = None) -> None:
    """Sign in through the login form as a demo account; waits until the page left /login."""
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORDS[username])
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Any, name: str) -> Path:
    """Save the page as ``docs/screenshots/<name>.png`` (the pictures the docs show)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
