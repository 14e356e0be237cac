"""Wake-up signals on a real Redis: commits that ask together share a signal, and none is lost."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from ioc.realtime.wakeup import SIGNAL_GAP_SECONDS, RedisWakeup, wake_channel
from tests.conftest import redis_url_or_skip


class Listener:
    """Counts the signals that reach the wake-up channel, as a publisher's listener sees them."""

    def __init__(self, url: str, channel: str) -> None:
        self._pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(wake_channel(channel))
        self._pubsub.get_message(timeout=1.0)  # the subscription's confirmation
        self.heard = 0

    def listen_for(self, seconds: float, *, until: int | None = None) -> int:
        """The signals heard so far, after listening ``seconds`` (or until ``until`` came)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and self.heard != until:
            if self._pubsub.get_message(timeout=left) is not None:
                self.heard += 1
        return self.heard

    def close(self) -> None:
        self._pubsub.close()


@pytest.fixture
def channel() -> str:
    return f"ioc-test-{secrets.token_hex(4)}"


@pytest.fixture
def listener(channel: str) -> Iterator[Listener]:
    heard = Listener(redis_url_or_skip(), channel)
    yield heard
    heard.close()


@pytest.fixture
def wakeup(channel: str) -> Iterator[RedisWakeup]:
    sender = RedisWakeup(redis_url_or_skip(), channel)
    stop = threading.Event()
    thread = threading.Thread(target=sender.send_signals, args=(stop,), daemon=True)
    thread.start()
    yield sender
    stop.set()
    thread.join(timeout=5)


def test_a_commit_alone_is_signalled_at_once(wakeup: RedisWakeup, listener: Listener) -> None:
    wakeup.signal()

    assert listener.listen_for(SIGNAL_GAP_SECONDS * 10) == 1


def test_commits_that_ask_together_share_a_signal(wakeup: RedisWakeup, listener: Listener) -> None:
    for _ in range(50):
        wakeup.signal()

    # The first ask may be sent before the others come: they share the one after the gap.
    assert 1 <= listener.listen_for(SIGNAL_GAP_SECONDS * 10) <= 2


def test_a_commit_asking_while_a_signal_is_sent_still_gets_its_own(
    wakeup: RedisWakeup, listener: Listener
) -> None:
    wakeup.signal()
    assert listener.listen_for(5.0, until=1) == 1

    wakeup.signal()  # a publisher woken by the first may have read the log before this commit

    assert listener.listen_for(SIGNAL_GAP_SECONDS * 10) == 2


def test_a_redis_that_is_down_fails_no_commit_and_stops_no_sender() -> None:
    unreachable = RedisWakeup("redis://127.0.0.1:1/0", "ioc-test-down")
    stop = threading.Event()
    thread = threading.Thread(target=unreachable.send_signals, args=(stop,), daemon=True)
    thread.start()
    try:
        for _ in range(3):
            unreachable.signal()  # raises nothing: the commit that asks has happened
            time.sleep(SIGNAL_GAP_SECONDS)
        assert thread.is_alive()  # the failed sends did not end the sender
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()  # and it stops when told
