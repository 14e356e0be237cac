"""The production shape of ``docker-compose.yml``, started on this machine without Docker.

Commands and settings come from the files that ship: the app's command from the Dockerfile's
``CMD``, the migration's and the worker's from the compose services, their environment from
the compose file's ``x-ioc-env`` and Redis's arguments from its service. Only what names a
place changes: addresses and ports (compose's service names become 127.0.0.1 and free ports),
the database (a throwaway PostGIS database on the test server), the media and temporary
folders, and the secrets compose asks the operator for. nginx runs with ``deploy/nginx.conf``
as shipped, its upstream list, ports and certificate paths filled in the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
#: How many app processes the test runs behind nginx (``docker compose up --scale app=2``).
APP_PROCESSES = 2
#: How many ``ioc live`` processes serve the websockets (``--scale live=2``).
LIVE_PROCESSES = 2
#: The settings of x-ioc-env the test replaces, because they name a place on the host.
PLACES = {"IOC_DATABASE_URL", "IOC_REDIS_URL", "IOC_MEDIA_DIR"}
#: Debian's nginx (in /usr/sbin, which is not on every user's PATH).
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: What tests/clock.py's on_the_test_clock sets for libfaketime.
FAKETIME_SETTINGS = (
    "LD_PRELOAD",
    "FAKETIME",
    "FAKETIME_FMT",
    "DONT_FAKE_MONOTONIC",
    "FAKETIME_WAIT_MS",
)


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def image_command() -> list[str]:
    """The Dockerfile's CMD (the app service's command, which compose does not override)."""
    found = re.search(r"^CMD\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.MULTILINE)
    assert found, "the Dockerfile has no CMD in exec form"
    return list(json.loads(found.group(1)))


def service_command(name: str) -> list[str]:
    return list(compose()["services"][name].get("command") or image_command())


def app_environment(secrets: Mapping[str, str]) -> dict[str, str]:
    """x-ioc-env with compose's ``${NAME:?message}`` filled from ``secrets``."""

    def fill(value: object) -> str:
        return re.sub(
            r"\$\{(\w+)(?::\?[^}]*)?\}", lambda match: secrets[match.group(1)], str(value)
        )

    return {key: fill(value) for key, value in compose()["x-ioc-env"].items()}


