"""A production-shaped live tier for outage tests: two gunicorn (gevent) app processes,
``ioc worker``, a private ``redis-server`` and screens running the pages' live code
(``frontend/src/lib/livefeed.js``) under Node with the official Socket.IO client.

Everything listens on free ports and belongs to the test, so stopping Redis or restarting
PostgreSQL here never touches what other test runs use.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ioc.identity import emulator_token
from tests.clock import on_the_test_clock

ROOT = Path(__file__).resolve().parents[2]
SCREEN = ROOT / "frontend" / "tests" / "screen.mjs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def node_or_skip() -> str:
    node = shutil.which("node")
    if node and (ROOT / "frontend" / "node_modules" / "socket.io-client").is_dir():
        return node
    pytest.skip("Node.js and frontend/node_modules are needed")


def _real_clock(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` without libfaketime: Redis's clock is not ours to fake (the week run fakes
    pytest's and every process it starts), and under Debian 12's libfaketime with the week
    run's settings redis-server never comes up."""
    preloaded = [entry for entry in env.get("LD_PRELOAD", "").split() if "faketime" not in entry]
    cleaned = {
        name: value
        for name, value in env.items()
        if not name.startswith("FAKETIME") and name not in ("DONT_FAKE_MONOTONIC", "LD_PRELOAD")
    }
    if preloaded:
        cleaned["LD_PRELOAD"] = " ".join(preloaded)
    return cleaned


class PrivateRedis:
    """A ``redis-server`` of this test alone, on a free port, that can be stopped and restarted."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is needed")
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_real_clock(os.environ),
        )
        try:
            wait_until(self._answers, timeout=10, what="redis-server")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@dataclass
class Screen:
    process: subprocess.Popen[str]
    lines: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    applied: list[int] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = json.loads(raw)
            if "seq" in line:
                self.applied.append(line["seq"])
            if "status" in line:
                self.statuses.append(line["status"])
            self.lines.put(line)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class LiveTier:
    """Two app processes and a worker on one database and one Redis."""

    def __init__(self, database_url: str, redis: PrivateRedis, folder: Path) -> None:
        self.redis = redis
        self.ports = [free_port(), free_port()]
        self.bases = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("IOC_")},
            "PYTHONPATH": str(ROOT),
            "IOC_DATABASE_URL": database_url,
            "IOC_REDIS_URL": redis.url,
            "IOC_REDIS_CHANNEL": f"ioc-outage-{secrets.token_hex(6)}",
            "IOC_ENV": "development",
            # The filer sends ten reports a second as one citizen, three times what the abuse
            # limits let one citizen file: this rig measures the live tier, not the limits.
            "IOC_RATE_LIMITS_ENABLED": "false",
            "IOC_MEDIA_DIR": str(folder / "media"),
            "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
        }
        self.processes: list[subprocess.Popen[bytes]] = []
        self.screens: list[Screen] = []
        self.log = folder / "tier.log"

    def start(self) -> LiveTier:
        out = self.log.open("ab")
        self._out = out
        for port in self.ports:
            env = {**self.env, "IOC_BIND": f"127.0.0.1:{port}"}
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
                    cwd=ROOT,
                    env=on_the_test_clock(env),
                    stdout=out,
                    stderr=out,
                )
            )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ioc.cli",
                    "worker",
                    "--sweep-every",
                    "3600",
                    "--surge-every",
                    "3600",
                ],
                cwd=ROOT,
                env=on_the_test_clock(self.env),
                stdout=out,
                stderr=out,
            )
        )
        try:
            for base in self.bases:
                wait_until(lambda base=base: _healthy(base), timeout=60, what=f"{base}/healthz")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log.read_text(errors='replace')[-3000:]}") from None
        return self

    def screen(self, app: int, namespace: str, token: str, snapshot_path: str) -> Screen:
        process = subprocess.Popen(
            [node_or_skip(), str(SCREEN), self.bases[app], namespace, token, snapshot_path],
            cwd=ROOT / "frontend",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        screen = Screen(process)
        threading.Thread(target=screen.pump, daemon=True).start()
        self.screens.append(screen)
        wait_until(lambda: "online" in screen.statuses, timeout=30, what="a screen online")
        return screen

    def file_report(self, app: int, n: int) -> int:
        """File one report through app process ``app``; the HTTP status (0: no answer)."""
        citizen = emulator_token(project_id="ioc-demo", uid=f"outage-{n % 7}", name="Người dân")
        body = {
            "category": "traffic_light",
            "lon": 108.74,
            "lat": 15.57,
            "attributes": {"light_fault": "all_off"},
        }
        request = urllib.request.Request(
            f"{self.bases[app]}/api/mobile/v1/reports",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {citizen}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:
            return 0

    def stop(self) -> None:
        self._out.close()
        for screen in self.screens:
            screen.close()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


class Filer:
    """Files a report every ``every`` seconds, alternating app processes, until stopped."""

    def __init__(self, tier: LiveTier, every: float = 0.1) -> None:
        self.tier = tier
        self.every = every
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Filer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            self.statuses.append(self.tier.file_report(n % 2, n))
            n += 1
            self._stop.wait(self.every)


class PrivatePostgres:
    """A PostgreSQL cluster of this test alone (initdb + pg_ctl, as the postgres user), on a
    free port, that can be restarted without disturbing the server other tests use."""

    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self, folder: Path) -> None:
        if not (self.BIN / "initdb").exists() or shutil.which("runuser") is None:
            pytest.skip("PostgreSQL 15 server binaries and runuser are needed")
        # Outside the test's folder: the postgres user may not enter root's temporary folders.
        self.folder = Path(tempfile.mkdtemp(prefix="ioc-outage-pg-")) / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/ioc"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> PrivatePostgres:
        if not self.folder.exists():
            self.folder.mkdir()
            shutil.chown(self.folder.parent, "postgres", "postgres")
            shutil.chown(self.folder, "postgres", "postgres")
            self._as_postgres(
                str(self.BIN / "initdb"), "-D", str(self.folder), "-A", "trust", "-U", "postgres"
            )
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder.parent / "server.log")  # the server must not hold our pipes
        self._as_postgres(
            str(self.BIN / "pg_ctl"),
            "-D",
            str(self.folder),
            "-l",
            log,
            "-o",
            options,
            "-w",
            "start",
        )
        return self

    def restart(self) -> None:
        self._as_postgres(str(self.BIN / "pg_ctl"), "-D", str(self.folder), "-m", "fast", "stop")
        self.start()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._as_postgres(
                str(self.BIN / "pg_ctl"), "-D", str(self.folder), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.folder.parent, ignore_errors=True)
