"""How many reports can one process file per second? The whole intake use case — category,
attributes, point ► areas, routing, deadlines, history, outbox event — one commit each.

    .venv/bin/python bench/intake.py [--reports 2000] [--postgis URL]

Loads the demo province into a fresh SQLite file (and, with --postgis, into that database,
whose public schema is wiped), then files reports at random points inside random communes,
each in its own transaction, as the mobile API does (photos and HTTP excluded).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

from demo_database import fresh_demo_database

from ioc.db import make_session_factory, unit_of_work
from ioc.demo.simulator import simulate_report
from ioc.feedback.intake.filing import Intake
from ioc.feedback.sla.policy import load_policy
from ioc.geo.service import AreaLocator


def run(url: str, reports: int) -> None:
    engine = fresh_demo_database(url)
    factory = make_session_factory(engine)
    intake = Intake(
        locator=AreaLocator(check_seconds=2.0), policy=load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))
    )
    rng = random.Random(1)
    with unit_of_work(factory) as session:  # warm the index and the caches
        simulate_report(session, intake, rng)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(reports):
        with unit_of_work(factory) as session:
            simulate_report(session, intake, rng)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"{engine.dialect.name:<11} {reports:>6} reports  {reports / wall:8.0f}/s wall  "
        f"{reports / cpu:8.0f} per CPU-second  ({wall / reports * 1000:.2f} ms each)"
    )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--postgis")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", args.reports)
    if args.postgis:
        run(args.postgis, args.reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