def runnable(command: list[str]) -> list[str]:
    """The image's programs, from this checkout's virtualenv (same code, same entry points)."""
    programs = {
        "gunicorn": [sys.executable, "-m", "gunicorn"],
        "ioc": [sys.executable, "-m", "ioc.cli"],
    }
    return [*programs.get(command[0], [command[0]]), *command[1:]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nginx_config(
    folder: Path,
    *,
    upstreams: list[str],
    live_upstreams: list[str],
    http_port: int,
    https_port: int,
    tls: tuple[Path, Path],
) -> Path:
    """``deploy/nginx.conf`` inside the main file the nginx image gives it, for this host."""
    shipped = NGINX_CONF.read_text()
    site = shipped
    replacements = [
        (r"^\s*server app:8000;$", "".join(f"    server {address};\n" for address in upstreams)),
        (
            r"^\s*server live:8001;$",
            "".join(f"    server {address};\n" for address in live_upstreams),
        ),
        (r"^\s*listen 80;$", f"    listen 127.0.0.1:{http_port};"),
        (r"^\s*listen 443 ssl;$", f"    listen 127.0.0.1:{https_port} ssl;"),
        (r"/etc/nginx/tls/fullchain\.pem", str(tls[0])),
        (r"/etc/nginx/tls/privkey\.pem", str(tls[1])),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement.rstrip("\n"), site, flags=re.MULTILINE)
        assert count == 1, f"deploy/nginx.conf no longer has {pattern!r} once"
    temp = folder / "temp"
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / kind).mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    # nginx empties its workers' environment except what `env` keeps: libfaketime re-reads
    # its settings every few seconds and would otherwise fall back to the real clock.
    keep = "".join(f"env {name};\n" for name in FAKETIME_SETTINGS)
    main = f"""
{user}
{keep}
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    access_log {folder / "access.log"};
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include /etc/nginx/mime.types;
{site}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def wait_until(condition: Any, *, timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (name) state ppid ...": the name may hold spaces, so split after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class App:
    """One app process group: a gunicorn master and its gevent worker."""

    process: subprocess.Popen[bytes]
    address: str

    def worker(self) -> int:
        return wait_until(
            lambda: children(self.process.pid), timeout=30, what="the gunicorn worker"
        )[0]

    def kill_worker(self) -> int:
        worker = self.worker()
        os.kill(worker, signal.SIGKILL)
        return worker


@dataclass
class Live:
    """One ``ioc live`` process (the screens' websockets)."""

    command: list[str]
    env: Mapping[str, str]
    log: Path
    address: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                runnable(self.command), cwd=ROOT, env=dict(self.env), stdout=output,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def kill(self) -> None:
        """``kill -9``, then start again as the container's restart policy would."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def live_command(port: int) -> list[str]:
    """The live service's command, listening on this host's loopback at ``port``."""
    command = service_command("live")
    host = command.index("--host")
    return [*command[: host + 1], "127.0.0.1", *command[host + 2 :], "--port", str(port)]


@dataclass
class Topology:
    base_url: str  # nginx, plain HTTP
    tls_url: str  # nginx, its TLS listener
    apps: list[App]
    folder: Path
    lives: list[Live] = field(default_factory=list)
    clock: Any = None  # the app processes' clock (tests.browser.conftest.ProcessClock)


@contextmanager
def running(
    command: list[str], env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            runnable(command), cwd=ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


@contextmanager
def production_shape(folder: Path, *, database_url: str, on_the_clock: Any) -> Iterator[Topology]:
    """Redis, the migration, the demo province, two app processes, the worker, two live
    processes and nginx."""
    with ExitStack() as stack:
        redis_port = free_port()
        redis_command = [
            *service_command("redis"),
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
        ]
        stack.enter_context(running(redis_command, os.environ, folder / "redis.log"))
        wait_until(lambda: _redis_ping(redis_port), timeout=15, what="the private Redis server")

        env = app_environment(
            {
                "IOC_DB_PASSWORD": "unused",
                "IOC_SECRET_KEY": os.urandom(24).hex(),
                "IOC_FIREBASE_PROJECT_ID": "ioc-topology",
            }
        )
        places = {
            "IOC_DATABASE_URL": database_url,
            "IOC_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "IOC_MEDIA_DIR": str(folder / "media"),
        }
        assert set(places) == PLACES
        env.update(places)
        base_env = {
            key: value
            for key, value in os.environ.items()
            # gunicorn.conf.py makes each app process its own metrics folder.
            if not key.startswith("IOC_")
            and key not in {"FIREBASE_AUTH_EMULATOR_HOST", "PROMETHEUS_MULTIPROC_DIR"}
        }
        env = {**base_env, **env}

        for name, command in (
            ("migrate", service_command("migrate")),
            ("seed", ["ioc", "seed", "demo"]),
        ):
            done = subprocess.run(
                runnable(command), cwd=ROOT, env=on_the_clock(env), capture_output=True, text=True
            )
            assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"

        apps = []
        for number in range(APP_PROCESSES):
            address = f"127.0.0.1:{free_port()}"
            app_env = on_the_clock({**env, "IOC_BIND": address})
            process = stack.enter_context(
                running(service_command("app"), app_env, folder / f"app{number}.log")
            )
            apps.append(App(process=process, address=address))
        stack.enter_context(
            running(service_command("worker"), on_the_clock(env), folder / "worker.log")
        )
        lives = []
        for number in range(LIVE_PROCESSES):
            port = free_port()
            live = Live(
                command=live_command(port),
                env=on_the_clock(env),
                log=folder / f"live{number}.log",
                address=f"127.0.0.1:{port}",
            )
            live.start()
            stack.callback(live.stop)
            lives.append(live)
        for number, app in enumerate(apps):
            wait_until(
                lambda app=app: (
                    answers(f"http://{app.address}/healthz") or app.process.poll() is not None
                ),
                timeout=90,
                what=f"app process {number}",
                every=0.5,
            )
            assert app.process.poll() is None, tail(folder / f"app{number}.log")
        for number, live in enumerate(lives):
            wait_until(
                lambda live=live: answers(f"http://{live.address}/healthz") or live.exited(),
                timeout=60,
                what=f"live process {number}",
                every=0.5,
            )
            assert not live.exited(), tail(folder / f"live{number}.log")

        http_port, https_port = free_port(), free_port()
        config = nginx_config(
            folder,
            upstreams=[app.address for app in apps],
            live_upstreams=[live.address for live in lives],
            http_port=http_port,
            https_port=https_port,
            tls=self_signed_certificate(folder),
        )
        nginx = stack.enter_context(
            # On the test clock too: nginx writes the Date header the browser reads cookie
            # lifetimes against, and the app's cookies expire on the app's clock.
            running(
                [NGINX, "-c", str(config), "-g", "daemon off;"],
                on_the_clock(dict(os.environ)),
                folder / "nginx.log",
            )
        )
        base_url = f"http://127.0.0.1:{http_port}"
        wait_until(
            lambda: answers(f"{base_url}/healthz") or nginx.poll() is not None,
            timeout=15,
            what="nginx",
        )
        assert nginx.poll() is None, tail(folder / "nginx.log") + tail(folder / "error.log")
        # Stop everything at once (each `running` then waits for its own process).
        every = [nginx, *(app.process for app in apps)]
        stack.callback(lambda: [process.terminate() for process in every if process.poll() is None])
        yield Topology(
            base_url=base_url,
            tls_url=f"https://127.0.0.1:{https_port}",
            apps=apps,
            folder=folder,
            lives=lives,
        )


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False
