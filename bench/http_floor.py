"""The floor of this stack: the cheapest create gunicorn, gevent, Flask, SQLAlchemy and
psycopg can serve on this machine, per server CPU-second.

    .venv/bin/python bench/http_floor.py [--seconds 20] [--statements 1 12] [--postgis URL]
        [--worker-class gevent sync gthread]

Starts two gunicorn processes (one worker each, access log on, as ``gunicorn.conf.py`` runs
IOC; gevent unless ``--worker-class`` names others, each measured in turn) serving one route,
``POST /create``, that reads an Open311-like form and, in one transaction, sends
``--statements`` statements: ``N - 1`` primary-key look-ups, then one ``INSERT … RETURNING
id`` into a table of a throwaway PostgreSQL database. Closed-loop clients (8, keep-alive,
alternating processes, as bench/http_load.py's) post for ``--seconds`` per statement count,
and each line gives creates/s, the CPU of the app processes and of the
database's backends per create, and creates per server CPU-second.

What it tells: how much of a create's cost is the stack's own, and how much each round trip
to the database costs the app and the database, whatever the statement. Compare with
bench/http_load.py's Open311 create, which makes as many round trips as one statement here
(``BEGIN``, its report's statement, and its ``COMMIT`` with four held statements).
"""

from __future__ import annotations

import argparse
import functools
import http.client
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from tier import (  # noqa: E402
    DEFAULT_POSTGIS,
    cpu_seconds,
    free_port,
    healthy,
    interpreter,
    run_clients,
    tree_pids,
    wait_until,
)

#: Set in the gunicorn processes this script starts: the database they write to.
_URL = os.environ.get("IOC_FLOOR_DATABASE_URL")

app = Flask(__name__)


@app.post("/create")
def create() -> ResponseReturnValue:
    form = request.form
    with engine.begin() as connection:
        for _ in range(int(os.environ["IOC_FLOOR_STATEMENTS"]) - 1):
            connection.execute(text("SELECT id FROM thing WHERE id = :id"), {"id": 1}).scalar()
        new_id = connection.execute(
            text(
                "INSERT INTO thing (description, lon, lat, phone) "
                "VALUES (:description, :lon, :lat, :phone) RETURNING id"
            ),
            {
                "description": form["description"],
                "lon": float(form["long"]),
                "lat": float(form["lat"]),
                "phone": form["phone"],
            },
        ).scalar()
    return jsonify([{"service_request_id": new_id}])


@app.get("/healthz")
def health() -> ResponseReturnValue:
    return "ok"


engine = create_engine(_URL or "postgresql+psycopg://", pool_size=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--statements", type=int, nargs="+", default=[1, 12])
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    parser.add_argument("--worker-class", nargs="+", default=["gevent"])
    args = parser.parse_args()
    server = create_engine(
        make_url(args.postgis).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"ioc_floor_{secrets.token_hex(4)}"
    url = make_url(args.postgis).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        database = create_engine(url)
        with database.begin() as connection:
            connection.execute(
                text(
                    "CREATE TABLE thing (id serial PRIMARY KEY, description text, lon float, "
                    "lat float, phone text, created_at timestamptz DEFAULT now())"
                )
            )
        database.dispose()
        print(interpreter())
        for worker_class in args.worker_class:
            for statements in args.statements:
                _measure(server, name, url, worker_class, statements, args.seconds)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
    return 0


def _measure(
    server: object, name: str, url: str, worker_class: str, statements: int, seconds: float
) -> None:
    ports = [free_port(), free_port()]
    env = {**os.environ, "IOC_FLOOR_DATABASE_URL": url, "IOC_FLOOR_STATEMENTS": str(statements)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--worker-class",
                worker_class,
                "--workers",
                "1",
                "--access-logfile",
                "-",
                "--bind",
                f"127.0.0.1:{port}",
                "http_floor:app",
            ],
            cwd=HERE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_until(functools.partial(healthy, port), timeout=30, what="the floor app")
        _load(ports, 8, 2.0)  # warm-up: connections, prepared statements
        pids = [pid for process in processes for pid in tree_pids(process.pid)]
        backends = _backends(server, name)
        app_before, database_before = cpu_seconds(pids), cpu_seconds(backends)
        created = _load(ports, 8, seconds)
        backends = sorted(set(backends) | set(_backends(server, name)))
        app_cpu = cpu_seconds(pids) - app_before
        database_cpu = cpu_seconds(backends) - database_before
        print(
            f"{worker_class:<8} {statements:>2} statement(s) per create: "
            f"{created / seconds:7.1f}/s  "
            f"app {1000 * app_cpu / created:5.2f} ms + db {1000 * database_cpu / created:5.2f} ms "
            f"per create  ► {created / (app_cpu + database_cpu):6.1f} per CPU-second",
            flush=True,
        )
    finally:
        for process in processes:
            process.terminate()
            process.wait()


def _load(ports: list[int], clients: int, seconds: float) -> int:
    """Closed-loop clients posting for ``seconds``; the number of 200 answers."""
    deadline = time.monotonic() + seconds
    created = [0] * clients

    def client(number: int) -> None:
        connections = [http.client.HTTPConnection("127.0.0.1", port) for port in ports]
        sent = 0
        while time.monotonic() < deadline:
            form = {
                "service_code": "traffic_light",
                "lat": "15.57",
                "long": "108.74",
                "description": f"Đèn tín hiệu tắt hoàn toàn ({sent})",
                "phone": f"09{sent % 50:08d}",
            }
            connection = connections[sent % len(connections)]
            connection.request(
                "POST",
                "/create",
                body=urllib.parse.urlencode(form).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            answer = connection.getresponse()
            answer.read()
            created[number] += answer.status == 200
            sent += 1
        for connection in connections:
            connection.close()

    run_clients(client, clients)
    return sum(created)


def _backends(server: object, name: str) -> list[int]:
    with server.connect() as connection:  # type: ignore[attr-defined]
        return list(
            connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
        )


if __name__ == "__main__":
    sys.exit(main())
