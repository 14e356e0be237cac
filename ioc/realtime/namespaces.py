"""Socket.IO namespaces, registered when this module is imported (never inside create_app:
handlers added there vanish when a second app is created).

/ops (operators), /agency (the server picks the agency's room), /citizen (own reports) and
/public (published results). A screen passes ``token`` (or sends the staff session cookie)
and ``last_seq`` in the connection's ``auth``; it gets the events it missed, then live ones.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request

# Socket.IO reports the reason of its own ConnectionRefusedError to the client (the built-in
# one of the same name would be answered with a generic refusal). flask_socketio re-exports
# it from python-socketio, which has no types; the stubs leave the re-export out.
from flask_socketio import (  # type: ignore[attr-defined]
    ConnectionRefusedError,
    join_room,
)
from sqlalchemy.exc import SQLAlchemyError

from ioc.db import unit_of_work
from ioc.realtime import socketio
from ioc.realtime.audiences import (
    NAMESPACE_AGENCY,
    NAMESPACE_CITIZEN,
    NAMESPACE_OPS,
    NAMESPACE_PUBLIC,
)
from ioc.realtime.connections import (
    BUSY,
    STAFF_COOKIE,
    Refused,
    audience_of_screen,
    catch_up,
    connection_auth,
)
from ioc.realtime.publisher import EVENT_NAME
from ioc.telemetry.metrics import WEBSOCKET_CONNECTIONS


def _admit(namespace: str, auth: Any) -> None:
    """Join the screen's room, then replay what it missed."""
    services = current_app.extensions["ioc"]
    auth = connection_auth(auth)
    try:
        with unit_of_work(services.session_factory) as session:
            room = audience_of_screen(
                session,
                namespace,
                auth,
                staff_cookie=request.cookies.get(STAFF_COOKIE),
                verifier=services.token_verifier,
            )
            # Join first and replay second: an event published in between arrives twice,
            # never zero times, and screens drop a seq they have seen.
            join_room(room, namespace=namespace)
            missed = catch_up(session, room, auth.get("last_seq"))
    except Refused as refusal:
        raise ConnectionRefusedError(str(refusal)) from None
    except SQLAlchemyError:
        # Many screens reconnecting at once (an app process restarted) can drain the pool.
        # An exception here would leave the screen's connection unanswered for good; a
        # refusal that says "retry" lets the page come back a moment later.
        raise ConnectionRefusedError(BUSY, {"retry": True}) from None
    sid: str = request.sid  # type: ignore[attr-defined]  # Flask-SocketIO sets it per connection
    WEBSOCKET_CONNECTIONS.labels(namespace=namespace).inc()
    if missed.resync_from is not None:
        socketio.emit("resync", {"seq": missed.resync_from}, to=sid, namespace=namespace)
    for message in missed.events:
        socketio.emit(EVENT_NAME, message, to=sid, namespace=namespace)


@socketio.on("connect", namespace=NAMESPACE_OPS)
def connect_ops(auth: Any = None) -> None:
    _admit(NAMESPACE_OPS, auth)


@socketio.on("connect", namespace=NAMESPACE_AGENCY)
def connect_agency(auth: Any = None) -> None:
    _admit(NAMESPACE_AGENCY, auth)


@socketio.on("connect", namespace=NAMESPACE_CITIZEN)
def connect_citizen(auth: Any = None) -> None:
    _admit(NAMESPACE_CITIZEN, auth)


@socketio.on("connect", namespace=NAMESPACE_PUBLIC)
def connect_public(auth: Any = None) -> None:
    _admit(NAMESPACE_PUBLIC, auth)


def _disconnected(namespace: str) -> None:
    # Only admitted connections were counted: Socket.IO never reports a refused one as gone.
    WEBSOCKET_CONNECTIONS.labels(namespace=namespace).dec()


@socketio.on("disconnect", namespace=NAMESPACE_OPS)
def disconnect_ops(reason: Any = None) -> None:
    _disconnected(NAMESPACE_OPS)


@socketio.on("disconnect", namespace=NAMESPACE_AGENCY)
def disconnect_agency(reason: Any = None) -> None:
    _disconnected(NAMESPACE_AGENCY)


@socketio.on("disconnect", namespace=NAMESPACE_CITIZEN)
def disconnect_citizen(reason: Any = None) -> None:
    _disconnected(NAMESPACE_CITIZEN)


@socketio.on("disconnect", namespace=NAMESPACE_PUBLIC)
def disconnect_public(reason: Any = None) -> None:
    _disconnected(NAMESPACE_PUBLIC)
