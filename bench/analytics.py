"""Does the analytics page stay fast with a province's worth of reports? Times the analytics
API (a year of weekly and monthly series, two half-years compared, agencies ranked, hotspots,
distributions and last month's report) through HTTP against gunicorn.

    .venv/bin/python bench/analytics.py --database URL [--reports N]

With ``--reports N`` the database is WIPED and N reports are loaded first, as ``bench/scale.py``
does (a year of history ending now, rollups recounted); without it, the database is timed as
it is (for instance one ``bench/scale.py --reports 1000000 --only load`` left). Each call is
made 20 times after a warm-up: median, 95th percentile, and the CPU the server and a local
PostgreSQL spent per call (see ``bench/scale_timing.py``).
"""

from __future__ import annotations

import argparse
import signal
import sys
from zoneinfo import ZoneInfo

from scale import prepare
from scale_load import load_reports
from scale_timing import analytics_calls, running_server, table, time_calls, today_in

from ioc.config import load_settings
from ioc.db import make_engine, utcnow
from ioc.feedback.sla.policy import load_policy


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="SQLAlchemy URL")
    parser.add_argument("--reports", type=int, help="wipe the database and load this many")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    timezone = ZoneInfo(load_settings({"database_url": args.database}).timezone)
    if args.reports:
        prepare(args.database, keep_existing=False)
        engine = make_engine(args.database)
        result = load_reports(engine, load_policy(timezone), reports=args.reports, now=utcnow())
        print(
            f"loaded {result.reports:,} reports in {result.seconds:.0f} s, "
            f"rollups recounted in {result.rollup_seconds:.0f} s",
            flush=True,
        )
        engine.dispose()
    engine = make_engine(args.database)
    with running_server(args.database) as (base, pid):
        print(f"timing through {base} ({engine.dialect.name})", flush=True)
        timings = time_calls(base, pid, engine, analytics_calls(today_in(timezone)))
    engine.dispose()
    print()
    print(table(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
