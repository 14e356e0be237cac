"""Waking publishers in other processes: a commit that wrote events signals on Redis.

A process's own commits wake its publisher directly (:func:`ioc.events.outbox.on_events_committed`).
With the Redis message queue, such a commit also publishes a one-byte signal on
``<channel>:wake``, and every publishing process (app processes, ``ioc worker``) listens for
it, so whichever process holds the publishing turn sends the event within milliseconds.
Signals are a hint: a lost one (Redis down) only means the publisher's safety-net poll finds
the event a second or two later.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis

log = logging.getLogger(__name__)

#: After a failed signal, stay quiet this long (requests must not wait on a Redis that is down).
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
        self._quiet_until = 0.0
        self._url = url

    def signal(self) -> None:
        """Tell every publisher that events were committed (never raises)."""
        if time.monotonic() < self._quiet_until:
            return
        try:
            self._redis.publish(self.channel, b"1")
        except redis.RedisError as exc:
            self._quiet_until = time.monotonic() + QUIET_AFTER_FAILURE_SECONDS
            log.debug("wake-up signal not sent: %s", exc)

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
