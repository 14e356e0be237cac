"""HTTP load on the production-shaped tier: creates and lists, requests per server CPU-second.

    .venv/bin/python bench/http_load.py [--tree PATH] [--seconds 20] [--reports 10000]
                                        [--postgis URL] [--only NAME ...]
                                        [--env IOC_NAME=VALUE ...]
                                        [--against OTHER_TREE] [--rounds 1]
                                        [--python VENV_PYTHON] [--against-python VENV_PYTHON]

Starts, from the source tree ``--tree`` (default: this one), two gunicorn (gevent,
``gunicorn.conf.py``) app processes, ``ioc worker`` and a private ``redis-server`` on a
throwaway database of the PostgreSQL server ``--postgis`` (default the local one, dropped
afterwards), seeded with the demo province, ``--reports`` realistic reports (bench/scale_load.py)
and one Open311 API key. Then, for ``--seconds`` each, closed-loop clients (one keep-alive
connection per client and app process, requests alternating between the two processes) run:

- ``open311-post-c8`` / ``open311-post-c32``: Open311 ``POST /open311/v2/requests.json``
  with the one API key, 8 and 32 clients;
- ``open311-list``: Open311 ``GET /open311/v2/requests.json`` of the newest 100 public
  reports (a ``start_date`` chosen so the page holds 100), 8 clients;
- ``mobile-post-c8``: mobile ``POST /api/mobile/v1/reports`` (JSON, 50 citizens), 8 clients.

For each: requests/s, p50/p99 latency, the CPU seconds of the server's process tree (gunicorn
masters and workers, and the worker) and of the database's PostgreSQL backends (from /proc,
before and after), answers per server CPU-second (both together), and for creates a check
that the rows written (reports counted in the database) equal the 2xx answers; last, the CPU
seconds the hypervisor stole for other guests meanwhile (``steal`` in /proc/stat), so a run on
a busy host shows as one. A client refused with 503 waits the ``Retry-After`` it was given,
as API partners are asked to (docs/operations.md): at c=32 the in-flight bound of each
process refuses what it cannot start at once, and the throughput is that of the requests it
takes.

The client runs on the same machine and its CPU is not counted; on a 2-core machine shared
with other work, compare runs made side by side rather than absolute figures. ``--against``
starts a second tier from another source tree beside the first and runs every scenario on
each in turn, ``--rounds`` times (the order flipping every round, so neither always goes
first); last come each tree's median per scenario and their ratio. A host whose speed drifts
over minutes then weighs on both alike.

The tiers run on this interpreter, or on ``--python`` (a virtualenv's ``bin/python`` with IOC
installed); ``--against-python`` gives the second tier another, and without ``--against``
the second tier runs the same tree: two interpreters compared side by side. Each tier's
interpreter is printed with its tree.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from tier import (
    DEFAULT_POSTGIS,
    ROOT,
    BenchTier,
    cpu_seconds,
    interpreter,
    run_clients,
    stolen_seconds,
)

from ioc.identity import emulator_token

SETUP = """
import sys
from scale_load import load_reports
from ioc.db import make_engine, make_session_factory, unit_of_work, utcnow
from ioc.demo.seed import seed_demo
from ioc.feedback.sla.policy import load_policy
from ioc.integrations.api_clients import create_api_client
from ioc.migrate import upgrade
from zoneinfo import ZoneInfo
engine = make_engine(sys.argv[1])
upgrade(engine)
with unit_of_work(make_session_factory(engine)) as session:
    seed_demo(session)
    key = create_api_client(session, name="bench").key
reports = int(sys.argv[2])
if reports:
    policy = load_policy(ZoneInfo("Asia/Ho_Chi_Minh"))
    load_reports(engine, policy, reports=reports, now=utcnow(), progress=False)
