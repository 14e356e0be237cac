"""Timing the screens' calls through real HTTP against a server in a subprocess.

The server is the production shape (gunicorn with the repository's ``gunicorn.conf.py``, one
gevent worker) on the benchmark's database. Each call is made 20 times in a row; the table
gives the median and 95th percentile of wall time, and the CPU the server's process tree
(and, on a local PostgreSQL, the database's backends) spent per call, read from ``/proc``
before and after.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from shapely.geometry import shape
from sqlalchemy import Engine, text
from tier import cpu_seconds

from ioc.demo.geography import province_geography
from ioc.demo.seed import DEMO_ACCOUNTS
from ioc.feedback.states import OPEN_STATES

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20
#: A call that is still slow stops repeating after this long (at least MIN_RUNS times), so the
#: benchmark also finishes on versions that scan reports; the table says how many runs.
BUDGET_SECONDS = 60.0
MIN_RUNS = 3
#: The wall screen the default view is fitted to.
SCREEN = (1920, 1080)

Request = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One row of the table: one request, or a screen's opening requests made together."""

    name: str
    requests: tuple[Request, ...]
    who: str = "ops"  # ops, agency or public
    conditional: bool = False  # also time it with If-None-Match when the server sends ETags


@dataclass(frozen=True)
class Timing:
    name: str
    status: str
    runs: int
    median_ms: float
    p95_ms: float
    server_cpu_ms: float
    database_cpu_ms: float | None
    kilobytes: float


