"""POST ► event on a connected screen, and creates per server CPU-second, on the real tier.

    .venv/bin/python bench/live.py [--tree PATH] [--rate 20] [--seconds 30] [--postgis URL]
                                   [--warm-up 2]

Starts, from the source tree ``--tree`` (default: this one; point it at another checkout to
compare two versions), two gunicorn (gevent) app processes and ``ioc worker`` on a throwaway
PostgreSQL database of ``--postgis`` (default the local server) and a private
``redis-server``; connects one /ops screen with the official Socket.IO client under Node; files
reports through the mobile API at ``--rate`` per second from 4 threads, for ``--warm-up``
seconds unmeasured (fresh processes compile statements and fill caches on their first
requests), then for ``--seconds``; and reports:

- latency from sending the POST to the screen receiving ``report.created`` (p50, p99, max),
  split into the POST's answer and the time from the answer to the screen;
- creates per server CPU-second: 2xx answers ÷ CPU seconds of the app processes, the worker and
  the database's backends (sampled from /proc before and after).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.tier import DEFAULT_POSTGIS, BenchTier, interpreter, run_clients  # noqa: E402
from tests.topology.live_rig import wait_until  # noqa: E402

LISTEN = """
import { createRequire } from "node:module";
const { io } = createRequire(process.argv[2] + "/package.json")("socket.io-client");
const [, , , url, token] = process.argv;
const socket = io(url + "/ops", { transports: ["websocket"], auth: { token } });
socket.on("connect", () => console.log(JSON.stringify({ connected: true })));
socket.on("event", (e) =>
  console.log(JSON.stringify({ at: Date.now(), type: e.type, ref: e.payload?.ref })),
);
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    parser.add_argument(
        "--warm-up", type=float, default=2.0, help="seconds of creates first, not measured"
    )
    args = parser.parse_args()
    with BenchTier(args.tree, args.postgis, label="bench_live") as tier:
        measure(tier, args.rate, args.seconds, args.warm_up)


def measure(tier: BenchTier, rate: float, seconds: float, warm_up: float) -> None:
    ports = tier.ports
    script = tier.folder / "listen.mjs"
    script.write_text(LISTEN)
    listener = subprocess.Popen(
        ["node", str(script), str(ROOT / "frontend"), tier.bases[0], tier.token],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert listener.stdout is not None
        assert json.loads(listener.stdout.readline()) == {"connected": True}
        received: dict[str, float] = {}

        def pump() -> None:
            assert listener.stdout is not None
            for line in listener.stdout:
                event = json.loads(line)
                if event.get("type") == "report.created":
                    received[event["ref"]] = event["at"] / 1000

        threading.Thread(target=pump, daemon=True).start()
        if warm_up:
            # Fresh processes compile their statements and load their caches on their first
            # requests: what a province sees once after a restart, not at every report.
            warming = _file_at_rate(ports, rate, int(rate * warm_up), citizens="warm")
            wait_until(lambda: set(warming.sent) <= set(received), timeout=30, what="warm-up")
        used_cpu = tier.cpu_meter()
        total = int(rate * seconds)
        filed = _file_at_rate(ports, rate, total, citizens="bench")
        wait_until(lambda: set(filed.sent) <= set(received), timeout=30, what="every event")
        used = used_cpu()
        sent, answered = filed.sent, filed.answered
        ok = sum(200 <= a < 300 for a in filed.statuses)
        print(f"tree {tier.tree}: {ok}/{total} created at {rate}/s after {warm_up:.0f} s warm-up")
        print(interpreter(tier.python))
        _print_quantiles("POST ► screen", [received[ref] - sent[ref] for ref in sent])
        _print_quantiles("POST ► answer", [answered[ref] - sent[ref] for ref in sent])
        _print_quantiles("answer ► screen", [received[ref] - answered[ref] for ref in sent])
        print(f"server CPU {used:.1f} s ► {ok / used:.0f} creates per CPU-second")
    finally:
        listener.kill()
        listener.wait()


@dataclass
class _Filed:
    #: ref ► when its POST was sent, and when its answer came (wall clock, seconds)
    sent: dict[str, float] = field(default_factory=dict)
    answered: dict[str, float] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)


def _file_at_rate(ports: list[int], rate: float, total: int, *, citizens: str) -> _Filed:
    """File ``total`` reports at ``rate`` per second from 4 threads, alternating processes."""
    filed = _Filed()
    start = time.monotonic()
    lock = threading.Lock()

    def file(n: int) -> None:
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        at = time.time()
        status, ref = _file(ports[n % 2], f"{citizens}-{n % 50}")
        done = time.time()
        with lock:
            filed.statuses.append(status)
            if ref:
                filed.sent[ref], filed.answered[ref] = at, done

    def client(k: int) -> None:
        for n in range(k, total, 4):
            file(n)

    run_clients(client, 4)
    return filed


def _print_quantiles(what: str, seconds: list[float]) -> None:
    latencies = sorted(s * 1000 for s in seconds)
    q = statistics.quantiles(latencies, n=100)
    print(f"{what}: p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {latencies[-1]:.0f} ms")


def _file(port: int, uid: str) -> tuple[int, str | None]:
    from ioc.identity import emulator_token

    citizen = emulator_token(project_id="ioc-demo", uid=uid, name="Người dân")
    body = {
        "category": "traffic_light",
        "lon": 108.74,
        "lat": 15.57,
        "attributes": {"light_fault": "all_off"},
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/mobile/v1/reports",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {citizen}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())["ref"]
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return 0, None


if __name__ == "__main__":
    main()
