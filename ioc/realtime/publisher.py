"""Pushing committed events to the screens that may see them.

Events are read from the outbox after their transaction committed (so nothing is announced
that did not happen) and emitted to each audience's room. With ``IOC_REDIS_URL`` the emit
goes through Redis to every app process; without it, to this process's clients.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask_socketio import SocketIO
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.events.models import Event
from ioc.events.outbox import claim_unpublished
from ioc.realtime.audiences import namespace_of

log = logging.getLogger(__name__)

EVENT_NAME = "event"


def wire(event: Event) -> dict[str, Any]:
    """What a screen receives for one event."""
    return {
        "seq": event.seq,
        "type": event.type,
        "occurred_at": event.occurred_at.isoformat(),
        "payload": event.payload,
    }


def publish_pending(session_factory: sessionmaker[Session], socketio: SocketIO) -> int:
    """Emit every unpublished event, oldest first; the number emitted."""
    published = 0
    while True:
        with unit_of_work(session_factory) as session:
            events = claim_unpublished(session)
            messages = [(wire(e), list(dict.fromkeys(e.audiences))) for e in events]
        for message, audiences in messages:
            for audience in audiences:
                socketio.emit(EVENT_NAME, message, to=audience, namespace=namespace_of(audience))
        published += len(messages)
        if len(messages) < 500:
            return published


def start_publisher(
    session_factory: sessionmaker[Session], socketio: SocketIO, *, every_seconds: float = 0.2
) -> threading.Event:
    """Publish continuously in a background task of the server's async mode."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                publish_pending(session_factory, socketio)
            except Exception:  # keep publishing after a database hiccup; it is logged
                log.exception("publishing events failed; retrying")
            # The stubs say int; every async mode's sleep takes fractions of a second.
            socketio.sleep(every_seconds)  # type: ignore[arg-type]

    socketio.start_background_task(run)
    return stop
