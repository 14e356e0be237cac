"""The Open311 part of the HTTP load bench, against another Open311 (GeoReport v2) server.

    .venv/bin/python bench/open311_other.py --base URL --api-key KEY --server-pid PID
                                            --database NAME [--postgis URL]
                                            [--service-code CODE] [--list-query QUERY]
                                            [--count-sql SQL] [--seconds 20] [--only NAME ...]

To compare IOC with another Open311 server on the same host, side by side: the other server
runs already (on this host, on a PostgreSQL database of the ``--postgis`` server, default the
local one), and this bench sends it the same load bench/http_load.py sends IOC, with the same
closed-loop clients, and measures it the same way:

- ``open311-post-c8`` / ``open311-post-c32``: ``POST {base}/requests.json``, form-encoded,
  with ``--api-key`` and the same fields as IOC's (``--service-code`` for the category);
- ``open311-list``: ``GET {base}/requests.json?{list-query}``, 8 clients; choose a query
  whose answer holds 100 requests, as IOC's does.

CPU is that of ``--server-pid``'s process tree (the master and its workers) and of the
PostgreSQL backends connected to ``--database``. ``--count-sql`` counts the created rows in
that database, so that the rows written can be checked against the 2xx answers. Alternate
runs of this bench and of bench/http_load.py, as the host's speed drifts.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from collections.abc import Callable

from http_load import Call, Target, open311_post, run_load
from sqlalchemy import create_engine, make_url, text
from tier import DEFAULT_POSTGIS, tree_pids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8900/georeport/v2")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--server-pid", type=int, required=True, help="the server's master")
    parser.add_argument("--database", required=True, help="the server's database name")
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    parser.add_argument("--service-code", default="traffic_light")
    parser.add_argument("--list-query", default="", help="the list's query string")
    parser.add_argument("--count-sql", help="counts the created rows, e.g. SELECT count(*) …")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", nargs="*", metavar="NAME")
    args = parser.parse_args()
    base = urllib.parse.urlsplit(args.base)
    if base.hostname not in ("127.0.0.1", "localhost") or base.port is None:
        parser.error("--base: a server on this host, with its port (its CPU is measured)")
    server = create_engine(
        make_url(args.postgis).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    database = create_engine(make_url(args.postgis).set(database=args.database))

    def backends() -> list[int]:
        with server.connect() as connection:
            found = connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": args.database}
            )
            return list(found)

    def created_rows() -> int | None:
        if not args.count_sql:
            return None
        with database.connect() as connection:
            return int(connection.scalar(text(args.count_sql)))

    target = Target(
        ports=[base.port],
        own_pids=lambda: tree_pids(args.server_pid),
        backends=backends,
        created_rows=created_rows,
    )
    path = base.path.rstrip("/")
    listing = f"{path}/requests.json" + (f"?{args.list_query}" if args.list_query else "")
    post = _with_service(args.service_code, lambda n: open311_post(args.api_key, n, path))
    scenarios: list[tuple[str, int, Callable[[int], Call], bool]] = [
        ("open311-post-c8", 8, post, True),
        ("open311-post-c32", 32, post, True),
        ("open311-list", 8, lambda n: Call("GET", listing, None, {}), False),
    ]
    print(f"{args.base}: {args.seconds:.0f} s per scenario")
    for name, clients, call, creates in scenarios:
        if args.only and name not in args.only:
            continue
        print(run_load(target, name, clients, call, args.seconds, creates).line(), flush=True)
    server.dispose()
    database.dispose()
    return 0


def _with_service(code: str, post: Callable[[int], Call]) -> Callable[[int], Call]:
    """IOC's create, for the other server's service code."""

    def call(n: int) -> Call:
        made = post(n)
        form = urllib.parse.parse_qs(made.body.decode() if made.body else "")
        form["service_code"] = [code]
        body = urllib.parse.urlencode(form, doseq=True).encode()
        return Call(made.method, made.path, body, made.headers)

    return call


if __name__ == "__main__":
    sys.exit(main())
