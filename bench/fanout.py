"""Socket.IO fan-out on the real tier: deliveries per server CPU-second, latency, memory.

    .venv/bin/python bench/fanout.py [--clients 1000] [--rate 20] [--seconds 30]
        [--namespace /ops|/public] [--node-processes 2] [--open-per-second 100]
        [--live N] [--socket-url URL ...]
        [--server-pid PID ...] [--tree PATH] [--postgis URL]
    .venv/bin/python bench/fanout.py --idle [--idle-clients 2000]

Starts the tier of :mod:`bench.tier` (two gunicorn gevent app processes, ``ioc worker``, a
private ``redis-server``, a throwaway PostGIS database with the demo province) and connects
``--clients`` screens with the official ``socket.io-client`` under Node (bench/fanout.mjs,
``--node-processes`` processes sharing them, so the clients are not the bottleneck), spread
evenly over the app processes at ``--open-per-second`` (the steady state is measured here,
not a storm of handshakes: see docs/realtime.md, "Costs"), or over the ``--socket-url``
servers (for instance dedicated Socket.IO processes on the same Redis channel: their pids go
in ``--server-pid`` so their CPU counts). ``--live N`` starts N ``ioc live`` processes in the
tier, as production runs them (docs/realtime.md), and connects the screens to those.

Events are written straight into the outbox (``record_event`` in a transaction of their own,
then the Redis wake-up signal, as an app process's commit does), ``--rate`` a second, for the
namespace's room (``ops`` or ``public``). Not reports through the API, on purpose: the
intake's own cost is measured by bench/live.py and bench/intake.py, and here it would drown
the live tier's. Each event carries ``bench_ms``, the wall-clock time just before its commit
(one small transaction, about a millisecond); the clients run on the same machine and clock.

Reports: the delivered fraction (events applied, once each, ÷ clients × events), duplicates,
latency from commit to the client (p50, p99, max), and deliveries per server CPU-second: CPU
of the app processes, the worker and the database's backends over the run, from /proc.

``--idle`` instead connects ``--idle-clients`` screens to the first app process (or ``ioc
live`` process) only, waits
for them to settle, and reports that process's memory growth ÷ connections (RSS and USS from
/proc/PID/smaps_rollup). Each connection is a file descriptor in that process: mind
``ulimit -n`` (the tier raises gunicorn's ``worker_connections`` to fit).

Figures on a shared 2-core machine are noisy: compare runs made back to back.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.tier import (  # noqa: E402
    DEFAULT_POSTGIS,
    BenchTier,
    cpu_seconds,
    interpreter,
    memory_kib,
)
from tests.topology.live_rig import wait_until  # noqa: E402

CLIENT_SCRIPT = HERE / "fanout.mjs"
ROOMS = {"/ops": "ops", "/public": "public"}


@dataclass
class Clients:
    """Node processes holding the screens."""

    processes: list[subprocess.Popen[str]]

    @classmethod
    def open(
        cls, urls: list[str], namespace: str, token: str, count: int, split: int, pace: int
    ) -> Clients:
        shares = [count // split + (k < count % split) for k in range(split)]
        processes = [
            subprocess.Popen(
                [
                    "node",
                    str(CLIENT_SCRIPT),
                    json.dumps(
                        {
                            "urls": urls,
                            "namespace": namespace,
                            "token": token,
                            "clients": share,
                            "openPerSecond": max(1, pace // split),
                        }
                    ),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            for share in shares
            if share
        ]
        clients = cls(processes)
        try:
            deadline = time.monotonic() + 60 + count / pace
            while (connected := sum(r["connected"] for r in clients.report())) < count:
                if time.monotonic() > deadline:
                    raise SystemExit(f"only {connected} of {count} screens connected")
                time.sleep(0.5)
        except BaseException:
            clients.close()
            raise
        return clients

    def report(self) -> list[dict[str, Any]]:
        reports = []
        for process in self.processes:
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.write("report\n")
            process.stdin.flush()
            reports.append(json.loads(process.stdout.readline()))
        return reports

    def close(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


def produce(tier: BenchTier, room: str, rate: float, seconds: float) -> int:
    """Commit ``rate`` events a second for ``seconds``, each in its own transaction."""
    from ioc.db import make_engine, make_session_factory, unit_of_work
    from ioc.events.log import record_event
    from ioc.events.outbox import listening
    from ioc.realtime.wakeup import RedisWakeup

    engine = make_engine(tier.url)
    sessions = make_session_factory(engine)
    wakeup = RedisWakeup(tier.redis.url, tier.channel)
    signalling = threading.Event()
    threading.Thread(target=wakeup.send_signals, args=(signalling,), daemon=True).start()
    total = int(rate * seconds)
    start = time.monotonic()
    with listening(wakeup.signal):
        for n in range(total):
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
            with unit_of_work(sessions) as session:
                payload = {"ref": f"bench-{n}", "bench_ms": time.time() * 1000}
                record_event(session, "bench.tick", payload=payload, audiences=[room])
    signalling.set()
    engine.dispose()
    return total


def fan_out(tier: BenchTier, args: argparse.Namespace) -> None:
    urls = args.socket_url or tier.socket_bases
    clients = Clients.open(
        urls, args.namespace, tier.token, args.clients, args.node_processes, args.open_per_second
    )
    try:
        time.sleep(2)  # let the connection handshakes' work fade from the CPU figures
        used_cpu = tier.cpu_meter()
        extra_before = cpu_seconds(args.server_pid)
        events = produce(tier, ROOMS[args.namespace], args.rate, args.seconds)
        expected: int = events * args.clients

        def everything_arrived() -> bool:
            return sum(int(r["received"]) for r in clients.report()) >= expected

        # Short of it after the wait, the delivered fraction below says by how much.
        with contextlib.suppress(AssertionError):
            wait_until(everything_arrived, timeout=30, what="every delivery")
        used = used_cpu() + cpu_seconds(args.server_pid) - extra_before
        reports = clients.report()
    finally:
        clients.close()
    received = sum(r["received"] for r in reports)
    histogram: dict[int, int] = {}
    for report in reports:
        for ms, count in report["histogram"]:
            histogram[ms] = histogram.get(ms, 0) + count
    latencies = [ms for ms, count in sorted(histogram.items()) for _ in range(count)]
    print(
        f"{args.clients} clients on {args.namespace} via {', '.join(urls)}; "
        f"{events} events at {args.rate}/s"
    )
    print(
        f"delivered {received}/{expected} ({100 * received / expected:.2f} %), "
        f"duplicates {sum(r['duplicates'] for r in reports)}, "
        f"disconnects {sum(r['disconnects'] for r in reports)}"
    )
    if len(latencies) >= 2:
        q = statistics.quantiles(latencies, n=100)
        print(f"commit ► client: p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {latencies[-1]} ms")
    print(f"server CPU {used:.1f} s ► {received / used:,.0f} deliveries per CPU-second")


def idle(tier: BenchTier, args: argparse.Namespace) -> None:
    [serving] = tier.socket_pids[:1]
    time.sleep(2)
    rss_before, uss_before = memory_kib(serving)
    clients = Clients.open(
        tier.socket_bases[:1],
        args.namespace,
        tier.token,
        args.idle_clients,
        args.node_processes,
        args.open_per_second,
    )
    try:
        time.sleep(5)  # past the handshakes' garbage, into the idle state
        rss_after, uss_after = memory_kib(serving)
        connected = sum(r["connected"] for r in clients.report())
    finally:
        clients.close()
    print(f"{connected} idle connections on {args.namespace} to one process (pid {serving})")
    print(
        f"RSS {rss_before / 1024:.0f} ► {rss_after / 1024:.0f} MiB: "
        f"{(rss_after - rss_before) / connected:.1f} KiB per connection"
    )
    print(
        f"USS {uss_before / 1024:.0f} ► {uss_after / 1024:.0f} MiB: "
        f"{(uss_after - uss_before) / connected:.1f} KiB per connection"
    )


def main() -> None:
    # A plain `kill` must still take the tier down (the `finally` blocks and __exit__ run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--namespace", choices=sorted(ROOMS), default="/ops")
    parser.add_argument("--node-processes", type=int, default=2)
    parser.add_argument("--open-per-second", type=int, default=100)
    parser.add_argument("--socket-url", action="append", default=[])
    parser.add_argument("--server-pid", type=int, action="append", default=[])
    parser.add_argument("--live", type=int, default=0, metavar="N")
    parser.add_argument("--idle", action="store_true")
    parser.add_argument("--idle-clients", type=int, default=2000)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    args = parser.parse_args()
    most = max(args.clients, args.idle_clients)
    extra_env = {"IOC_WORKER_CONNECTIONS": str(most + 500)}
    with BenchTier(
        args.tree, args.postgis, label="bench_fanout", extra_env=extra_env, live=args.live
    ) as tier:
        print(interpreter(tier.python))
        (idle if args.idle else fan_out)(tier, args)


if __name__ == "__main__":
    main()
