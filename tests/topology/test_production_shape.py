"""The production topology, driven from outside through nginx only.

``tests/topology/shape.py`` starts what ``docker-compose.yml`` describes: PostGIS (a throwaway
database), a private Redis, ``ioc db upgrade`` and the demo province, two app processes with
``gunicorn.conf.py`` (gevent), ``ioc worker``, and nginx (Debian's package) with
``deploy/nginx.conf``. The tests use it as people would: pages in Chromium, the official
Socket.IO client, two client addresses, the TLS listener. ``scripts/test.sh`` runs this folder
in a pytest process of its own, beside the main suite (docs/operations.md).
"""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import shutil
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORDS,
    ProcessClock,
    RunningIoc,
    new_context,
    sign_in,
)
from tests.clock import on_the_test_clock
from tests.conftest import REQUIRE_POSTGIS, throwaway_postgis_database
from tests.topology import shape
from tests.topology.shape import Topology, wait_until

pytestmark = [pytest.mark.topology, pytest.mark.postgis]

FOLLOW = Path(__file__).with_name("follow.mjs")
#: How many times a client repeats a request refused with 503 before giving up.
RETRIES = 5
#: A report the demo province accepts (category, place and its required attributes).
REPORT = {
    "channel": "phone",
    "caller": {"name": "Người gọi thử"},
    "category": "traffic_light",
    "lon": 108.74,
    "lat": 15.57,
    "attributes": {"light_fault": "all_off"},
}


def _required(what: str) -> None:
    if REQUIRE_POSTGIS:
        pytest.fail(f"the topology test needs {what}")
    pytest.skip(f"the topology test needs {what}")


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    if not Path(shape.NGINX).exists():
        _required("nginx (apt-get install nginx, see .ci/run)")
    for program in ("redis-server", "openssl", "node"):
        if shutil.which(program) is None:
            _required(f"{program} (see .ci/run)")
    folder = tmp_path_factory.mktemp("topology")
    with throwaway_postgis_database("ioc_topology") as engine:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        with shape.production_shape(
            folder, database_url=url, on_the_clock=on_the_test_clock
        ) as running:
            started = ProcessClock(started_at=datetime.now(UTC), started_monotonic=time.monotonic())
            running.clock = started
            yield running


class Client:
    """HTTP through nginx from one client address (127.0.0.x: every one reaches loopback)."""

    def __init__(self, url: str, source: str = "127.0.0.1") -> None:
        parts = urlsplit(url)
        self.host, self.port, self.secure = parts.hostname, parts.port, parts.scheme == "https"
        self.source = source

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        raw_body = body if isinstance(body, bytes) else None
        sent = {
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        }
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if self.secure:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=20, source_address=(self.source, 0), context=context
            )
        else:
            connection = http.client.HTTPConnection(
                self.host, self.port, timeout=20, source_address=(self.source, 0)
            )
        try:
            data = (
                raw_body
                if raw_body is not None
                else None
                if body is None
                else json.dumps(body).encode()
            )
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
            content = (
                json.loads(raw) if raw and "json" in answer.headers.get("Content-Type", "") else raw
            )
            return answer.status, dict(answer.headers), content
        finally:
            connection.close()

    def sign_in(self, username: str) -> str:
        status, _, body = self.request(
            "POST", "/api/auth/login", {"username": username, "password": PASSWORDS[username]}
        )
        assert status == 200, body
        return str(body["token"])

    def file_report(self, token: str, description: str) -> str:
        """File as a well-behaved client does: a 503 (a request that waited too long in front
        of the app, e.g. while nginx found a process gone) is repeated after its Retry-After,
        under the same Idempotency-Key, so a retry never files twice."""
        key = uuid.uuid4().hex
        for _ in range(RETRIES):
            status, headers, body = self.request(
                "POST",
                "/api/ops/v1/reports",
                {**REPORT, "description": description},
                token=token,
                headers={"Idempotency-Key": key},
            )
            if status != 503:
                break
            time.sleep(min(float(headers.get("Retry-After", "1")), 2.0))
        assert status == 201, body
        return str(body["ref"])