print(key)
"""

#: A traffic light in the demo province's capital ward: routed straight to an agency.
LON, LAT = 108.74, 15.57


@dataclass(frozen=True)
class Call:
    """One request: method, path, body, headers; what a success looks like."""

    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]


@dataclass
class Result:
    name: str
    answers: list[tuple[int, float]]  # (status, seconds)
    seconds: float
    server_cpu: float
    database_cpu: float
    rows_written: int | None
    #: The part of ``server_cpu`` the worker used (relaying events, fanning them out).
    worker_cpu: float = 0.0
    #: CPU seconds the host took for other guests meanwhile (the machine's state).
    stolen: float = 0.0

    @property
    def per_cpu_second(self) -> float:
        """2xx answers per CPU second of the server and its database together."""
        ok = sum(200 <= status < 300 for status, _ in self.answers)
        cpu = self.server_cpu + self.database_cpu
        return ok / cpu if cpu else 0.0

    def line(self) -> str:
        ok = sum(200 <= status < 300 for status, _ in self.answers)
        latencies = sorted(seconds * 1000 for status, seconds in self.answers)
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        rows = (
            ""
            if self.rows_written is None
            else f"  rows {self.rows_written} {'==' if self.rows_written == ok else '!='} 2xx"
        )
        refused = Counter(status for status, _ in self.answers if not 200 <= status < 300)
        others = "".join(f"  {count}× {status or 'no answer'}" for status, count in refused.items())
        return (
            f"{self.name:<16} {ok:>5}/{len(self.answers):<5} 2xx  {ok / self.seconds:6.1f}/s  "
            f"p50 {q[49]:5.0f} ms  p99 {q[98]:5.0f} ms  CPU app {self.server_cpu:5.1f} s "
            f"(worker {self.worker_cpu:4.1f} s) + db {self.database_cpu:5.1f} s  "
            f"► {self.per_cpu_second:5.1f} per CPU-second"
            f"{rows}{others}  (steal {self.stolen:.1f} s)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--against", type=Path, help="another source tree, measured in turn")
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter of --tree's tier (a venv's)"
    )
    parser.add_argument(
        "--against-python",
        help="the interpreter of the other tier (default --python); without --against, the "
        "other tier runs --tree too: two interpreters compared on one tree",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    parser.add_argument("--only", nargs="*", metavar="NAME")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="IOC_NAME=VALUE",
        help="a setting for the tier's processes (e.g. IOC_ADMISSION_WAIT_MS=1000)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    extra_env = dict(item.split("=", 1) for item in args.env)
    sides = [(args.tree.resolve(), args.python)]
    if args.against or args.against_python:
        sides.append(((args.against or args.tree).resolve(), args.against_python or args.python))
    with ExitStack() as stack:
        tiers = [
            stack.enter_context(
                BenchTier(
                    tree,
                    args.postgis,
                    label="http",
                    setup=SETUP,
                    setup_args=(str(args.reports),),
                    extra_env=extra_env,
                    python=python,
                )
            )
            for tree, python in sides
        ]
        loads = [
            _TreeLoad(tree, tier, label)
            for (tree, _python), tier, label in zip(sides, tiers, _labels(sides), strict=True)
        ]
        for load, (_tree, python) in zip(loads, sides, strict=True):
            print(f"tree {load.tree}, {interpreter(python)}: {args.reports} reports loaded")
        print(f"{args.seconds:.0f} s per scenario, {args.rounds} round(s)")
        names = [name for name in SCENARIOS if not args.only or name in args.only]
        figures: dict[tuple[str, str], list[float]] = {}
        for round_number in range(args.rounds):
            order = loads if round_number % 2 == 0 else loads[::-1]
            for name in names:
                for load in order:
                    result = load.run(name, args.seconds)
                    figures.setdefault((name, load.label), []).append(result.per_cpu_second)
                    prefix = f"{load.label:<12} " if len(loads) > 1 else ""
                    print(prefix + result.line(), flush=True)
        if len(loads) > 1 or args.rounds > 1:
            _print_medians(names, [load.label for load in loads], figures)
    return 0


#: Each scenario: its number of clients, and whether its requests create reports.
SCENARIOS: dict[str, tuple[int, bool]] = {
    "open311-post-c8": (8, True),
    "open311-post-c32": (32, True),
    "open311-list": (8, False),
    "mobile-post-c8": (8, True),
}


class _TreeLoad:
    """One tree's tier and the requests of each scenario against it."""

    def __init__(self, tree: Path, tier: BenchTier, label: str) -> None:
        self.tree = tree
        self.label = label
        self.target = ioc_target(tier)
        key = tier.token
        page = _newest_page_query(tier.ports[0], 100)
        self.calls: dict[str, Callable[[int], Call]] = {
            "open311-post-c8": lambda n: open311_post(key, n),
            "open311-post-c32": lambda n: open311_post(key, n),
            "open311-list": lambda n: Call("GET", page, None, {}),
            "mobile-post-c8": _mobile_post,
        }

    def run(self, name: str, seconds: float) -> Result:
        clients, creates = SCENARIOS[name]
        return run_load(self.target, name, clients, self.calls[name], seconds, creates)


def _labels(sides: list[tuple[Path, str]]) -> list[str]:
    """What each side is called in the lines: its tree's name, with its interpreter's version
    where both sides run the same tree."""
    labels = [tree.name for tree, _python in sides]
    if len(set(labels)) < len(labels):
        labels = [f"{tree.name}@{interpreter(python).split()[1]}" for tree, python in sides]
    if len(set(labels)) < len(labels):
        labels = [f"{label}#{number}" for number, label in enumerate(labels, start=1)]
    return labels


def _print_medians(
    names: list[str], labels: list[str], figures: dict[tuple[str, str], list[float]]
) -> None:
    print("medians, per server CPU-second:")
    for name in names:
        medians = [statistics.median(figures[(name, label)]) for label in labels]
        line = "  ".join(
            f"{label} {median:6.1f}" for label, median in zip(labels, medians, strict=True)
        )
        ratio = f"  ({medians[0] / medians[1]:.3f}×)" if len(medians) == 2 and medians[1] else ""
        print(f"  {name:<16} {line}{ratio}")


