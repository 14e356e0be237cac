"""What one Open311 create costs the app in machine instructions, counted by Valgrind: a
figure that does not drift with the host's speed, to compare two versions of the app's code
on a host whose CPU time varies by a tenth from one minute to the next.

    .venv/bin/python bench/intake_instructions.py --postgis URL [--requests 100]
                                                  [--python VENV_PYTHON] [--against TREE]

Needs ``valgrind`` (Debian package). Loads the demo province into the PostgreSQL database
``URL`` (its public schema is wiped: give it a scratch database) and makes one Open311 API
key. Then, for this tree and each ``--against`` tree, runs ``--python`` (default: this
interpreter) under Cachegrind (``--cache-sim=no``: instructions only) twice, at once: both
runs start the app and file 30 creates to warm it up, then one files ``--requests`` more
through Flask's test client. The difference between the two runs' instructions, divided by
``--requests``, is what one create costs in the app process: routing, the intake, the
statements' building and sending. It leaves out the database's work, gunicorn and the
sockets (``bench/http_load.py`` measures those, as CPU time). Reference codes, keys and
timings differ from run to run, so figures within about 1 % of each other are the same.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from intake_requests import bench_app, demo_database_with_key, open311_create

ROOT = Path(__file__).resolve().parents[1]
#: Creates every run files first, so that both runs pay the same start-up and first requests.
WARM_UP = 30


def _file_creates(url: str, key: str, requests: int) -> None:
    """The measured program: start the app, warm it up, file ``requests`` creates."""
    with tempfile.TemporaryDirectory() as media:
        app = bench_app(url, Path(media))
        client = app.test_client()
        for n in range(WARM_UP + requests):
            open311_create(client, key, n)
        app.extensions["ioc"].engine.dispose()


def _instructions(python: str, tree: Path, url: str, key: str, requests: int) -> int:
    """Instructions of one run of :func:`_file_creates` under Cachegrind, from ``tree``."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "cachegrind.out"
        environment = {
            **os.environ,
            "PYTHONPATH": f"{tree}{os.pathsep}{ROOT / 'bench'}",
            # Python's own allocator is built for speed on real hardware, not for Valgrind.
            "PYTHONMALLOC": "malloc",
            "PYTHONHASHSEED": "0",
        }
        run = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                f"--cachegrind-out-file={out}",
                python,
                __file__,
                "--child",
                url,
                key,
                str(requests),
            ],
            env=environment,
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
        if run.returncode != 0 or found is None:
            raise SystemExit(f"the run under Valgrind failed:\n{run.stderr[-3000:]}")
        return int(found.group(1).replace(",", ""))


def per_create(python: str, tree: Path, url: str, key: str, requests: int) -> float:
    """Instructions per create from ``tree``: two runs at once, without and with the
    ``requests`` measured creates."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        without, with_creates = pool.map(
            lambda n: _instructions(python, tree, url, key, n), (0, requests)
        )
    return (with_creates - without) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgis")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--against", type=Path, action="append", default=[])
    parser.add_argument("--child", nargs=3, metavar=("URL", "KEY", "REQUESTS"))
    args = parser.parse_args()
    if args.child:
        url, key, requests = args.child
        _file_creates(url, key, int(requests))
        return 0
    if not args.postgis:
        parser.error("--postgis is required")
    key = demo_database_with_key(args.postgis)
    for tree in (ROOT, *args.against):
        figure = per_create(args.python, tree.resolve(), args.postgis, key, args.requests)
        print(f"{tree}: {figure / 1e6:.2f} million instructions per Open311 create (app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
