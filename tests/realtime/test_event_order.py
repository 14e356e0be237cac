"""Event order without a lock in the request path (PostgreSQL, real concurrent transactions).

Transactions that write events no longer wait for each other; the publisher hands events to
screens in ``seq`` order anyway, holding back a committed event while a lower ``seq`` is still
being written, and a resuming screen never reads past what was published.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import make_session_factory, unit_of_work
from ioc.events.log import events_for, latest_seq, record_event, record_event_at_commit
from ioc.events.marks import DISPATCHED, passed_through
from ioc.feedback.surges.detection import detect_surges
from ioc.integrations.api_clients import authenticate_api_key, create_api_client
from ioc.integrations.fanout import dispatch_events
from ioc.realtime.publisher import EVENT_NAME, HEARTBEAT_NAME, Publisher
from tests.factories import VN


class Screens:
    """Stands in for the Socket.IO server: what each room was sent, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def emit(self, event: str, message: dict[str, Any], *, to: str, namespace: str) -> None:
        self.sent.append((event, to, message))

    def seqs(self, room: str) -> list[int]:
        return [m["seq"] for e, r, m in self.sent if e == EVENT_NAME and r == room]


@pytest.fixture
def factory(postgis_engine: Engine) -> Iterator[sessionmaker[Session]]:
    factory = make_session_factory(postgis_engine)
    yield factory
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM event"))
        session.execute(text("DELETE FROM event_mark"))


def _event(session: Session, room: str = "ops") -> int:
    return record_event(session, "report.created", payload={}, audiences=[room]).seq


def _without_waiting(session: Session) -> None:
    # A lock in the request path would make this fail instead of waiting for the test.
    session.execute(text("SET LOCAL lock_timeout = '2s'"))


def test_writers_of_events_do_not_wait_for_each_other(factory):
    with factory() as first:
        _event(first)
        with unit_of_work(factory) as second:
            _without_waiting(second)
            _event(second)
        first.commit()


def test_a_later_seq_waits_for_an_earlier_one_still_being_written(factory):
    screens = Screens()
    publisher = Publisher(factory, screens)
    slow = factory()
    earlier = _event(slow)
    with unit_of_work(factory) as fast:
        later = _event(fast)
    assert earlier < later

    with factory() as screen:
        assert events_for(screen, "ops", after_seq=0, limit=10) == []  # nothing published yet
    finished = threading.Event()

    def publish() -> None:
        while screens.seqs("ops") != [earlier, later]:
            publisher.publish_pending()
        finished.set()

    worker = threading.Thread(target=publish, daemon=True)
    worker.start()
    worker.join(0.3)
    assert screens.seqs("ops") == []  # the later event waits for the earlier one
    slow.commit()
    slow.close()
    assert finished.wait(30)
    assert screens.seqs("ops") == [earlier, later]
    with factory() as screen:
        assert [e.seq for e in events_for(screen, "ops", after_seq=0, limit=10)] == [
            earlier,
            later,
        ]
        assert latest_seq(screen) == later


def test_the_fan_out_never_passes_over_an_event_that_commits_after_a_later_one(factory):
    slow = factory()
    earlier = _event(slow)
    with unit_of_work(factory) as fast:
        later = _event(fast)

    with unit_of_work(factory) as worker:
        held_back = dispatch_events(worker, tz=VN)  # waits for the writer, then gives up
    slow.commit()
    slow.close()
    with unit_of_work(factory) as worker:
        fanned = dispatch_events(worker, tz=VN)

    assert held_back.events == 0
    assert fanned.events == 2
    with factory() as session:
        assert passed_through(session, DISPATCHED) == later > earlier


