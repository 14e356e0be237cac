"""POST ► event on a connected screen, and creates per server CPU-second, on the real tier.

    .venv/bin/python bench/live.py [--tree PATH] [--rate 20] [--seconds 30] [--postgis URL]

Starts, from the source tree ``--tree`` (default: this one; point it at another checkout to
compare two versions), two gunicorn (gevent) app processes and ``ioc worker`` on a throwaway
PostgreSQL database of ``--postgis`` (default the local server) and a private
``redis-server``; connects one /ops screen with the official Socket.IO client under Node; files
reports through the mobile API at ``--rate`` per second from 4 threads; and reports:

- latency from sending the POST to the screen receiving ``report.created`` (p50, p99, max);
- creates per server CPU-second: 2xx answers ÷ CPU seconds of the app processes, the worker and
  the database's backends (sampled from /proc before and after).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

from tier import DEFAULT_POSTGIS, ROOT, Tier, cpu_seconds, running_tier, wait_until

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

SETUP = """
import sys
from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.feedback.people.staff_sessions import sign_in
from ioc.migrate import upgrade
engine = make_engine(sys.argv[1])
upgrade(engine)
with unit_of_work(make_session_factory(engine)) as session:
    seed_demo(session)
    print(sign_in(session, username="dieuhanh", password="demo-dieuhanh").token)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--postgis", default=DEFAULT_POSTGIS)
    args = parser.parse_args()
    tree = args.tree.resolve()
    with running_tier(tree=tree, postgis=args.postgis, setup=SETUP) as tier:
        script = tier.folder / "listen.mjs"
        script.write_text(LISTEN)
        screen = f"http://127.0.0.1:{tier.ports[0]}"
        listener = subprocess.Popen(
            ["node", str(script), str(ROOT / "frontend"), screen, tier.setup_output],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            print(f"tree {tree}:")
            _measure(tier, listener, rate=args.rate, seconds=args.seconds)
        finally:
            listener.kill()


def _measure(tier: Tier, listener: subprocess.Popen[str], *, rate: float, seconds: float) -> None:
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
    sent: dict[str, float] = {}
    answers: list[int] = []
    pids = tier.server_pids()
    backends = tier.backend_pids()
    before = cpu_seconds(pids) + cpu_seconds(backends)
    total = int(rate * seconds)
    start = time.monotonic()
    lock = threading.Lock()

    def file(n: int) -> None:
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        at = time.time()
        status, ref = _file(tier.ports[n % 2], n)
        with lock:
            answers.append(status)
            if ref:
                sent[ref] = at

    threads = [threading.Thread(target=_each, args=(file, range(k, total, 4))) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_until(lambda: set(sent) <= set(received), timeout=30, what="every event")
    backends = sorted(set(backends) | set(tier.backend_pids()))
    used = cpu_seconds(pids) + cpu_seconds(backends) - before
    latencies = sorted((received[ref] - sent[ref]) * 1000 for ref in sent)
    ok = sum(200 <= a < 300 for a in answers)
    q = statistics.quantiles(latencies, n=100)
    print(f"{ok}/{total} created at {rate}/s")
    print(f"POST ► screen: p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {latencies[-1]:.0f} ms")
    print(f"server CPU {used:.1f} s ► {ok / used:.0f} creates per CPU-second")


def _each(action: Callable[[int], None], numbers: range) -> None:
    for number in numbers:
        action(number)


def _file(port: int, n: int) -> tuple[int, str | None]:
    from ioc.identity import emulator_token

    citizen = emulator_token(project_id="ioc-demo", uid=f"bench-{n % 50}", name="Người dân")
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
