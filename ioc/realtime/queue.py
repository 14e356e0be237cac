"""The Socket.IO message queue over Redis, with the two guarantees the stock manager lacks.

python-socketio's ``RedisManager`` gives up on a publish after two tries and only logs it, so
an event emitted during a Redis outage is lost while its sender believes it was sent; and its
listener, once Redis is gone, retries after 1, 2, 4 … up to 60 seconds, so a process can stay
deaf long after Redis came back. Here a publish that Redis did not accept raises
:class:`QueueUnavailable` (the publisher keeps the event and tries again), and the listener
retries every :data:`LISTEN_RETRY_SECONDS`. Messages published inside
:func:`sent_together` go to Redis in one round trip, when the block ends.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from socketio import AsyncRedisManager, RedisManager  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

#: How soon a process's listener tries Redis again after losing it.
LISTEN_RETRY_SECONDS = 0.5


class QueueUnavailable(Exception):
    """Redis did not accept a message; nothing was sent to other processes."""


class ReliableRedisManager(RedisManager):  # type: ignore[misc]
    """A ``RedisManager`` whose publishes report failure and whose listener comes back fast."""

    connected: bool
    channel: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per thread (per greenlet under gevent): another task's emits are not held back.
        self._holding = threading.local()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Hold the messages published inside the block and send them to Redis together at
        its end, in one round trip.

        Raises:
            QueueUnavailable: Redis did not take them; count none of them as sent.
        """
        if getattr(self._holding, "messages", None) is not None:
            yield  # inside an outer block, which sends
            return
        held: list[Any] = []
        self._holding.messages = held
        try:
            yield
        finally:
            self._holding.messages = None
        if held:
            self._send(held)

    def _publish(self, data: Any) -> None:
        held: list[Any] | None = getattr(self._holding, "messages", None)
        if held is not None:
            held.append(data)
        else:
            self._send([data])

    def _send(self, messages: list[Any]) -> None:
        error: Exception | None = None
        for _attempt in range(2):
            try:
                if not self.connected:
                    self._redis_connect()
                pipeline = self.redis.pipeline(transaction=False)
                for data in messages:
                    pipeline.publish(self.channel, self.json.dumps(data))
                pipeline.execute()
                return
            except Exception as exc:  # redis-py raises several unrelated types
                error = exc
                self.connected = False
        raise QueueUnavailable(f"Redis did not accept the message: {error}") from error

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed = True
                    log.info("listening to the Socket.IO queue on Redis")
                yield from self.pubsub.listen()
            except Exception as exc:  # redis-py raises several unrelated types
                if subscribed:
                    log.warning("lost the Socket.IO queue on Redis (%s); retrying", exc)
                subscribed = False
                time.sleep(LISTEN_RETRY_SECONDS)


class AsyncReliableRedisManager(AsyncRedisManager):  # type: ignore[misc]
    """The asyncio twin of :class:`ReliableRedisManager`, for ``ioc live``: same channel, same
    messages, the same failure report on publish and the same quick return of the listener."""

    connected: bool
    channel: str

    async def _publish(self, data: Any) -> int:
        error: Exception | None = None
        for _attempt in range(2):
            try:
                if not self.connected:
                    self._redis_connect()
                return int(await self.redis.publish(self.channel, self.json.dumps(data)))
            except Exception as exc:  # redis-py raises several unrelated types
                error = exc
                self.connected = False
        raise QueueUnavailable(f"Redis did not accept the message: {error}") from error

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    log.info("listening to the Socket.IO queue on Redis")
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:  # redis-py raises several unrelated types
                if subscribed:
                    log.warning("lost the Socket.IO queue on Redis (%s); retrying", exc)
                subscribed = False
                await asyncio.sleep(LISTEN_RETRY_SECONDS)


def sent_together(emitter: Any) -> AbstractContextManager[None]:
    """A block whose emits through ``emitter`` (a Flask-SocketIO or python-socketio server)
    reach Redis together when it ends (see :meth:`ReliableRedisManager.together`); without
    Redis each emit is delivered at once, as ever."""
    manager = getattr(getattr(emitter, "server", emitter), "manager", None)
    if isinstance(manager, ReliableRedisManager):
        return manager.together()
    return nullcontext()


def reliable_manager(url: str, channel: str, *, write_only: bool = False) -> ReliableRedisManager:
    return ReliableRedisManager(url, channel=channel, write_only=write_only)
