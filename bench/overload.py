"""Overload: at twice the sustainable create rate, does the server keep serving at its
sustainable rate, answer the requests it accepts quickly, refuse the rest quickly with 503,
and file nothing for clients that gave up?

    IOC_TEST_POSTGIS_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ioc_test \\
        .venv/bin/python bench/overload.py [--duration 60] [--probe 20] [--no-nginx] \\
        [--max-in-flight 8]

Makes a throwaway PostGIS database (dropped afterwards) with the demo province and an Open311
key, starts the production shape — two gunicorn processes (gevent, ``gunicorn.conf.py``) and,
when nginx is installed, nginx with ``deploy/nginx.conf`` in front of them — and files
Open311 ``POST /open311/v2/requests.json`` reports (rate limits off: this measures capacity,
not abuse limits):

1. closed loop, 8 clients, ``--probe`` seconds: the sustainable rate (answers per second);
2. open loop at twice that rate for ``--duration`` seconds, each client giving up after
   ``--client-timeout`` seconds: accepted (2xx) and refused (503) counts and latencies,
   clients that gave up, reports stored for clients that never got a 2xx, server CPU.

The load generator runs on the same machine (gevent, one process) and takes CPU too.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from ioc.db import make_session_factory, unit_of_work  # noqa: E402
from ioc.integrations.api_clients import create_api_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_database import fresh_demo_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes and their children (gunicorn workers)."""
    total = 0.0
    seen: set[int] = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            for task in Path(f"/proc/{pid}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (OSError, IndexError, ValueError):
            continue
    return total


def post(port: int, body: bytes, timeout: float) -> tuple[int, float]:
    """One POST over a fresh connection: (status or 0 when the client gave up, seconds)."""
    started = time.perf_counter()
    request = (
        b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: bench\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    try:
        with gevent.Timeout(timeout), socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(request)
            head = b""
            while b"\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                head += chunk
            status = int(head.split(b" ", 2)[1]) if head else -1
            while conn.recv(65536):
                pass
    except gevent.Timeout:
        status = 0
    except OSError:
        status = -1
    return status, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(results: list[tuple[int, float]], seconds: float) -> dict[str, Any]:
    accepted = [t for s, t in results if 200 <= s < 300]
    refused = [t for s, t in results if s == 503]
    return {
        "offered": len(results),
        "accepted": len(accepted),
        "accepted_per_s": round(len(accepted) / seconds, 1),
        "accepted_p50_ms": _ms(percentile(accepted, 0.5)),
        "accepted_p99_ms": _ms(percentile(accepted, 0.99)),
        "refused_503": len(refused),
        "refused_p50_ms": _ms(percentile(refused, 0.5)),
        "refused_p99_ms": _ms(percentile(refused, 0.99)),
        "gave_up": sum(1 for s, _ in results if s == 0),
        "other": sorted({s for s, _ in results if not (200 <= s < 300 or s in (0, 503))}),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def closed_loop(port_of: Any, bodies: Any, clients: int, seconds: float) -> list[Any]:
    results: list[tuple[int, float]] = []
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        i = n
        while time.perf_counter() < deadline:
            results.append(post(port_of(i), next(bodies), 10.0))
            i += clients

    gevent.joinall([gevent.spawn(client, n) for n in range(clients)])
    return results


def open_loop(port_of: Any, bodies: Any, rate: float, seconds: float, timeout: float) -> list[Any]:
    results: list[tuple[int, float]] = []
    greenlets = []
    start = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            gevent.sleep(delay)
        greenlets.append(
            gevent.spawn(lambda i=i: results.append(post(port_of(i), next(bodies), timeout)))
        )
    gevent.joinall(greenlets)
    return results


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> Path:
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    # No screens here: the live upstream (ioc live in production) only has to resolve.
    site = (
        site.replace("    server app:8000;", servers)
        .replace("    server live:8001;", servers)
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
    )
    # Plain HTTP only: the load is the same behind TLS, and the bench needs no certificate.
    site = "\n".join(
        line
        for line in site.splitlines()
        if not line.strip().startswith(("listen 443", "ssl_certificate", "ssl_protocols"))
    )
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    config = folder / "nginx.conf"
    config.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 4096; }\nhttp {\n  access_log off;\n"
        + "".join(f"  {n}_temp_path {folder}/{n};\n" for n in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {folder}/body;\n{site}\n}}\n"
    )
    return config


def wait_until_up(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if b" 200 " in conn.recv(100):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgis", default=os.environ.get("IOC_TEST_POSTGIS_URL"))
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--probe", type=float, default=20)
    parser.add_argument("--client-timeout", type=float, default=10)
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument(
        "--max-in-flight", default="8", help="IOC_MAX_IN_FLIGHT of each app process"
    )
    args = parser.parse_args()
    if not args.postgis:
        parser.error("give --postgis URL or set IOC_TEST_POSTGIS_URL")
    server_url = make_url(args.postgis)
    name = f"ioc_bench_overload_{secrets.token_hex(4)}"
    admin = create_engine(server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server_url.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="ioc-bench-overload-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        engine = fresh_demo_database(url)
        with unit_of_work(make_session_factory(engine)) as session:
            key = create_api_client(session, name="bench").key
            service, attributes = session.execute(
                text(
                    "SELECT code, attributes FROM category WHERE is_active AND NOT is_private "
                    "ORDER BY is_photo_required, code LIMIT 1"
                )
            ).one()
            # Open311 posts carry no photo: file into a category that does not ask for one.
            session.execute(
                text("UPDATE category SET is_photo_required = false WHERE code = :code"),
                {"code": service},
            )
            answers = {
                f"attribute[{a['code']}]": a["values"][0]["key"] if a.get("values") else "1"
                for a in attributes or []
                if a.get("required")
            }
            points = session.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p "
                    "FROM area WHERE level = 'commune') AS inside"
                )
            ).all()

        def bodies() -> Any:
            n = 0
            while True:
                lon, lat = points[n % len(points)]
                n += 1
                yield urlencode(
                    {
                        "api_key": key,
                        "service_code": service,
                        "lat": f"{lat:.6f}",
                        "long": f"{lon:.6f}",
                        "description": f"Đo quá tải {n}: đèn đường không sáng",
                        **answers,
                    }
                ).encode()

        use_nginx = not args.no_nginx and shutil.which("nginx") is not None
        app_ports = [free_port(), free_port()]
        env = {
            **os.environ,
            "IOC_ENV": "production",
            "IOC_SECRET_KEY": secrets.token_hex(32),
            "IOC_DATABASE_URL": url,
            "IOC_MEDIA_DIR": str(folder / "media"),
            "IOC_VAR_DIR": str(folder / "var"),
            "IOC_RATE_LIMITS_ENABLED": "0",
            "IOC_TRUSTED_PROXIES": "1" if use_nginx else "0",
            "IOC_LOG_FORMAT": "json",
            "IOC_MAX_IN_FLIGHT": args.max_in_flight,
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        for port in app_ports:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
                    cwd=ROOT,
                    env={**env, "IOC_BIND": f"127.0.0.1:{port}"},
                    stdout=(folder / f"app-{port}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        app_pids = [p.pid for p in processes]
        for port in app_ports:
            wait_until_up(port)
        if use_nginx:
            front = free_port()
            config = nginx_config(folder, front, app_ports)
            processes.append(
                subprocess.Popen(["nginx", "-c", str(config), "-g", "daemon off;"], cwd=folder)
            )
            wait_until_up(front)

            def port_of(_i: int) -> int:
                return front
        else:

            def port_of(i: int) -> int:
                return app_ports[i % 2]

        stream = bodies()
        closed_loop(port_of, stream, 4, 3)  # warm up
        cpu0 = cpu_seconds(app_pids)
        probe = closed_loop(port_of, stream, 8, args.probe)
        probe_cpu = cpu_seconds(app_pids) - cpu0
        sustainable = summary(probe, args.probe)
        rate = max(1.0, sustainable["accepted_per_s"])
        with engine.connect() as connection:
            before = connection.execute(text("SELECT count(*) FROM report")).scalar_one()
        cpu1 = time.perf_counter(), cpu_seconds(app_pids)
        overload = open_loop(port_of, stream, 2 * rate, args.duration, args.client_timeout)
        wall = time.perf_counter() - cpu1[0]
        overload_cpu = cpu_seconds(app_pids) - cpu1[1]
        time.sleep(5)  # let work still under way finish
        with engine.connect() as connection:
            after = connection.execute(text("SELECT count(*) FROM report")).scalar_one()
        result = summary(overload, args.duration)
        created = after - before
        report = {
            "front": "nginx + 2 gunicorn (gevent)" if use_nginx else "2 gunicorn (gevent)",
            "max_in_flight": args.max_in_flight,
            "sustainable": {
                **sustainable,
                "server_cpu_s": round(probe_cpu, 1),
                "created_per_cpu_s": round(sustainable["accepted"] / probe_cpu, 1)
                if probe_cpu
                else None,
            },
            "offered_per_s": round(2 * rate, 1),
            "overload": {
                **result,
                "wall_s": round(wall, 1),
                "server_cpu_s": round(overload_cpu, 1),
                "rows_created": created,
                "created_without_2xx": created - result["accepted"],
            },
            "load_average": os.getloadavg(),
            "cores": os.cpu_count(),
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        engine.dispose()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
