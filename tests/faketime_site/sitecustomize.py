"""Started before anything else in the Python processes the tests run under libfaketime
(``tests/clock.py`` and the week run put this folder first on ``PYTHONPATH``).

libfaketime 0.9.10 (Debian 12's) with ``DONT_FAKE_MONOTONIC=1`` turns the absolute monotonic
deadline that Python 3.11's ``time.sleep()`` hands to ``clock_nanosleep()`` into a negative one,
so every sleep fails with ``OSError: [Errno 22] Invalid argument`` (libfaketime issue #426,
fixed upstream after 0.9.10). Where that happens, sleeps wait on ``select()`` with a relative
timeout instead, which libfaketime passes through untouched; elsewhere nothing changes.
"""

from __future__ import annotations

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        select.select([], [], [], left)


try:
    time.sleep(1e-6)
except OSError:
    time.sleep = _sleep
