"""Under gunicorn several processes serve one deployment: ``/metrics`` adds up what each
recorded (prometheus-client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.metrics_scrape import value

ROOT = Path(__file__).resolve().parents[2]

RECORD = """
from ioc.telemetry.metrics import REPORTS_FILED, WEBSOCKET_CONNECTIONS
REPORTS_FILED.labels(channel="zalo").inc(3)
WEBSOCKET_CONNECTIONS.labels(namespace="/ops").inc()
"""

SCRAPE = """
import sys
from ioc.app import create_app
from ioc.migrate import upgrade
app = create_app({"env": "test", "database_url": sys.argv[1]})
upgrade(app.extensions["ioc"].engine)
sys.stdout.write(app.test_client().get("/metrics").get_data(as_text=True))
"""


def _python(code: str, folder: Path, *args: str) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_metrics_add_up_the_values_of_every_process(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    _python(RECORD, folder)
    _python(RECORD, folder)

    text = _python(SCRAPE, folder, f"sqlite:///{tmp_path / 'ioc.sqlite3'}")

    assert value(text, "ioc_reports_filed_total", channel="zalo") == 6
    # Live gauges of processes that ended are left out only once gunicorn marks them dead;
    # here both recorders are gone but unmarked, so both still count.
    assert value(text, "ioc_websocket_connections", namespace="/ops") == 2
    assert value(text, "ioc_outbox_lag_seconds", stage="publish") == 0
