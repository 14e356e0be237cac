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
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.topology.live_rig import PrivateRedis, free_port, wait_until  # noqa: E402

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


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def tree_pids(root: int) -> list[int]:
    pids = [root]
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(child) for child in children)
    return pids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--postgis", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    tree = args.tree.resolve()
    folder = Path(tempfile.mkdtemp(prefix="ioc-bench-live-"))
    name = f"ioc_bench_live_{secrets.token_hex(4)}"
    server = create_engine(
        make_url(args.postgis).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.postgis).set(database=name).render_as_string(hide_password=False)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IOC_")},
        "PYTHONPATH": str(tree),
        "IOC_DATABASE_URL": url,
        "IOC_ENV": "development",
        "IOC_MEDIA_DIR": str(folder / "media"),
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
        "IOC_RATE_LIMITS_ENABLED": "false",
    }
    token = (
        subprocess.run(
            [sys.executable, "-c", SETUP, url],
            env=env,
            cwd=tree,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    redis = PrivateRedis(folder).start()
    env.update(IOC_REDIS_URL=redis.url, IOC_REDIS_CHANNEL=f"bench-{secrets.token_hex(4)}")
    ports = [free_port(), free_port()]
    log = (folder / "tier.log").open("ab")
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
            cwd=tree,
            env={**env, "IOC_BIND": f"127.0.0.1:{port}"},
            stdout=log,
            stderr=log,
        )
        for port in ports
    ]
    processes.append(
        subprocess.Popen(
            [sys.executable, "-m", "ioc.cli", "worker", "--sweep-every", "3600"],
            cwd=tree,
            env=env,
            stdout=log,
            stderr=log,
        )
    )
    script = folder / "listen.mjs"
    script.write_text(LISTEN)
    listener = None
    try:
        for port in ports:
            wait_until(lambda port=port: _healthy(port), timeout=90, what="the app")
        listener = subprocess.Popen(
            ["node", str(script), str(ROOT / "frontend"), f"http://127.0.0.1:{ports[0]}", token],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert listener.stdout is not None
        assert json.loads(listener.stdout.readline()) == {"connected": True}
        received: dict[str, float] = {}

        def pump() -> None:
            assert listener is not None
            assert listener.stdout is not None
            for line in listener.stdout:
                event = json.loads(line)
                if event.get("type") == "report.created":
                    received[event["ref"]] = event["at"] / 1000

        threading.Thread(target=pump, daemon=True).start()
        sent: dict[str, float] = {}
        answers: list[int] = []
        pids = [p for process in processes for p in tree_pids(process.pid)]
        backends = _backends(server, name)
        before = cpu_seconds(pids) + cpu_seconds(backends)
        total = int(args.rate * args.seconds)
        start = time.monotonic()
        lock = threading.Lock()

        def file(n: int) -> None:
            time.sleep(max(0.0, start + n / args.rate - time.monotonic()))
            at = time.time()
            status, ref = _file(ports[n % 2], n)
            with lock:
                answers.append(status)
                if ref:
                    sent[ref] = at

        threads = [
            threading.Thread(target=lambda k=k: [file(n) for n in range(k, total, 4)])
            for k in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wait_until(lambda: set(sent) <= set(received), timeout=30, what="every event")
        backends = sorted(set(backends) | set(_backends(server, name)))
        used = cpu_seconds(pids) + cpu_seconds(backends) - before
        latencies = sorted((received[ref] - sent[ref]) * 1000 for ref in sent)
        ok = sum(200 <= a < 300 for a in answers)
        q = statistics.quantiles(latencies, n=100)
        print(f"tree {tree}: {ok}/{total} created at {args.rate}/s")
        print(f"POST ► screen: p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {latencies[-1]:.0f} ms")
        print(f"server CPU {used:.1f} s ► {ok / used:.0f} creates per CPU-second")
    finally:
        if listener is not None:
            listener.kill()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        redis.stop()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _backends(server, name: str) -> list[int]:
    with server.connect() as connection:
        return list(
            connection.scalars(
                text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
        )


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


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
