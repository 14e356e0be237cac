"""engine.io's asyncio socket for ``ioc live``, reading its send queue without a task and a
timer per packet.

engine.io's websocket writer takes each packet with ``asyncio.wait_for(queue.get(), ping
interval + ping timeout)``: a task and a timer for every message to every screen, more of a
delivery's CPU than the socket write itself (docs/realtime.md, "Costs"). :class:`LiveSocket`
waits on the queue directly and watches for silence with one timer per socket, which fires at
most once per idle limit instead of once per packet. What the writer sees is unchanged: a
list of packets, ``[]`` when the connection is over, ``QueueEmpty`` after the idle limit (the
writer then closes the websocket, as before).
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from engineio import exceptions as eio_exceptions  # type: ignore[import-untyped]
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket  # type: ignore[import-untyped]

#: Put on the queue by the idle watch: the writer's wait is over (it was ``wait_for``'s timeout).
_IDLE: Final = eio_packet.Packet(eio_packet.NOOP)


class LiveSocket(AsyncSocket):  # type: ignore[misc]
    """An engine.io socket whose :meth:`poll` costs one wake-up per packet, not a task and a timer.

    Its state is engine.io's: it adds none that ``__init__`` would have to set (the class
    attributes below are the defaults), which is what lets :class:`LiveSocketTable` adopt the
    sockets engine.io creates.
    """

    #: When the current wait for a packet began (loop time); None while not waiting.
    _waiting_since: float | None = None
    _idle_watch: asyncio.TimerHandle | None = None

    async def poll(self) -> list[eio_packet.Packet]:
        queue: asyncio.Queue[eio_packet.Packet | None] = self.queue
        if queue.empty():
            loop = asyncio.get_running_loop()
            self._waiting_since = loop.time()
            if self._idle_watch is None:
                self._idle_watch = loop.call_at(
                    self._waiting_since + self._idle_limit(), self._check_idle
                )
            try:
                first = await queue.get()
            except asyncio.CancelledError:
                # As engine.io's poll: a cancelled wait ends the connection like a timeout.
                raise eio_exceptions.QueueEmpty() from None
            finally:
                self._waiting_since = None
        else:
            first = queue.get_nowait()
        queue.task_done()
        if first is None:
            return []
        if first is _IDLE:
            raise eio_exceptions.QueueEmpty()
        packets = [first]
        while not queue.empty():
            pkt = queue.get_nowait()
            queue.task_done()
            if pkt is None or pkt is _IDLE:
                queue.put_nowait(pkt)  # for the next poll, after these packets are sent
                break
            packets.append(pkt)
        return packets

    def _idle_limit(self) -> float:
        return float(self.server.ping_interval + self.server.ping_timeout)

    def _check_idle(self) -> None:
        self._idle_watch = None
        since = self._waiting_since
        if since is None:
            return  # busy writing: the next wait arms the watch again
        loop = asyncio.get_running_loop()
        deadline = since + self._idle_limit()
        if loop.time() >= deadline:
            self.queue.put_nowait(_IDLE)
        else:
            self._idle_watch = loop.call_at(deadline, self._check_idle)


class LiveSocketTable(dict[str, Any]):
    """engine.io's table of a server's sockets (``AsyncServer.sockets``), making each socket
    put in it a :class:`LiveSocket`.

    engine.io (4.x) builds ``async_socket.AsyncSocket`` inline in
    ``AsyncServer._handle_connect``, with no setting to name another class, and puts it in this
    table before it sends or receives anything. Adopting it here (LiveSocket only overrides
    methods) keeps the rest of engine.io's code as it is; copying ``_handle_connect`` would
    fork it. tests/realtime/test_live_socket.py fails if a new engine.io stops doing this.
    """

    def __setitem__(self, sid: str, socket: Any) -> None:
        if type(socket) is AsyncSocket:
            socket.__class__ = LiveSocket
        super().__setitem__(sid, socket)