def test_the_pages_load_through_nginx_and_the_wall_map_goes_live(topology):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        _required(f"Chromium at {CHROMIUM}")
    operator = Client(topology.base_url).sign_in("dieuhanh")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            context = new_context(
                browser, RunningIoc(base_url=topology.base_url, clock=topology.clock)
            )
            context.set_default_timeout(30_000)
            page = context.new_page()
            failures: list[str] = []
            page.on(
                "response",
                lambda answer: (
                    answer.status >= 400 and failures.append(f"{answer.status} {answer.url}")
                ),
            )
            # Requests the page itself gave up (a navigation, a map moved) end ERR_ABORTED.
            page.on(
                "requestfailed",
                lambda request: (
                    request.failure != "net::ERR_ABORTED"
                    and failures.append(f"{request.failure} {request.url}")
                ),
            )
            page.on("pageerror", lambda error: failures.append(f"page error: {error}"))
            for path in ("/login", "/report", "/public"):
                answer = page.goto(path, wait_until="load")
                assert answer is not None, path
                assert answer.status == 200, path
                scripts = page.locator("script[src]").count()
                assert scripts >= 1, f"{path} has no script"

            sign_in(page, "dieuhanh", next_path="/ops")
            # The map is drawn in software; beside the whole suite on a slow 2-core host
            # that took longer than 30 s once.
            page.wait_for_function(
                "window.iocWallMap && window.iocWallMap.ready === true", timeout=90_000
            )
            ref = Client(topology.base_url).file_report(operator, "Đèn tắt (qua nginx)")
            wait_until(
                lambda: page.evaluate(f"window.iocWallMap.reportStatus({ref!r})"),
                timeout=20,
                what="the report filed through nginx on the wall map",
            )
            assert not failures, failures
        finally:
            browser.close()


def _lines(process: subprocess.Popen[str]) -> queue.Queue[dict[str, Any]]:
    lines: queue.Queue[dict[str, Any]] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(json.loads(line))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _next(lines: queue.Queue[dict[str, Any]], kind: str, timeout: float, seen: list) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {kind!r} from the client; it said {seen}")
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            continue
        seen.append(line)
        if kind in line:
            return line


def test_the_socket_io_client_resumes_after_a_live_process_is_killed(topology):
    client = Client(topology.base_url)
    token = client.sign_in("dieuhanh")
    status, _, snapshot = client.request("GET", "/api/ops/v1/snapshot", token=token)
    assert status == 200, snapshot
    follower = subprocess.Popen(
        ["node", str(FOLLOW), topology.base_url, "/ops", token, str(snapshot["seq"])],
        stdout=subprocess.PIPE,
        text=True,
    )
    said: list[dict[str, Any]] = []
    try:
        lines = _lines(follower)
        _next(lines, "connected", 20, said)
        filed = [client.file_report(token, "trước khi mất một tiến trình")]
        _next(lines, "event", 20, said)

        # kill -9 the live process serving this client's websocket: try one, and if the client
        # did not lose its connection, it was on the other. A killed one starts again, as
        # compose's restart policy does; nginx sends the client to whichever answers.
        for live in topology.lives:
            live.kill()
            try:
                _next(lines, "disconnected", 3, said)
                break
            except AssertionError:
                continue
        else:
            raise AssertionError(f"the client never lost its connection: {said}")
        filed += [client.file_report(token, f"trong lúc mất kết nối {n}") for n in range(3)]
        _next(lines, "connected", 30, said)
        filed += [client.file_report(token, f"sau khi nối lại {n}") for n in range(2)]

        def applied() -> list[dict[str, Any]]:
            return [line["event"] for line in said if "event" in line]

        def all_arrived() -> bool:
            try:
                while True:
                    said.append(lines.get_nowait())
            except queue.Empty:
                pass
            refs = {e["payload"].get("ref") for e in applied() if e["type"] == "report.created"}
            return set(filed) <= refs

        wait_until(all_arrived, timeout=30, what=f"every report on the client: {said}")
        created = [
            event["payload"]["ref"] for event in applied() if event["type"] == "report.created"
        ]
        assert created == filed  # every one, once, in the order filed
        seqs = [event["seq"] for event in applied()]
        assert seqs == sorted(set(seqs))
        assert not [line for line in said if "resync" in line]
    finally:
        follower.kill()
        follower.wait()
        assert follower.stdout is not None
        follower.stdout.close()


