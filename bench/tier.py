"""The production-shaped tier the HTTP benches measure: a throwaway PostgreSQL database, a
private ``redis-server``, two gunicorn (gevent, ``gunicorn.conf.py``) app processes and
``ioc worker``, all from one source tree; plus the CPU accounting read from ``/proc``."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.topology.live_rig import PrivateRedis, free_port, wait_until  # noqa: E402

__all__ = ["DEFAULT_POSTGIS", "ROOT", "Tier", "cpu_seconds", "running_tier", "wait_until"]

DEFAULT_POSTGIS = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Tier:
    """A running tier: the app processes' ports, the processes, and the database."""

    ports: list[int]
    processes: list[subprocess.Popen[bytes]]
    server: Engine  # the PostgreSQL server, for its catalogue (AUTOCOMMIT)
    database: str
    url: str
    folder: Path
    #: The last line the setup script printed (a token, a key…).
    setup_output: str

    def server_pids(self) -> list[int]:
        """gunicorn masters and workers, and the ``ioc worker``."""
        return [pid for process in self.processes for pid in tree_pids(process.pid)]

    def backend_pids(self) -> list[int]:
        """The PostgreSQL backends serving the tier's database right now."""
        with self.server.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :n"),
                    {"n": self.database},
                )
            )


@contextmanager
def running_tier(
    *, tree: Path, postgis: str, setup: str, setup_args: tuple[str, ...] = ()
) -> Iterator[Tier]:
    """Start the tier from ``tree`` on a new database of the ``postgis`` server, after running
    the Python ``setup`` script (``sys.argv[1]`` is the database URL, then ``setup_args``)
    there; everything is stopped and the database dropped afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="ioc-bench-tier-"))
    name = f"ioc_bench_{secrets.token_hex(4)}"
    server = create_engine(make_url(postgis).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgis).set(database=name).render_as_string(hide_password=False)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("IOC_")},
        "PYTHONPATH": f"{tree}{os.pathsep}{HERE}",
        "IOC_DATABASE_URL": url,
        "IOC_ENV": "development",
        "IOC_MEDIA_DIR": str(folder / "media"),
        "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
        "IOC_RATE_LIMITS_ENABLED": "false",
    }
    redis: PrivateRedis | None = None
    processes: list[subprocess.Popen[bytes]] = []
    try:
        output = subprocess.run(
            [sys.executable, "-c", setup, url, *setup_args],
            env=env,
            cwd=tree,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        redis = PrivateRedis(folder).start()
        env.update(IOC_REDIS_URL=redis.url, IOC_REDIS_CHANNEL=f"bench-{secrets.token_hex(4)}")
        ports = [free_port(), free_port()]
        log = (folder / "tier.log").open("ab")
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
        for port in ports:
            processes.append(
                subprocess.Popen(
                    gunicorn,
                    cwd=tree,
                    env={**env, "IOC_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=log,
                )
            )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "ioc.cli", "worker", "--sweep-every", "3600"],
                cwd=tree,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        for port in ports:
            wait_until(partial(healthy, port), timeout=90, what="the app")
        lines = output.splitlines()
        yield Tier(ports, processes, server, name, url, folder, lines[-1] if lines else "")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        if redis is not None:
            redis.stop()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (those still running)."""
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
    """``root`` and all its descendants."""
    pids = [root]
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(child) for child in children)
    return pids


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False
