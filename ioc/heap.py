"""The garbage collector of a long-running server process, set once start-up is done."""

from __future__ import annotations

import gc


def settle_after_start_up() -> None:
    """Freeze what start-up built and let young collections wait for 20,000 new objects.

    A server process holds hundreds of thousands of objects from start-up (modules, the ORM's
    mappers, the area index) that never die. With Python's default thresholds a full
    collection ran every few seconds and, walking every one of them, held every request or
    delivery of the moment for 80-200 ms (bench/fanout.py, bench/live.py): the tail of the
    latencies. Frozen, full collections skip them; and by the time 20,000 new objects have
    been made, most of a request's are gone again.
    """
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