def _login(client: Client, username: str, password: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    status, _, _ = client.request(
        "POST", "/api/auth/login", {"username": username, "password": password}, headers=headers
    )
    return status


def test_rate_limits_count_per_client_address_behind_nginx(topology):
    guesser = Client(topology.base_url, source="127.0.0.3")
    colleague = Client(topology.base_url, source="127.0.0.4")

    # Ten wrong passwords, each for another name (so no account's own limit is reached), and a
    # forged X-Forwarded-For that nginx's own entry after it makes the app ignore.
    statuses = [
        _login(guesser, f"ai-do-{n}", "sai-mat-khau", forwarded=f"203.0.113.{n}") for n in range(10)
    ]
    assert statuses == [401] * 10
    assert _login(guesser, "dieuhanh", PASSWORDS["dieuhanh"], forwarded="203.0.113.99") == 429

    # Another client, behind the same nginx, is not locked out…
    assert _login(colleague, "dieuhanh", PASSWORDS["dieuhanh"]) == 200
    # …while the guesser stays refused, whatever address it claims.
    assert _login(guesser, "giamsat", PASSWORDS["giamsat"], forwarded="127.0.0.4") == 429


def test_links_are_https_for_requests_that_came_over_tls(topology):
    secure = Client(topology.tls_url)
    status, _, discovery = secure.request("GET", "/open311/v2/discovery.json")
    assert status == 200, discovery
    assert discovery["endpoints"][0]["url"].startswith(topology.tls_url + "/open311/v2")

    admin = secure.sign_in("admin")
    status, _, answer = secure.request(
        "POST", "/api/admin/v1/staff/sxd.canbo/reset-password", token=admin
    )
    assert status == 200, answer
    assert answer["password_link"]["url"].startswith(topology.tls_url + "/")

    # Over plain HTTP the links are http, whatever scheme a client claims itself.
    plain = Client(topology.base_url)
    status, _, discovery = plain.request(
        "GET", "/open311/v2/discovery.json", headers={"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert discovery["endpoints"][0]["url"].startswith(topology.base_url + "/open311/v2")


def _photo(side: int) -> bytes:
    """A PNG of noise: it does not compress, so a few megabytes for a modest picture."""
    from PIL import Image

    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    picture.save(output, format="PNG")
    return output.getvalue()


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = f"ioc-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, filename, content in files
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def test_photos_larger_than_nginx_s_default_reach_the_app_and_come_back_as_https_links(topology):
    secure = Client(topology.tls_url)
    operator = secure.sign_in("dieuhanh")
    # A category the operators dispatch themselves, to the agency of the demo's accounts.
    status, _, filed = secure.request(
        "POST",
        "/api/ops/v1/reports",
        {
            **REPORT,
            "category": "sidewalk_encroachment",
            "attributes": {"encroachment_type": "street_vendor"},
            "description": "Ảnh lớn qua nginx",
        },
        token=operator,
    )
    assert status == 201, filed
    ref = filed["ref"]
    status, _, answer = secure.request(
        "POST", f"/api/ops/v1/reports/{ref}/assign", {"agency": "SXD"}, token=operator
    )
    assert status == 200, answer
    officer = secure.sign_in("sxd.truongphong")
    status, _, answer = secure.request(
        "POST", f"/api/agency/v1/reports/{ref}/accept", token=officer
    )
    assert status == 200, answer

    photo = _photo(1200)
    assert len(photo) > 2 * 1024 * 1024  # nginx refuses bodies over 1 MB unless told otherwise
    body, boundary = _multipart({"answer": "Đã thay bóng đèn"}, [("photos", "sau.png", photo)])
    status, _, detail = secure.request(
        "POST",
        f"/api/agency/v1/reports/{ref}/resolve",
        body,
        token=officer,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 200, detail
    urls = [photo["url"] for photo in detail["photos"] if photo["purpose"] == "after"]
    assert urls
    assert all(url.startswith(topology.tls_url + "/media/") for url in urls), urls

    status, headers, content = secure.request("GET", urlsplit(urls[0]).path, token=officer)
    assert status == 200
    assert headers["Content-Type"].startswith("image/")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert len(content) > 0