@dataclass(frozen=True)
class Target:
    """Where the load goes and what is measured: the server's ports on this host, its own
    processes (read afresh, as gunicorn may replace a worker), its database's backends, the
    part of its processes that works in the background (none for a server without one), and
    how many created rows it holds (None: not counted)."""

    ports: list[int]
    own_pids: Callable[[], list[int]]
    backends: Callable[[], list[int]]
    created_rows: Callable[[], int | None]
    background_pids: Callable[[], list[int]] = list


def ioc_target(tier: BenchTier) -> Target:
    database = create_engine(tier.url)

    def reports() -> int:
        with database.connect() as connection:
            return int(connection.scalar(text("SELECT count(*) FROM report")))

    return Target(tier.ports, tier.own_pids, tier.backends, reports, lambda: tier.worker_pids)


def run_load(
    target: Target,
    name: str,
    clients: int,
    call: Callable[[int], Call],
    seconds: float,
    creates: bool,
) -> Result:
    rows_before = target.created_rows() if creates else None
    pids = target.own_pids()
    backends = target.backends()
    server_before, database_before = cpu_seconds(pids), cpu_seconds(backends)
    background_before = cpu_seconds(target.background_pids())
    stolen_before = stolen_seconds()
    answers: list[tuple[int, float]] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def client(number: int) -> None:
        connections = [http.client.HTTPConnection("127.0.0.1", port) for port in target.ports]
        sent = 0
        while time.monotonic() < deadline:
            request = call(number * 1_000_000 + sent)
            connection = connections[sent % len(connections)]
            at = time.perf_counter()
            status, retry_after = _send(connection, request)
            took = time.perf_counter() - at
            with lock:
                answers.append((status, took))
            sent += 1
            if retry_after:
                # A refused client waits as the answer asks (as partners are told to), rather
                # than turning the bench into a storm of refusals.
                time.sleep(max(0.0, min(retry_after, deadline - time.monotonic())))
                # The server closes a keep-alive connection idle that long: start afresh.
                connection.close()
        for connection in connections:
            connection.close()

    run_clients(client, clients)
    elapsed = time.monotonic() - started
    backends = sorted(set(backends) | set(target.backends()))
    pids = sorted(set(pids) | set(target.own_pids()))
    server_cpu = cpu_seconds(pids) - server_before
    background_cpu = cpu_seconds(target.background_pids()) - background_before
    database_cpu = cpu_seconds(backends) - database_before
    rows_after = target.created_rows() if creates else None
    rows = None if rows_before is None or rows_after is None else rows_after - rows_before
    stolen = stolen_seconds() - stolen_before
    return Result(name, answers, elapsed, server_cpu, database_cpu, rows, background_cpu, stolen)


def _send(connection: http.client.HTTPConnection, call: Call) -> tuple[int, float]:
    """The answer's status (0: none) and the seconds a 503 asks to wait (0 otherwise)."""
    try:
        connection.request(call.method, call.path, body=call.body, headers=call.headers)
        answer = connection.getresponse()
        answer.read()
        wait = answer.getheader("Retry-After") if answer.status == 503 else None
        return answer.status, float(wait) if wait and wait.isdigit() else 0.0
    except (OSError, http.client.HTTPException):
        connection.close()  # reconnects on the next request
        return 0, 0.0


def open311_post(key: str, n: int, base: str = "/open311/v2") -> Call:
    form = {
        "api_key": key,
        "service_code": "traffic_light",
        "lat": str(LAT),
        "long": str(LON),
        "attribute[light_fault]": "all_off",
        "description": f"Đèn tín hiệu tắt hoàn toàn ({n})",
        "phone": f"09{n % 50:08d}",
    }
    return Call(
        "POST",
        f"{base}/requests.json",
        urllib.parse.urlencode(form).encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )


def _mobile_post(n: int) -> Call:
    citizen = emulator_token(project_id="ioc-demo", uid=f"bench-{n % 50}", name="Người dân")
    body = {
        "category": "traffic_light",
        "lon": LON,
        "lat": LAT,
        "attributes": {"light_fault": "all_off"},
    }
    return Call(
        "POST",
        "/api/mobile/v1/reports",
        json.dumps(body).encode(),
        {
            "Authorization": f"Bearer {citizen}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )


def _newest_page_query(port: int, size: int) -> str:
    """A list query whose answer is the newest ``size`` public reports (or all of the last
    90 days, when there are fewer): its ``start_date`` is the ``size``-th newest one's, its
    ``end_date`` the newest one's, so the reports the create scenarios file stay out of it."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/open311/v2/requests.json")
    everything = json.loads(connection.getresponse().read())
    path = "/open311/v2/requests.json"
    if len(everything) > size:
        start = everything[size - 1]["requested_datetime"]
        # Whole seconds in the answer: the newest report lies within the second after.
        end = datetime.fromisoformat(everything[0]["requested_datetime"]) + timedelta(seconds=1)
        end = end.isoformat()
        path += "?" + urllib.parse.urlencode({"start_date": start, "end_date": end})
    connection.request("GET", path)
    page = json.loads(connection.getresponse().read())
    connection.close()
    print(f"list page: {len(page)} reports ({path})")
    return path


if __name__ == "__main__":
    sys.exit(main())
