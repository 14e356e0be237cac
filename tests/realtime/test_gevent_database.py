"""Under the gevent worker a database call must let other greenlets (other websockets) run
while it waits; psycopg 3 does when the standard library is patched, as gunicorn does."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy.engine import make_url

from tests.conftest import postgis_url_or_skip

SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()

    import sys
    import gevent
    import psycopg

    order = []

    def slow_query():
        with psycopg.connect(sys.argv[1]) as connection:
            connection.execute("SELECT pg_sleep(0.5)")
        order.append("query finished")

    def other_client():
        gevent.sleep(0.05)
        order.append("other client served")

    gevent.joinall([gevent.spawn(slow_query), gevent.spawn(other_client)])
    print(",".join(order))
    """
)


def test_a_slow_query_does_not_stop_other_greenlets():
    url = make_url(postgis_url_or_skip()).set(drivername="postgresql")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, url.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.strip() == "other client served,query finished"
