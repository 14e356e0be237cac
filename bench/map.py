"""How fast does the wall map's province view open with many reports? Times the cluster counts
behind ``GET /api/ops/v1/map/cells`` read from the rollups, against the same counts grouped
from the ``report`` table (what an agency/area/time filter has to do).

    .venv/bin/python bench/map.py [--reports 200000] [--postgis URL]

Loads the demo province into a fresh SQLite file (and, with --postgis, into that database,
whose public schema is wiped), bulk-inserts reports at random points of the province's
bounding box with random categories and statuses, recounts the rollups once, then asks for
the whole province at map zooms 8, 10 and 12 (median of 7 runs each, wall clock).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from demo_database import fresh_demo_database
from shapely.geometry import shape
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_session_factory, unit_of_work, utcnow
from ioc.demo.geography import province_geography
from ioc.feedback.models import Category
from ioc.feedback.reads.rollups import rebuild_rollups
from ioc.feedback.report_models import Report
from ioc.feedback.states import ReportStatus
from ioc.geo.cells import cell_for
from ioc.maps.clusters import BBox, MapFilter, count_clusters

STATUSES = [status.value for status in ReportStatus]
BATCH = 10_000


def _load(factory: sessionmaker[Session], reports: int, rng: random.Random) -> BBox:
    province = province_geography().province["features"][0]["geometry"]
    min_lon, min_lat, max_lon, max_lat = shape(province).bounds
    with unit_of_work(factory) as session:
        categories = list(session.scalars(select(Category.id)))
    now = utcnow()
    for start in range(0, reports, BATCH):
        rows = []
        for i in range(start, min(start + BATCH, reports)):
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            cell_x, cell_y = cell_for(lon, lat)
            received = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            rows.append(
                {
                    "ref": f"BENCH-{i:07d}",
                    "category_id": rng.choice(categories),
                    "status": rng.choice(STATUSES),
                    "sla_tier": "standard",
                    "lon": lon,
                    "lat": lat,
                    "cell_x": cell_x,
                    "cell_y": cell_y,
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
    return BBox(min_lon, min_lat, max_lon, max_lat)


def _median_ms(
    factory: sessionmaker[Session], zoom: int, bbox: BBox, criteria: MapFilter
) -> tuple[float, int]:
    timings, clusters = [], 0
    for _ in range(7):
        with unit_of_work(factory) as session:
            start = time.perf_counter()
            _, found = count_clusters(session, map_zoom=zoom, bbox=bbox, criteria=criteria)
            timings.append(time.perf_counter() - start)
            clusters = len(found)
    return statistics.median(timings) * 1000, clusters


def run(url: str, reports: int) -> None:
    engine = fresh_demo_database(url)
    factory = make_session_factory(engine)
    load_start = time.perf_counter()
    bbox = _load(factory, reports, random.Random(1))
    load_seconds = time.perf_counter() - load_start
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    print(f"{engine.dialect.name}: {reports} reports loaded and counted in {load_seconds:.0f} s")
    # A time window the rollups cannot answer: the same view grouped from the reports.
    whole_year = MapFilter(since=utcnow() - timedelta(days=366))
    for zoom in (8, 10, 12):
        rollup_ms, clusters = _median_ms(factory, zoom, bbox, MapFilter())
        report_ms, _ = _median_ms(factory, zoom, bbox, whole_year)
        print(
            f"  zoom {zoom:>2}: {clusters:>5} clusters  rollups {rollup_ms:8.1f} ms   "
            f"grouped from reports {report_ms:8.1f} ms"
        )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--postgis")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", args.reports)
    if args.postgis:
        run(args.postgis, args.reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