def test_surge_detection_under_way_holds_back_neither_the_fan_out_nor_the_publisher(factory):
    with unit_of_work(factory) as writer:
        seq = _event(writer)
    detecting = factory()
    detect_surges(detecting)  # holds detection's lock until its transaction ends

    try:
        with unit_of_work(factory) as worker:
            fanned = dispatch_events(worker, tz=VN)
        screens = Screens()
        Publisher(factory, screens).publish_pending()
    finally:
        detecting.close()

    assert fanned.events == 1
    assert screens.seqs("ops") == [seq]


def test_each_live_message_names_the_rooms_previous_event_and_heartbeats_the_newest(factory):
    screens = Screens()
    publisher = Publisher(factory, screens)
    with unit_of_work(factory) as session:
        first = _event(session, "agency:A")
        _event(session, "agency:B")
        second = _event(session, "agency:A")
    publisher.publish_pending()
    a = [m for e, room, m in screens.sent if room == "agency:A"]
    assert [(m["seq"], m.get("prev")) for m in a] == [(first, None), (second, first)]
    publisher.heartbeat()
    assert (HEARTBEAT_NAME, "agency:A", {"seq": second}) in screens.sent


def test_a_publisher_names_the_previous_event_another_publisher_sent_in_between(factory):
    screens = Screens()
    one, other = Publisher(factory, screens), Publisher(factory, screens)
    sent_by = []
    for publisher in (one, other, one, one):
        with unit_of_work(factory) as session:
            sent_by.append(_event(session, "agency:A"))
        publisher.publish_pending()
    messages = [m for e, room, m in screens.sent if room == "agency:A"]
    assert [(m["seq"], m.get("prev")) for m in messages] == [
        (sent_by[0], None),
        (sent_by[1], sent_by[0]),
        (sent_by[2], sent_by[1]),
        (sent_by[3], sent_by[2]),
    ]


def test_a_rolled_back_writer_leaves_no_hole_that_holds_back_the_rest(factory):
    screens = Screens()
    with factory() as doomed:
        _event(doomed)
        doomed.rollback()
    with unit_of_work(factory) as session:
        kept = _event(session)
    Publisher(factory, screens).publish_pending()
    assert screens.seqs("ops") == [kept]


def test_one_api_key_used_by_concurrent_requests_is_noted_without_making_them_queue(factory):
    name = f"partner-{secrets.token_hex(4)}"
    with unit_of_work(factory) as session:
        key = create_api_client(session, name=name).key
    with unit_of_work(factory) as session:
        assert authenticate_api_key(session, key).last_used_at is not None
    with factory() as first:
        authenticate_api_key(first, key)
        with unit_of_work(factory) as second:
            _without_waiting(second)
            authenticate_api_key(second, key)
        first.commit()
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM api_client WHERE name = :n"), {"n": name})


def test_an_app_event_is_numbered_as_its_transaction_commits_and_holds_back_no_one(factory):
    """The app's events (``record_event_at_commit``) are written by their transaction's
    COMMIT: a transaction still open holds no number, so the events of those that commit
    before it go out at once, and the numbers follow the order of the commits."""
    screens = Screens()
    publisher = Publisher(factory, screens)
    with factory() as slow:
        record_event_at_commit(slow, "report.created", payload={"n": 1}, audiences=["ops"])
        with unit_of_work(factory) as fast:
            _without_waiting(fast)
            record_event_at_commit(
                fast, "report.created", payload={"n": 2}, audiences=["ops", "agency:A", "ops"]
            )
        publisher.publish_pending()
        assert [m["payload"]["n"] for _, _, m in screens.sent] == [2, 2]
        slow.commit()
    publisher.publish_pending()

    ops = screens.seqs("ops")
    assert [m["payload"]["n"] for e, room, m in screens.sent if room == "ops"] == [2, 1]
    assert ops == sorted(ops)
    with factory() as screen:
        assert [e.seq for e in events_for(screen, "ops", after_seq=0, limit=10)] == ops
        assert [e.payload for e in events_for(screen, "agency:A", after_seq=0, limit=10)] == [
            {"n": 2}
        ]