def analytics_calls(today: date) -> list[Call]:
    """The analytics page's calls over a year (the page opens on half a year)."""
    year = {"since": str(today - timedelta(days=364)), "until": str(today + timedelta(days=1))}
    half = today - timedelta(days=182)
    compare = {
        "a_since": str(half),
        "a_until": str(today + timedelta(days=1)),
        "b_since": str(half - timedelta(days=183)),
        "b_until": str(half),
    }
    return [
        Call("analytics: weekly series, a year", (("/api/ops/v1/analytics/series", year),)),
        Call(
            "analytics: monthly series, a year",
            (("/api/ops/v1/analytics/series", {**year, "grain": "month"}),),
        ),
        Call("analytics: two half-years compared", (("/api/ops/v1/analytics/compare", compare),)),
        Call("analytics: agencies ranked, a year", (("/api/ops/v1/analytics/agencies", year),)),
        Call(
            "analytics: hotspots, 12 weeks",
            (("/api/ops/v1/analytics/hotspots", {"since": str(today - timedelta(days=84))}),),
        ),
        Call("analytics: distributions, a year", (("/api/ops/v1/analytics/distributions", year),)),
        Call(
            "analytics: monthly report (XLSX), last month",
            (
                (
                    "/api/ops/v1/analytics/monthly-report.xlsx",
                    {"month": f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"},
                ),
            ),
        ),
    ]


def screen_calls(today: date) -> list[Call]:
    """Each screen's opening calls and each statistics call."""
    year = {"since": str(today - timedelta(days=365)), "until": str(today + timedelta(days=1))}
    geography = province_geography()
    min_lon, min_lat, max_lon, max_lat = shape(geography.province["features"][0]["geometry"]).bounds
    province = {"bbox": f"{min_lon},{min_lat},{max_lon},{max_lat}"}
    zoom = _fitted_zoom(min_lon, min_lat, max_lon, max_lat)
    city_lon, city_lat = geography.city_center
    town = {"bbox": f"{city_lon - 0.02},{city_lat - 0.015},{city_lon + 0.02},{city_lat + 0.015}"}
    # The wall map opens on every status; its filter can keep to the open reports.
    open_reports = {"status": ",".join(s.value for s in OPEN_STATES)}
    cells: Request = ("/api/ops/v1/map/cells", {**province, "zoom": zoom})
    points: Request = ("/api/ops/v1/map/reports", {**town, **open_reports})
    # Every status in a town holds more than one answer's points: the map shows clusters.
    town_every_status: tuple[Request, ...] = (
        ("/api/ops/v1/map/reports", town),
        ("/api/ops/v1/map/cells", {**town, "zoom": 14}),
    )
    month_by_agency: Request = ("/api/ops/v1/statistics", {"group_by": "agency"})
    calls = [
        Call("public scorecard, 30 days", (("/api/public/v1/scorecard", {}),), "public", True),
        Call("public scorecard, a year", (("/api/public/v1/scorecard", year),), "public", True),
    ]
    for group_by in ("agency", "area", "category", "channel"):
        calls.append(
            Call(
                f"ops statistics by {group_by}, 30 days",
                (("/api/ops/v1/statistics", {"group_by": group_by}),),
                conditional=True,
            )
        )
        calls.append(
            Call(
                f"ops statistics by {group_by}, a year",
                (("/api/ops/v1/statistics", {"group_by": group_by, **year}),),
                conditional=True,
            )
        )
    calls += [
        Call("wall map: snapshot (seq and counters)", (("/api/ops/v1/snapshot", {}),)),
        Call("wall map: KPI tiles", (("/api/ops/v1/kpis", {}),)),
        Call(f"wall map: clusters, province at zoom {zoom}", (cells,)),
        Call("wall map: a town-sized view, open reports (points)", (points,)),
        Call("wall map: a town-sized view, every status (clusters)", town_every_status),
        Call(
            "wall map opening (snapshot, KPIs, 30-day figures, clusters)",
            (("/api/ops/v1/snapshot", {}), ("/api/ops/v1/kpis", {}), month_by_agency, cells),
        ),
        Call("triage queue, first page", (("/api/ops/v1/queue", {"limit": 50}),)),
        Call("ops report list, first page", (("/api/ops/v1/reports", {}),)),
        Call("agency inbox, first page", (("/api/agency/v1/inbox", {"limit": 50}),), "agency"),
        Call("agency statistics, 30 days", (("/api/agency/v1/statistics", {}),), "agency"),
        Call(
            "public map opening (snapshot, clusters)",
            (
                ("/api/public/v1/snapshot", {}),
                ("/api/public/v1/map/cells", {**province, "zoom": zoom}),
            ),
            "public",
        ),
        Call("public results, first page", (("/api/public/v1/results", {}),), "public"),
    ]
    return calls + analytics_calls(today)


def _fitted_zoom(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> int:
    """The whole zoom level at which the box fits the wall screen (Web Mercator)."""

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    width = (max_lon - min_lon) / 360
    height = (y(max_lat) - y(min_lat)) / (2 * math.pi)
    return int(min(math.log2(SCREEN[0] / 256 / width), math.log2(SCREEN[1] / 256 / height)))


@contextmanager
def running_server(url: str) -> Iterator[tuple[str, int]]:
    """gunicorn on ``url`` at a free local port; yields its base URL and pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scratch = tempfile.mkdtemp(prefix="ioc-scale-")
    environment = {
        **os.environ,
        "IOC_DATABASE_URL": url,
        "IOC_BIND": f"127.0.0.1:{port}",
        "IOC_VAR_DIR": scratch,
        "IOC_MEDIA_DIR": f"{scratch}/media",
        # The benchmark makes hundreds of calls a minute from one address.
        "IOC_RATE_LIMITS_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }
    log = Path(scratch) / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "ioc.wsgi:app",
            ],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, log)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 120 s:\n{log.read_text()[-4000:]}")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def _database_backends(engine: Engine) -> list[int] | None:
    """The PostgreSQL backends serving the benchmark's database, when the server runs on this
    machine (their ``/proc`` entries are readable); None otherwise."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        pids = list(
            connection.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        )
    if pids and not Path(f"/proc/{pids[0]}/stat").exists():
        return None
    return pids


def sign_in(base: str, username: str, password: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/api/auth/login", json={"username": username, "password": password}, timeout=30
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def time_calls(base: str, server_pid: int, engine: Engine, calls: list[Call]) -> list[Timing]:
    """Make each call ``RUNS`` times (after one warm-up); skip calls this version lacks."""
    ops_user, agency_user = DEMO_ACCOUNTS[1], DEMO_ACCOUNTS[3]
    headers = {
        "ops": sign_in(base, ops_user.username, ops_user.password),
        "agency": sign_in(base, agency_user.username, agency_user.password),
        "public": {},
    }
    timings: list[Timing] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for call in calls:
            warm = [
                client.get(path, params=params, headers=headers[call.who])
                for path, params in call.requests
            ]
            if any(answer.status_code in (404, 405) for answer in warm):
                print(f"  skipped (not in this version): {call.name}", flush=True)
                continue
            timings.append(_measure(client, call, headers[call.who], {}, server_pid, engine))
            etag = warm[0].headers.get("ETag") if len(warm) == 1 else None
            if call.conditional and etag:
                timings.append(
                    _measure(
                        client,
                        Call(f"{call.name} (If-None-Match)", call.requests, call.who),
                        headers[call.who],
                        {"If-None-Match": etag},
                        server_pid,
                        engine,
                    )
                )
            print(f"  timed: {timings[-1].name}", flush=True)
    return timings


def _measure(
    client: httpx.Client,
    call: Call,
    headers: dict[str, str],
    extra: dict[str, str],
    server_pid: int,
    engine: Engine,
) -> Timing:
    server = _tree(server_pid)
    backends = _database_backends(engine)
    cpu_before = cpu_seconds(server)
    database_before = cpu_seconds(backends) if backends is not None else None
    walls: list[float] = []
    statuses: set[int] = set()
    size = 0
    spent = 0.0
    while len(walls) < RUNS and (len(walls) < MIN_RUNS or spent < BUDGET_SECONDS):
        started = time.perf_counter()
        for path, params in call.requests:
            answer = client.get(path, params=params, headers={**headers, **extra})
            statuses.add(answer.status_code)
            size += len(answer.content)
        walls.append(time.perf_counter() - started)
        spent += walls[-1]
    runs = len(walls)
    cpu = cpu_seconds(server) - cpu_before
    database = (
        cpu_seconds(backends) - database_before
        if backends is not None and database_before is not None
        else None
    )
    walls.sort()
    return Timing(
        name=call.name,
        status="/".join(str(s) for s in sorted(statuses)),
        runs=runs,
        median_ms=statistics.median(walls) * 1000,
        p95_ms=walls[min(len(walls) - 1, math.ceil(0.95 * len(walls)) - 1)] * 1000,
        server_cpu_ms=cpu / runs * 1000,
        database_cpu_ms=database / runs * 1000 if database is not None else None,
        kilobytes=size / runs / 1024,
    )


@dataclass(frozen=True)
class ExportTiming:
    name: str
    status: int
    first_byte_ms: float
    seconds: float
    megabytes: float
    peak_rss_mb: float
    peak_rss_before_mb: float


def time_export(base: str, server_pid: int, today: date, fmt: str) -> ExportTiming:
    """Download a year of reports as ``fmt``, streaming, while sampling the server's resident
    memory (the largest ``VmRSS`` in its process tree, every 20 ms). ``VmHWM`` would not do:
    signing in hashes a password with a memory-hard function that sets the peak by itself."""
    ops_user = DEMO_ACCOUNTS[1]
    headers = sign_in(base, ops_user.username, ops_user.password)
    params = {"since": str(today - timedelta(days=365)), "until": str(today + timedelta(days=1))}
    before = _rss_mb(server_pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak.append(_rss_mb(server_pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with httpx.Client(base_url=base, timeout=3600) as client:
        started = time.perf_counter()
        first_byte: float | None = None
        size = 0
        path = f"/api/ops/v1/exports/reports.{fmt}"
        try:
            with client.stream("GET", path, params=params, headers=headers) as answer:
                for chunk in answer.iter_raw():
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
                status = answer.status_code
        finally:
            done.set()
            sampler.join()
    result = ExportTiming(
        name=f"export a year as {fmt.upper()}",
        status=status,
        first_byte_ms=(first_byte or 0.0) * 1000,
        seconds=time.perf_counter() - started,
        megabytes=size / 1024 / 1024,
        peak_rss_mb=max(peak),
        peak_rss_before_mb=before,
    )
    print(f"  timed: {result.name}", flush=True)
    return result


def _rss_mb(pid: int) -> float:
    largest = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
        except OSError:
            continue
    return largest / 1024


def export_table(exports: list[ExportTiming]) -> str:
    lines = [
        "| export | HTTP | first byte | whole download | size | server RSS peak (before) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for e in exports:
        lines.append(
            f"| {e.name} | {e.status} | {e.first_byte_ms:.0f} ms | {e.seconds:.1f} s | "
            f"{e.megabytes:,.1f} MB | {e.peak_rss_mb:.0f} MB ({e.peak_rss_before_mb:.0f} MB) |"
        )
    return "\n".join(lines)


def table(timings: list[Timing]) -> str:
    """The results as a markdown table."""
    lines = [
        "| call | HTTP | runs | median | p95 | server CPU / call | PostgreSQL CPU / call | size |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        database = f"{t.database_cpu_ms:.1f} ms" if t.database_cpu_ms is not None else "–"
        lines.append(
            f"| {t.name} | {t.status} | {t.runs} | {t.median_ms:.1f} ms | {t.p95_ms:.1f} ms | "
            f"{t.server_cpu_ms:.1f} ms | {database} | {t.kilobytes:,.1f} kB |"
        )
    return "\n".join(lines)


def today_in(timezone: Any) -> date:
    return datetime.now(timezone).date()
