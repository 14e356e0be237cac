"""What one create costs through the whole app, in process: SQL statements and transactions
per request, and creates per second, for Open311 ``POST requests.json`` and the mobile
``POST /reports``.

    .venv/bin/python bench/intake_requests.py [--requests 300] [--postgis URL] [--profile N]

Loads the demo province into a fresh SQLite file (and, with --postgis, into that database,
whose public schema is wiped), makes one Open311 API key, and sends requests through Flask's
test client (no sockets, no gunicorn), each with its own Idempotency-Key; every statement the
app sends to the database is counted with an SQLAlchemy event listener. ``--profile N`` prints
the N costliest functions (cumulative) of a cProfile run of the Open311 creates.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from demo_database import fresh_demo_database
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event

from ioc.app import create_app
from ioc.db import make_session_factory, statements_held_for_commit, unit_of_work
from ioc.identity import emulator_token
from ioc.integrations.api_clients import create_api_client

#: A traffic light in the demo province's capital ward: routed straight to an agency.
POINT = {"lon": 108.74, "lat": 15.57}


class StatementCounter:
    """Counts the statements and the transactions (BEGINs) an engine runs, those sent on
    their own and those sent with a COMMIT (:func:`ioc.db.send_with_commit`)."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.with_commit = 0
        self.transactions = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "begin", self._begin)

    def _statement(self, *_: Any) -> None:
        self.statements += 1

    def _commit(self, connection: Connection) -> None:
        self.with_commit += statements_held_for_commit(connection)

    def _begin(self, *_: Any) -> None:
        self.transactions += 1


def demo_database_with_key(url: str) -> str:
    """Load the demo province into ``url`` (:func:`fresh_demo_database`) and make one Open311
    API key; returns the key."""
    engine = fresh_demo_database(url)
    with unit_of_work(make_session_factory(engine)) as session:
        key: str = create_api_client(session, name="bench").key
    engine.dispose()
    return key


def run(url: str, requests: int, profile: int) -> None:
    key = demo_database_with_key(url)
    with tempfile.TemporaryDirectory() as media:
        app = bench_app(url, Path(media))
        client = app.test_client()
        engine = app.extensions["ioc"].engine
        counter = StatementCounter(engine)
        scenarios: dict[str, Callable[[int], None]] = {
            "open311 POST requests.json": lambda n: open311_create(client, key, n),
            "mobile POST /reports": lambda n: _mobile(client, n),
        }
        for name, send in scenarios.items():
            send(-1)  # warm the caches, the index and the pool
            before = (counter.statements, counter.transactions, counter.with_commit)
            profiler = cProfile.Profile() if profile and name.startswith("open311") else None
            cpu0, wall0 = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for n in range(requests):
                send(n)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            statements = (counter.statements - before[0]) / requests
            transactions = (counter.transactions - before[1]) / requests
            with_commit = (counter.with_commit - before[2]) / requests
            print(
                f"{engine.dialect.name:<11} {name:<27} {statements:5.1f} statements "
                f"(+{with_commit:3.1f} with the COMMIT) "
                f"{transactions:4.1f} transactions per create  {requests / wall:6.0f}/s wall  "
                f"{requests / cpu:6.0f} per CPU-second"
            )
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(profile)
        _dispose(app)


def bench_app(url: str, media: Path) -> Flask:
    """The app as the in-process benches run it: on ``url``, without rate limits, citizens
    signed in through the Firebase emulator's tokens."""
    os.environ["FIREBASE_AUTH_EMULATOR_HOST"] = "127.0.0.1:9099"
    return create_app(
        {
            "env": "development",
            "database_url": url,
            "media_dir": media,
            "rate_limits_enabled": False,
        }
    )


def open311_create(client: FlaskClient, key: str, n: int) -> None:
    """The ``n``-th Open311 create of a bench, with a new Idempotency-Key."""
    answer = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "traffic_light",
            "lat": str(POINT["lat"]),
            "long": str(POINT["lon"]),
            "attribute[light_fault]": "all_off",
            "description": f"bench {n}",
            "phone": f"09{n % 50:08d}",
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)


def _mobile(client: FlaskClient, n: int) -> None:
    token = emulator_token(project_id="ioc-demo", uid=f"bench-{n % 50}", name="Người dân")
    answer = client.post(
        "/api/mobile/v1/reports",
        json={**POINT, "category": "traffic_light", "attributes": {"light_fault": "all_off"}},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)


def _dispose(app: Flask) -> None:
    app.extensions["ioc"].engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgis")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", args.requests, args.profile)
    if args.postgis:
        run(args.postgis, args.requests, args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
