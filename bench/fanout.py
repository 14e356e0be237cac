"""Socket.IO fan-out: memory per idle websocket and deliveries per CPU-second of the server
that holds the websockets, for ``ioc live`` and for a gunicorn gevent app process.

    .venv/bin/python bench/fanout.py [--server live|gunicorn] [--clients 500] [--rate 20]
                                     [--seconds 10] [--redis redis://127.0.0.1:6379/0]

Starts the server on a throwaway SQLite database with the demo province, connects
``--clients`` screens to /ops with the official Socket.IO client (one Node process), reads the
serving process's resident memory before and after (the difference ÷ clients is the cost of an
idle connection), then emits ``--rate`` events per second to the ``ops`` room through Redis for
``--seconds`` (as the publisher does, with the app's Redis manager) and reports what the screens
received: the delivered fraction, latency from the emit (p50, p99) and deliveries per CPU-second
of the serving process. On a shared machine the figures are noisy: compare the two servers in
one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.topology.live_rig import free_port, wait_until  # noqa: E402

CLIENTS = """
import { createRequire } from "node:module";
const { io } = createRequire(process.argv[2] + "/package.json")("socket.io-client");
const [, , , url, token, countText] = process.argv;
const count = Number(countText);
let connected = 0, received = 0;
const latencies = [];
for (let i = 0; i < count; i++) {
  const socket = io(url + "/ops", { transports: ["websocket"], auth: { token }, forceNew: true });
  socket.on("connect", () => { connected += 1; if (connected === count) console.log("ready"); });
  socket.on("connect_error", (error) => console.error("refused", error.message));
  socket.on("event", (event) => {
    received += 1;
    latencies.push(Date.now() - event.payload.sent_ms);
  });
}
process.stdin.on("data", () => {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(JSON.stringify({ received, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) }));
  process.exit(0);
});
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def healthy(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["live", "gunicorn"], default="live")
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    from ioc.db import make_engine, make_session_factory, unit_of_work
    from ioc.demo.seed import seed_demo
    from ioc.feedback.people.staff_sessions import sign_in
    from ioc.migrate import upgrade
    from ioc.realtime.queue import reliable_manager

    folder = Path(tempfile.mkdtemp(prefix="ioc-fanout-"))
    database = f"sqlite:///{folder / 'fanout.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
        token = sign_in(session, username="dieuhanh", password="demo-dieuhanh").token
    engine.dispose()

    channel = f"ioc-fanout-{secrets.token_hex(4)}"
    port = free_port()
    env = {
        **os.environ,
        "IOC_DATABASE_URL": database,
        "IOC_REDIS_URL": args.redis,
        "IOC_REDIS_CHANNEL": channel,
        "IOC_PUBLISH_EVENTS": "false",
        "IOC_ENV": "development",
        "IOC_MEDIA_DIR": str(folder / "media"),
        "IOC_LIVE_PORT": str(port),
        "IOC_BIND": f"127.0.0.1:{port}",
        "IOC_LOG_LEVEL": "WARNING",
    }
    command = (
        [sys.executable, "-m", "ioc.cli", "live"]
        if args.server == "live"
        else [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
    )
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    clients = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(f"{base}/healthz"), timeout=60, what="the server")
        serving = server.pid if args.server == "live" else children(server.pid)[0]
        time.sleep(1.0)
        before = rss_kib(serving)
        script = folder / "clients.mjs"
        script.write_text(CLIENTS)
        clients = subprocess.Popen(
            ["node", str(script), str(ROOT / "frontend"), base, token, str(args.clients)],
            cwd=ROOT / "frontend",
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert clients.stdout is not None
        assert clients.stdin is not None
        assert clients.stdout.readline().strip() == "ready"
        time.sleep(2.0)
        after = rss_kib(serving)

        manager = reliable_manager(args.redis, channel, write_only=True)
        events = int(args.rate * args.seconds)
        cpu_before = cpu_seconds(serving)
        start = time.monotonic()
        for n in range(events):
            wait = start + n / args.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            payload = {"n": n, "sent_ms": int(time.time() * 1000)}
            message = {"seq": n + 1, "type": "bench", "occurred_at": "", "payload": payload}
            manager.emit("event", message, namespace="/ops", room="ops")
        time.sleep(2.0)
        cpu = cpu_seconds(serving) - cpu_before
        clients.stdin.write("done\n")
        clients.stdin.flush()
        result = json.loads(clients.stdout.readline())
        expected = events * args.clients
        print(
            json.dumps(
                {
                    "server": args.server,
                    "clients": args.clients,
                    "events": events,
                    "rss_before_kib": before,
                    "rss_after_kib": after,
                    "kib_per_idle_connection": round((after - before) / args.clients, 1),
                    "delivered": result["received"],
                    "delivered_fraction": round(result["received"] / expected, 4),
                    "latency_ms_p50_p99_max": [result["p50"], result["p99"], result["max"]],
                    "server_cpu_seconds": round(cpu, 2),
                    "deliveries_per_cpu_second": round(result["received"] / cpu) if cpu else None,
                }
            )
        )
    finally:
        if clients is not None:
            clients.kill()
            clients.wait()
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
