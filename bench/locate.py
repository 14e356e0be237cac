"""How fast is point ► area chain? The in-process index against the database.

    .venv/bin/python bench/locate.py [--points 20000] [--postgis URL] [--boundaries FILE ...]

Loads the demo province (and any real boundary files given, each as its own tree) into a fresh
SQLite file and, with --postgis, into that PostGIS database (its schema is wiped), then times
random points inside the bounding box: the in-process index (AreaIndex.locate), and the
database paths (SQLite: bounding box + shapely; PostGIS: ST_Covers). Reports µs per lookup and
CPU seconds, and checks that every path gives the same answers.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from demo_database import fresh_demo_database
from sqlalchemy import select

from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.geo.boundaries import PropertyMapping, parse_areas, read_geojson
from ioc.geo.importer import import_areas
from ioc.geo.models import Area
from ioc.geo.queries import locate_in_database
from ioc.geo.service import build_index


def load(url: str, boundaries: list[Path]) -> None:
    engine = fresh_demo_database(url)
    with unit_of_work(make_session_factory(engine)) as session:
        for path in boundaries:
            mapping = PropertyMapping(level="district", code_prop="ID_3", name_prop="NAME_3")
            parsed = parse_areas(read_geojson(path), mapping, source=str(path))
            import_areas(session, parsed, source=str(path))
    engine.dispose()


def timed(label: str, points: list[tuple[float, float]], locate: Callable) -> list:
    answers = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for lon, lat in points:
        chain = locate(lon, lat)
        answers.append(tuple(a.code for a in chain) if chain else None)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"{label:<28} {len(points):>7} lookups  {wall / len(points) * 1e6:9.1f} µs/lookup wall"
        f"  {cpu / len(points) * 1e6:9.1f} µs/lookup CPU  ({len(points) / cpu:,.0f}/CPU-s)"
    )
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--db-points", type=int, default=2000)
    parser.add_argument("--postgis")
    parser.add_argument("--boundaries", type=Path, nargs="*", default=[])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite:///{tmp}/bench.sqlite3"}
        if args.postgis:
            urls["postgis"] = args.postgis
        for url in urls.values():
            load(url, args.boundaries)

        factory = make_session_factory(make_engine(urls["sqlite"]))
        with factory() as session:
            started = time.perf_counter()
            index = build_index(session)
            print(
                f"index build: {len(index)} area versions in "
                f"{(time.perf_counter() - started) * 1000:.0f} ms"
            )
            # Points fall in the bounding box of a random area, so most land inside one and
            # some near its borders, as reports do.
            boxes = [area.geom.bounds for area in session.scalars(select(Area))]
        rng = random.Random(42)
        points = []
        for _ in range(args.points):
            min_lon, min_lat, max_lon, max_lat = rng.choice(boxes)
            points.append((rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)))
        now = utcnow()
        reference = timed("in-process index", points, lambda lon, lat: index.locate(lon, lat, now))
        inside = sum(answer is not None for answer in reference)
        print(f"  ({inside} of {len(points)} points inside an area)")
        db_points = points[: args.db_points]
        mismatches = 0
        for name, url in urls.items():
            factory = make_session_factory(make_engine(url))
            with factory() as session:
                answers = timed(
                    f"database ({name})",
                    db_points,
                    lambda lon, lat, s=session: locate_in_database(s, lon, lat, now),
                )
            mismatches += sum(a != b for a, b in zip(answers, reference, strict=False))
        print(f"answers that differ from the index: {mismatches}")
        return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
