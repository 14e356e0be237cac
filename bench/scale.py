"""Do the screens stay fast with a province's worth of reports? Loads N realistic reports
and times each screen's opening calls and each statistics call through the HTTP API.

    .venv/bin/python bench/scale.py --reports N [--database URL] [--keep-existing]
                                    [--only load|time] [--no-exports]

1. Migrates the database (a scratch SQLite file by default, /tmp/ioc-scale-N.sqlite3; a
   PostgreSQL URL has its public schema WIPED first, so give it a scratch database) and seeds
   the demo province; with --keep-existing nothing is wiped and the reports are added.
2. Loads N reports: clustered around the towns and commune centres, weighted categories and
   channels, a year of history ending now (most closed, a few per cent open and some of
   those overdue, some rejected or merged), deadlines on the province's working calendar,
   a history row per step, ratings, returns and reopenings; then recounts the rollups.
3. Starts gunicorn (gunicorn.conf.py) on the database and times each call 20 times (one
   still slow after a minute stops at that, after at least 3 runs): median, 95th percentile,
   and the CPU the server (and a local PostgreSQL) spent per call. Calls this version does
   not have (404/405) are skipped; where the server sends an ETag the call
   is timed again with If-None-Match. Then a year of reports is exported once as CSV and
   once as XLSX, each from a fresh server: time to the first byte, the whole download, and
   the server's peak memory.

The database is kept; the command to serve it is printed at the end.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from demo_database import fresh_demo_database
from scale_load import load_reports
from scale_timing import (
    export_table,
    running_server,
    screen_calls,
    table,
    time_calls,
    time_export,
    today_in,
)

from ioc.config import load_settings
from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.demo.seed import seed_demo
from ioc.feedback.sla.policy import load_policy
from ioc.migrate import upgrade


def prepare(url: str, *, keep_existing: bool) -> None:
    """A migrated database with the demo province: fresh unless ``keep_existing``."""
    if keep_existing:
        engine = make_engine(url)
        upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as session:
            seed_demo(session)
        engine.dispose()
        return
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
    fresh_demo_database(url).dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL (default: a scratch SQLite file); a PostgreSQL database is wiped",
    )
    parser.add_argument(
        "--keep-existing", action="store_true", help="add to the database instead of wiping it"
    )
    parser.add_argument(
        "--only", choices=("load", "time"), help="only load (no server), or only time (no load)"
    )
    parser.add_argument(
        "--no-exports", action="store_true", help="skip the CSV/XLSX downloads of a year"
    )
    args = parser.parse_args()
    # Stopped from outside, still stop the server (the finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = args.database or f"sqlite:////tmp/ioc-scale-{args.reports}.sqlite3"
    timezone = ZoneInfo(load_settings({"database_url": url}).timezone)
    if args.only != "time":
        prepare(url, keep_existing=args.keep_existing)
        engine = make_engine(url)
        print(f"loading {args.reports:,} reports into {engine.url.render_as_string()}", flush=True)
        result = load_reports(engine, load_policy(timezone), reports=args.reports, now=utcnow())
        print(
            f"loaded {result.reports:,} reports, {result.history:,} history rows and "
            f"{result.returns:,} returns in {result.seconds:.0f} s "
            f"({result.reports / result.seconds:,.0f} reports/s); rollups recounted in "
            f"{result.rollup_seconds:.0f} s",
            flush=True,
        )
        engine.dispose()
    if args.only != "load":
        engine = make_engine(url)
        with running_server(url) as (base, pid):
            print(f"timing through {base} ({engine.dialect.name})", flush=True)
            timings = time_calls(base, pid, engine, screen_calls(today_in(timezone)))
        engine.dispose()
        exports = []
        for fmt in () if args.no_exports else ("csv", "xlsx"):
            # A fresh server each: the peak memory it reports is the export's.
            with running_server(url) as (base, pid):
                exports.append(time_export(base, pid, today_in(timezone), fmt))
        print()
        print(table(timings))
        if exports:
            print()
            print(export_table(exports))
    print()
    print(f"The database is kept. Serve it with:\n  IOC_DATABASE_URL='{url}' .venv/bin/ioc serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
