"""``ioc live``: the Socket.IO server of a deployment, on python-socketio's asyncio server.

It speaks the same protocol on the same namespaces as the Flask-SocketIO server of the app
processes, listens to the same Redis channel (so the events the publisher emits reach its
screens unchanged), admits screens with the same checks and replays what they missed with the
same catch-up (:mod:`ioc.realtime.connections`). A screen costs a coroutine and a queue here,
not a greenlet with its stack; an event is encoded once per room and handed to each socket's
queue without a task per recipient, and sent without per-connection compression: why it exists
is in docs/realtime.md.

The database work of a connection (who is it, what did it miss) is synchronous SQLAlchemy and
runs in a thread (:func:`asyncio.to_thread`), so a slow query never stalls the other screens.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any, cast

import socketio  # type: ignore[import-untyped]
from aiohttp import web
from engineio import packet as eio_packet  # type: ignore[import-untyped]
from engineio.async_drivers.aiohttp import WebSocket  # type: ignore[import-untyped]
from prometheus_client import REGISTRY, generate_latest
from socketio import packet as sio_packet
from socketio.exceptions import ConnectionRefusedError  # type: ignore[import-untyped]
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import get_host

from ioc.db import unit_of_work
from ioc.identity import TokenVerifier
from ioc.realtime.audiences import (
    NAMESPACE_AGENCY,
    NAMESPACE_CITIZEN,
    NAMESPACE_OPS,
    NAMESPACE_PUBLIC,
)
from ioc.realtime.connections import (
    BUSY,
    STAFF_COOKIE,
    CatchUp,
    Refused,
    audience_of_screen,
    catch_up,
    connection_auth,
)
from ioc.realtime.live_socket import LiveSocketTable
from ioc.realtime.publisher import EVENT_NAME
from ioc.realtime.queue import AsyncReliableRedisManager
from ioc.telemetry.metrics import WEBSOCKET_CONNECTIONS

log = logging.getLogger(__name__)

NAMESPACES = (NAMESPACE_OPS, NAMESPACE_AGENCY, NAMESPACE_CITIZEN, NAMESPACE_PUBLIC)


@dataclass(frozen=True)
class LiveSettings:
    redis_url: str
    channel: str
    ping_interval_seconds: float
    ping_timeout_seconds: float
    #: IOC_TRUSTED_PROXIES: how many proxies' X-Forwarded-* headers name the site.
    trusted_proxies: int = 0


def site_origins(environ: dict[str, Any], trusted_proxies: int) -> set[str]:
    """The origins a browser on this site sends: the ``Host`` it reached and, behind trusted
    proxies, the scheme, host and port they forwarded, read by the same ``ProxyFix`` the app
    processes use (:mod:`ioc.web.proxies`).

    A handshake from a page of another site is refused (engine.io checks ``Origin``), as the
    app processes do.
    """
    origins = {_origin(environ)}
    if trusted_proxies:
        forwarded: dict[str, Any] = {}

        def keep(env: dict[str, Any], _start: Any) -> list[bytes]:
            forwarded.update(env)
            return []

        hops = trusted_proxies
        reader = ProxyFix(keep, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
        reader(dict(environ), cast(Any, None))  # keep() answers nothing: no response starts
        origins.add(_origin(forwarded))
    return origins


def _origin(environ: dict[str, Any]) -> str:
    # get_host leaves out the scheme's standard port, as a browser's Origin does.
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    return f"{scheme}://{get_host(scheme, environ.get('HTTP_HOST'))}"


class FanOutRedisManager(AsyncReliableRedisManager):
    """Delivers a room's event by putting one encoded packet on each member's send queue.

    The stock manager starts an asyncio task per recipient to do the same; with a thousand
    screens in a room that is a thousand tasks per event, most of the cost of a delivery.
    Putting on an unbounded queue never waits, so no task is needed. Emits with a callback
    (which this server never makes) keep the stock path.
    """

    async def emit(self, event: str, data: Any, namespace: Any = None, **kwargs: Any) -> None:
        if kwargs.get("ignore_queue") and not kwargs.get("callback") and not kwargs.get("skip_sid"):
            await self._deliver_here(event, data, namespace, kwargs.get("to") or kwargs.get("room"))
            return
        await super().emit(event, data, namespace=namespace, **kwargs)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("callback") is not None or message.get("binary") or message.get("skip_sid"):
            await super()._handle_emit(message)
            return
        data = message["data"]
        await self._deliver_here(
            message["event"],
            data[0] if isinstance(data, list) and len(data) == 1 else data,
            message.get("namespace"),
            message.get("room"),
        )

    async def _deliver_here(self, event: str, data: Any, namespace: Any, room: Any) -> None:
        namespace = namespace or "/"
        if namespace not in self.rooms:
            return
        payload = [event] if data is None else [event, data]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=payload
        ).encode()
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        sockets = self.server.eio.sockets
        for _sid, eio_sid in list(self.get_participants(namespace, room)):
            socket = sockets.get(eio_sid)
            if socket is not None and not socket.closed:
                socket.queue.put_nowait(message)


class UncompressedWebSocket(WebSocket):  # type: ignore[misc]
    """engine.io's aiohttp websocket without permessage-deflate.

    With it (aiohttp's default, and the clients offer it) every connection keeps a zlib
    compressor and decompressor, most of an idle connection's memory (measured with
    bench/fanout.py: ~140 KB per idle connection with it, ~46 KB without), and every delivery
    is compressed again for each screen. The events are a few
    hundred bytes of JSON: sent as they are, one encoding serves the whole room.
    """

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(
            max_msg_size=self.server.max_http_buffer_size, compress=False
        )
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock

    async def send(self, message: str | bytes) -> None:
        # engine.io's own send asks inspect.iscoroutinefunction of aiohttp's method every time.
        if isinstance(message, str):
            await self._sock.send_str(message)
        else:
            await self._sock.send_bytes(message)


class ScreenNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    """One of the four namespaces: admits a screen to its room and replays what it missed."""

    def __init__(
        self, namespace: str, session_factory: sessionmaker[Session], verifier: TokenVerifier
    ) -> None:
        super().__init__(namespace)
        self.session_factory = session_factory
        self.verifier = verifier

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        auth = connection_auth(auth)
        cookie = _staff_cookie(environ)
        try:
            room = await asyncio.to_thread(self._audience, auth, cookie)
            # Join first and replay second: an event published in between arrives twice,
            # never zero times, and screens drop a seq they have seen.
            await self.enter_room(sid, room)
            missed = await asyncio.to_thread(self._missed, room, auth.get("last_seq"))
        except Refused as refusal:
            raise ConnectionRefusedError(str(refusal)) from None
        except SQLAlchemyError:
            raise ConnectionRefusedError(BUSY, {"retry": True}) from None
        WEBSOCKET_CONNECTIONS.labels(namespace=self.namespace).inc()
        if missed.resync_from is not None:
            await self.emit("resync", {"seq": missed.resync_from}, to=sid, ignore_queue=True)
        for message in missed.events:
            await self.emit(EVENT_NAME, message, to=sid, ignore_queue=True)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        # Only admitted connections were counted: Socket.IO never reports a refused one as gone.
        WEBSOCKET_CONNECTIONS.labels(namespace=self.namespace).dec()

    def _audience(self, auth: dict[str, Any], cookie: str | None) -> str:
        with unit_of_work(self.session_factory) as session:
            return audience_of_screen(
                session, self.namespace, auth, staff_cookie=cookie, verifier=self.verifier
            )

    def _missed(self, room: str, last_seq: Any) -> CatchUp:
        with unit_of_work(self.session_factory) as session:
            return catch_up(session, room, last_seq)


def _staff_cookie(environ: dict[str, Any]) -> str | None:
    header = environ.get("HTTP_COOKIE")
    if not header:
        return None
    morsel = SimpleCookie(header).get(STAFF_COOKIE)
    return morsel.value if morsel is not None else None


def live_server(
    session_factory: sessionmaker[Session], verifier: TokenVerifier, settings: LiveSettings
) -> tuple[socketio.AsyncServer, web.Application]:
    """The Socket.IO server on the Redis queue, and the aiohttp application serving it (with
    ``/healthz`` and ``/metrics``)."""
    server = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=FanOutRedisManager(settings.redis_url, channel=settings.channel),
        # Screens connect over websocket only (no sticky sessions needed behind nginx).
        transports=["websocket"],
        ping_interval=settings.ping_interval_seconds,
        ping_timeout=settings.ping_timeout_seconds,
        cors_allowed_origins=lambda origin, environ: (
            origin in site_origins(environ, settings.trusted_proxies)
        ),
    )
    # engine.io picks its websocket class from the async mode's table; this server's own copy.
    server.eio._async = {**server.eio._async, "websocket": UncompressedWebSocket}
    server.eio.sockets = LiveSocketTable()
    for namespace in NAMESPACES:
        server.register_namespace(ScreenNamespace(namespace, session_factory, verifier))
    application = web.Application()
    server.attach(application)
    application.router.add_get("/healthz", _healthz)
    application.router.add_get("/metrics", _metrics)
    # The listener starts with the first connection otherwise; a server nobody has reached yet
    # should already be subscribed (and show on Redis as such).
    application.on_startup.append(lambda _app: _start_listening(server))
    return server, application


async def _start_listening(server: socketio.AsyncServer) -> None:
    if not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


async def _healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _metrics(_request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(REGISTRY), content_type="text/plain")
