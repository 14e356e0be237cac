"""Waking publishers in other processes: a commit that wrote events signals on Redis.

A process's own commits wake its own publisher directly
(:func:`ioc.events.outbox.on_events_committed`). A process that does not publish (app processes
with ``IOC_PUBLISH_EVENTS=false``, as the compose file runs them) has its commits ask for a
one-byte signal on ``<channel>:wake`` instead, and every publishing process (``ioc worker``,
app processes that publish) listens for it, so whichever holds the publishing turn sends the
event within milliseconds.

The signal leaves from a background task, not from the request that committed: asking for it
only sets a flag, and the task sends at most one signal every :data:`SIGNAL_GAP_SECONDS`, for
all the commits that asked meanwhile. A publisher starts a round at most every 25 ms anyway,
so under load this saves a Redis round trip per filing and delays no event beyond that; at a
few filings a second every commit still signals at once. Signals are a hint: a lost one
(Redis down) only means the publisher's safety-net poll finds the event a second or two later.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis

log = logging.getLogger(__name__)

#: The shortest time between two signals of one process.
SIGNAL_GAP_SECONDS = 0.02
#: After a failed signal, wait this long before the next (Redis is down or unreachable).
QUIET_AFTER_FAILURE_SECONDS = 1.0
#: How soon the listener tries Redis again after losing it.
LISTEN_RETRY_SECONDS = 0.5


def wake_channel(channel: str) -> str:
    return f"{channel}:wake"


class RedisWakeup:
    def __init__(self, url: str, channel: str) -> None:
        self.channel = wake_channel(channel)
        self._redis = redis.Redis.from_url(
            url, socket_connect_timeout=0.25, socket_timeout=0.25, retry_on_timeout=False
        )
        self._url = url
        self._asked = threading.Event()

    def signal(self) -> None:
        """Ask for a signal to every publisher (never blocks, never raises): sent by
        :meth:`send_signals`."""
        self._asked.set()

    def send_signals(self, stop: threading.Event) -> None:
        """Send the signals asked for, at most one every :data:`SIGNAL_GAP_SECONDS`, until
        ``stop`` (run it in a background task)."""
        while not stop.is_set():
            if not self._asked.wait(1.0):
                continue
            self._asked.clear()
            try:
                self._redis.publish(self.channel, b"1")
            except redis.RedisError as exc:
                log.debug("wake-up signal not sent: %s", exc)
                stop.wait(QUIET_AFTER_FAILURE_SECONDS)
            else:
                stop.wait(SIGNAL_GAP_SECONDS)

    def listen(self, wake: Any, stop: threading.Event) -> None:
        """Set ``wake`` on every signal until ``stop`` (run it in a background task)."""
        while not stop.is_set():
            try:
                client = redis.Redis.from_url(self._url, socket_connect_timeout=0.5)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                while not stop.is_set():
                    if pubsub.get_message(timeout=1.0) is not None:
                        wake()
            except redis.RedisError as exc:
                log.debug("wake-up listener lost Redis (%s); retrying", exc)
                wake()  # whatever was signalled meanwhile is lost: look now
                stop.wait(LISTEN_RETRY_SECONDS)
