"""Do report exports of any size stream in constant memory? Starts the app as a real HTTP
server (gunicorn with the repository's gunicorn.conf.py: one gevent worker) on a database
that already holds reports, downloads every report as CSV and as XLSX, and prints time to
first byte, total time, rows, bytes and the server's peak memory.

    .venv/bin/python bench/export.py --database URL_OR_SQLITE_PATH [--port 8765]
    .venv/bin/python bench/export.py --database /tmp/small.sqlite3 --fill 20000

``--database`` takes a SQLite file path or a SQLAlchemy URL (fill it with bench/scale.py).
``--fill N`` first makes that database anew (a PostgreSQL database's public schema is wiped)
with the demo province and N simple reports, for trying the bench without a big database.
A fresh server is started for each format. Memory is the gunicorn worker's resident size:
before the download (started, the bench account signed in), the most it held during the
download (sampled every 10 ms), and the kernel's high-water mark (VmHWM), which includes
start-up and the sign-in (Argon2 briefly takes 64 MB by design).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import psutil
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.feedback.models import Category, User
from ioc.feedback.people.accounts import create_staff_user
from ioc.feedback.reads.rollups import rebuild_rollups
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus
from ioc.geo.cells import cell_for

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench.export"
PASSWORD = "bench-export-password"
#: A period that holds every report (exports default to the last 30 days).
EVERYTHING = {"since": "2000-01-01", "until": "2100-01-01"}
BATCH = 10_000


@dataclass
class Download:
    fmt: str
    first_byte_s: float
    total_s: float
    rows: int
    size: int
    before_rss_mb: float  # the worker once started and the bench account signed in
    during_rss_mb: float  # the most it held while the export ran (sampled every 10 ms)
    peak_rss_mb: float  # the kernel's high-water mark of the worker (VmHWM), start-up included


class _Sampler(threading.Thread):
    """The largest resident size of ``process`` while it runs."""

    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.most = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.most = max(self.most, self.process.memory_info().rss)


def _url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{Path(database).resolve()}"


def _fill(url: str, reports: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from demo_database import fresh_demo_database

    engine = fresh_demo_database(url)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    with unit_of_work(factory) as session:
        categories = list(session.scalars(select(Category.id)))
    now = utcnow()
    statuses = [status.value for status in ReportStatus]
    for start in range(0, reports, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, reports)):
            lon, lat = rng.uniform(107.9, 108.3), rng.uniform(15.9, 16.2)
            cell_x, cell_y = cell_for(lon, lat)
            received = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            rows.append(
                {
                    "ref": f"BENCH-{i:07d}",
                    "category_id": rng.choice(categories),
                    "status": rng.choice(statuses),
                    "sla_tier": "normal",
                    "lon": lon,
                    "lat": lat,
                    "cell_x": cell_x,
                    "cell_y": cell_y,
                    "address": f"Số {i % 300} đường Trần Phú",
                    # Some citizens' text looks like a formula: it must come out inert.
                    "description": "=1+1" if i % 97 == 0 else "Đèn đường tắt " * (1 + i % 8),
                    "attributes": {},
                    "channel": "app",
                    "support_count": 0,
                    "received_at": received,
                    "updated_at": received,
                    "version": 1,
                }
            )
        with unit_of_work(factory) as session:
            session.execute(insert(Report), rows)
    with unit_of_work(factory) as session:
        rebuild_rollups(session)
    engine.dispose()


def _ensure_account(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        if session.scalar(select(User.id).where(User.username == USERNAME)) is None:
            create_staff_user(
                session, username=USERNAME, role="viewer", password=PASSWORD, agency_code=None
            )


@contextmanager
def _server(url: str, port: int) -> Iterator[psutil.Process]:
    """gunicorn on ``url``; yields its worker process once the app answers."""
    env = {
        **os.environ,
        "IOC_DATABASE_URL": url,
        "IOC_BIND": f"127.0.0.1:{port}",
        "IOC_RATE_LIMITS_ENABLED": "0",
        "IOC_PUBLISH_EVENTS": "0",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).is_success:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"the server did not start:\n{log.read().decode()[-3000:]}")
                time.sleep(0.2)
            [worker] = psutil.Process(process.pid).children()
            yield worker
        finally:
            process.terminate()
            process.wait(timeout=30)


def _peak_rss_mb(process: psutil.Process) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return process.memory_info().rss / 2**20


def _download(url: str, port: int, fmt: str) -> Download:
    with _server(url, port) as worker:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(
            f"{base}/api/auth/login", json={"username": USERNAME, "password": PASSWORD}
        ).json()["token"]
        before = worker.memory_info().rss / 2**20
        sampler = _Sampler(worker)
        sampler.start()
        counter = _XlsxRows() if fmt == "xlsx" else _CsvRows()
        size = 0
        start = time.perf_counter()
        first_byte = 0.0
        with httpx.stream(
            "GET",
            f"{base}/api/ops/v1/exports/reports.{fmt}",
            params=EVERYTHING,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(60, read=60),
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_raw(256 * 1024):
                if not size:
                    first_byte = time.perf_counter() - start
                size += len(chunk)
                counter.feed(chunk)
        total = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
        return Download(
            fmt,
            first_byte,
            total,
            counter.rows(),
            size,
            before,
            sampler.most / 2**20,
            _peak_rss_mb(worker),
        )


class _CsvRows:
    """Rows of the CSV as it arrives: line ends outside quoted text, less the header."""

    def __init__(self) -> None:
        self.lines = 0
        self.quoted = False

    def feed(self, chunk: bytes) -> None:
        for part in chunk.split(b'"'):
            if not self.quoted:
                self.lines += part.count(b"\n")
            self.quoted = not self.quoted
        self.quoted = not self.quoted  # the last part closed no quote

    def rows(self) -> int:
        return self.lines - 1


class _XlsxRows:
    """Rows of the worksheet as the zip arrives, less the header: counts ``<row `` in the
    deflated sheet (the last member of the archive, whose data starts after its header)."""

    def __init__(self) -> None:
        self.buffer = b""
        self.inflater: zlib._Decompress | None = None
        self.count = 0
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.inflater is None:
            self.buffer += chunk
            marker = self.buffer.find(b"xl/worksheets/sheet1.xml")
            if marker < 0:
                return
            start = self.buffer.rfind(b"PK\x03\x04", 0, marker)
            name_length = int.from_bytes(self.buffer[start + 26 : start + 28], "little")
            extra_length = int.from_bytes(self.buffer[start + 28 : start + 30], "little")
            data = start + 30 + name_length + extra_length
            if len(self.buffer) < data:
                return
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            chunk, self.buffer = self.buffer[data:], b""
        if self.inflater.eof:
            return
        text = self.tail + self.inflater.decompress(chunk)
        self.count += text.count(b"<row ")
        self.tail = text[-4:]

    def rows(self) -> int:
        return self.count - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLite file path or database URL")
    parser.add_argument("--fill", type=int, help="first make it anew with this many reports")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    url = _url(args.database)
    if args.fill is not None:
        _fill(url, args.fill)
    engine = make_engine(url)
    _ensure_account(make_session_factory(engine))
    engine.dispose()
    print(
        f"{'format':<6} {'first byte':>10} {'total':>9} {'rows':>10} {'MB':>8} "
        f"{'RSS before':>11} {'during':>8} {'VmHWM':>8}"
    )
    for fmt in args.formats.split(","):
        d = _download(url, args.port, fmt)
        print(
            f"{d.fmt:<6} {d.first_byte_s:>9.2f}s {d.total_s:>8.1f}s {d.rows:>10,} "
            f"{d.size / 2**20:>8.1f} {d.before_rss_mb:>8.0f} MB {d.during_rss_mb:>5.0f} MB "
            f"{d.peak_rss_mb:>5.0f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
