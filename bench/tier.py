"""The real live tier for the benchmarks that need it (bench/live.py, bench/fanout.py).

:class:`BenchTier` starts, from a source tree, two gunicorn (gevent) app processes and
``ioc worker`` on a throwaway PostgreSQL database and a private ``redis-server``, seeds the
demo province, signs the operator ``dieuhanh`` in, and takes it all down again. It also
measures what the server spends: CPU seconds of the app processes, the worker and the
database's backends, read from /proc.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine, create_engine, make_url, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.topology.live_rig import PrivateRedis, free_port, wait_until  # noqa: E402

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

DEFAULT_POSTGIS = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (gone ones count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_clients(client: Callable[[int], None], clients: int) -> None:
    """Run ``client(0)`` … ``client(clients - 1)``, each in a thread of its own, to the end."""
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def stolen_seconds() -> float:
    """CPU seconds the hypervisor gave to other guests so far, all CPUs together (``steal`` in
    /proc/stat): a run during which it grows ran on a busier host than one where it does not."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def interpreter(python: str = sys.executable) -> str:
    """The Python ``python`` (a virtualenv's, say) runs: its version and the real executable
    behind it. Part of the machine's state: a build with profile-guided and link-time
    optimization (a distribution's, the official image's) serves IOC faster than a plain
    source build such as pyenv's default, so figures compare only on the same interpreter."""
    return subprocess.run(
        [python, "-c", _WHICH_PYTHON], check=True, capture_output=True, text=True
    ).stdout.strip()


_WHICH_PYTHON = (
    "import os, platform, sys; "
    "print(f'Python {platform.python_version()} ({os.path.realpath(sys._base_executable)})')"
)


def tree_pids(root: int) -> list[int]:
    """A process and all its descendants."""
    pids = [root]
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(child) for child in children)
    return pids


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, USS) of a process in KiB: all its resident pages, and those only it maps."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields["Rss"], fields["Private_Clean"] + fields["Private_Dirty"]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


class BenchTier:
    """Two app processes, a worker, a private Redis and a throwaway database (a context manager).

    ``extra_env`` reaches every process (e.g. ``IOC_WORKER_CONNECTIONS`` for many sockets).
    ``python`` runs them (a virtualenv's interpreter with IOC installed; by default this one).
    ``setup`` is the Python script run first on the new database (``sys.argv[1]`` its URL, then
    ``setup_args``; the bench folder is on its path): by default the demo province and the
    operator's sign-in. The last line it prints is kept as :attr:`token` (a token, a key…).
    """

    def __init__(
        self,
        tree: Path = ROOT,
        postgis: str = DEFAULT_POSTGIS,
        *,
        label: str = "bench",
        extra_env: dict[str, str] | None = None,
        setup: str = SETUP,
        setup_args: tuple[str, ...] = (),
        live: int = 0,
        python: str = sys.executable,
    ) -> None:
        self.tree = tree.resolve()
        self.python = python
        self.folder = Path(tempfile.mkdtemp(prefix=f"ioc-{label}-"))
        self.name = f"ioc_{label}_{secrets.token_hex(4)}"
        self.server: Engine = create_engine(
            make_url(postgis).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.url = make_url(postgis).set(database=self.name).render_as_string(hide_password=False)
        self.channel = f"{label}-{secrets.token_hex(4)}"
        self.extra_env = extra_env or {}
        self.setup = setup
        self.setup_args = setup_args
        self.ports = [free_port(), free_port()]
        self.live_ports = [free_port() for _ in range(live)]
        self.processes: list[subprocess.Popen[bytes]] = []
        self.redis = PrivateRedis(self.folder)
        self.token = ""
        self.env: dict[str, str] = {}

    @property
    def bases(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    @property
    def socket_bases(self) -> list[str]:
        """Where screens connect: the ``ioc live`` processes, else the app processes."""
        if self.live_ports:
            return [f"http://127.0.0.1:{port}" for port in self.live_ports]
        return self.bases

    @property
    def socket_pids(self) -> list[int]:
        """The processes holding the screens' websockets."""
        if self.live_ports:
            return [process.pid for process in self.processes[len(self.ports) + 1 :]]
        return self.app_pids

    @property
    def app_pids(self) -> list[int]:
        """The serving processes (gunicorn's workers, not its masters)."""
        return [
            pid
            for process in self.processes[: len(self.ports)]
            for pid in tree_pids(process.pid)[1:]
        ]

    @property
    def worker_pids(self) -> list[int]:
        """``ioc worker``'s process."""
        return tree_pids(self.processes[len(self.ports)].pid)

    def __enter__(self) -> BenchTier:
        with self.server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("IOC_")},
            "PYTHONPATH": f"{self.tree}{os.pathsep}{HERE}",
            "IOC_DATABASE_URL": self.url,
            "IOC_ENV": "development",
            "IOC_MEDIA_DIR": str(self.folder / "media"),
            "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
            "IOC_RATE_LIMITS_ENABLED": "false",
            # As docker-compose.yml runs them: the worker alone relays committed events.
            "IOC_PUBLISH_EVENTS": "false",
            **self.extra_env,
        }
        try:
            setup = subprocess.run(
                [self.python, "-c", self.setup, self.url, *self.setup_args],
                env=self.env,
                cwd=self.tree,
                check=True,
                capture_output=True,
                text=True,
            )
            self.token = setup.stdout.strip().splitlines()[-1]
            self.redis.start()
            self.env.update(IOC_REDIS_URL=self.redis.url, IOC_REDIS_CHANNEL=self.channel)
            self._start_processes()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start_processes(self) -> None:
        log = (self.folder / "tier.log").open("ab")
        for port in self.ports:
            self.processes.append(
                subprocess.Popen(
                    [self.python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"],
                    cwd=self.tree,
                    env={**self.env, "IOC_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=log,
                )
            )
        self.processes.append(
            subprocess.Popen(
                [self.python, "-m", "ioc.cli", "worker", "--sweep-every", "3600"],
                cwd=self.tree,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        )
        for port in self.live_ports:
            self.processes.append(
                subprocess.Popen(
                    [self.python, "-m", "ioc.cli", "live", "--port", str(port)],
                    cwd=self.tree,
                    env=self.env,
                    stdout=log,
                    stderr=log,
                )
            )
        for port in [*self.ports, *self.live_ports]:
            wait_until(functools.partial(healthy, port), timeout=90, what="the app")

    def backends(self) -> list[int]:
        """The database's server processes of the moment."""
        with self.server.connect() as connection:
            return list(
                connection.scalars(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": self.name}
                )
            )

    def own_pids(self) -> list[int]:
        """The tier's own processes: app processes (masters too) and the worker."""
        return [pid for process in self.processes for pid in tree_pids(process.pid)]

    def server_pids(self) -> list[int]:
        """Every process of the tier: app processes (masters too), the worker, the backends."""
        return self.own_pids() + self.backends()

    def cpu_meter(self) -> Callable[[], float]:
        """A function answering the server CPU seconds used since this call (backends that
        started meanwhile count from their start)."""
        pids = self.server_pids()
        before = cpu_seconds(pids)

        def used() -> float:
            return cpu_seconds(sorted(set(pids) | set(self.server_pids()))) - before

        return used

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.redis.stop()
        with self.server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.server.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)
