"""The one clock every test runs on, in this process and in the processes a test starts.

In this process, the autouse ``fixed_clock`` fixture of ``tests/conftest.py`` puts "now" at
:func:`chosen_now` with time-machine at the start of every test, ticking from there so that
timeouts and waits still work; fixtures shared by several tests are set up a little before
that instant. Processes a test starts (servers, workers) cannot be patched from here:
:func:`on_the_test_clock` gives them an environment that starts their clock, through
libfaketime, where this process's clock is.

``IOC_TEST_NOW`` (ISO 8601 with an offset, e.g. ``2026-12-11T17:45:00+07:00``) runs the suite
"on" another instant. Without libfaketime (Debian: ``apt-get install faketime``) the tests that
start processes are skipped, unless ``IOC_TEST_REQUIRE_FAKETIME=1`` (set by CI) makes that a
failure.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

#: A Wednesday morning in Asia/Ho_Chi_Minh, in working hours and weeks away from any holiday
#: of ``ioc/feedback/sla/data/holidays_vn.toml``: deadlines counted from it land mid-week.
DEFAULT_NOW = datetime(2026, 3, 11, 9, 0, tzinfo=timezone(timedelta(hours=7)))

REQUIRE_FAKETIME = os.environ.get("IOC_TEST_REQUIRE_FAKETIME") == "1"
#: Put first on PYTHONPATH of Python processes under libfaketime (see its sitecustomize.py).
FAKETIME_SITE = Path(__file__).resolve().parent / "faketime_site"
_LIBFAKETIME_CANDIDATES = (
    "/usr/lib/*-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
)


def chosen_now() -> datetime:
    """The instant each test starts at: ``IOC_TEST_NOW``, or :data:`DEFAULT_NOW`.

    Choose instants after 1 July 2025: the tests' areas start then (``tests.factories.EPOCH``).
    """
    value = os.environ.get("IOC_TEST_NOW", "").strip()
    if not value:
        return DEFAULT_NOW
    try:
        chosen = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"IOC_TEST_NOW={value!r} is not ISO 8601 (e.g. 2026-12-11T17:45:00+07:00)"
        ) from None
    if chosen.tzinfo is None:
        raise pytest.UsageError(f"IOC_TEST_NOW={value!r} needs an offset, e.g. +07:00")
    return chosen


def libfaketime() -> Path | None:
    """Debian's libfaketime (``IOC_TEST_LIBFAKETIME`` names another), or None."""
    named = os.environ.get("IOC_TEST_LIBFAKETIME")
    if named:
        return Path(named) if Path(named).is_file() else None
    for pattern in _LIBFAKETIME_CANDIDATES:
        found = sorted(glob.glob(pattern))
        if found:
            return Path(found[0])
    return None


def on_the_test_clock(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a subprocess whose clock starts at this process's "now" and ticks.

    Call it right before starting the process: the subprocess's clock starts where this
    process's clock is at the call (a moment behind it, by the time the process takes to
    start). Monotonic clocks stay real, so timeouts and waits work.
    """
    library = libfaketime()
    if library is None:
        reason = "starting a process on the test clock needs libfaketime (apt-get install faketime)"
        if REQUIRE_FAKETIME:
            pytest.fail(f"IOC_TEST_REQUIRE_FAKETIME=1 but {reason}")
        pytest.skip(reason)
    preloaded = env.get("LD_PRELOAD", "").split()
    if str(library) not in preloaded:
        preloaded.append(str(library))
    python_path = [entry for entry in env.get("PYTHONPATH", "").split(os.pathsep) if entry]
    if str(FAKETIME_SITE) not in python_path:
        python_path.insert(0, str(FAKETIME_SITE))
    return {
        **env,
        "LD_PRELOAD": " ".join(preloaded),
        "PYTHONPATH": os.pathsep.join(python_path),
        # Seconds since the epoch: no time zone can move it.
        "FAKETIME_FMT": "%s",
        "FAKETIME": f"@{time.time():.6f}",
        # Faked monotonic clocks make Python processes hang in timed waits at exit.
        "DONT_FAKE_MONOTONIC": "1",
        # With the line above, libfaketime 0.9.10 (Debian 12's) turns every timed wait on a
        # monotonic condition variable into one that has already expired, and the threads of a
        # Python process fight over the GIL, whose hand-over waits 5 ms: wait exactly that.
        "FAKETIME_WAIT_MS": "5",
    }
