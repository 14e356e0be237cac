"""``ioc live``'s engine.io socket (:mod:`ioc.realtime.live_socket`): what its websocket writer
is handed, when it gives up on a silent connection, and a real engine.io client served by it."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import engineio
import pytest
from aiohttp import web
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet

from ioc.realtime.live_socket import LiveSocket, LiveSocketTable


def _socket(*, idle_limit: float = 60.0) -> LiveSocket:
    server = SimpleNamespace(
        ping_interval=idle_limit / 2, ping_timeout=idle_limit / 2, create_queue=asyncio.Queue
    )
    return LiveSocket(server, "sid")


def _message(text: str) -> eio_packet.Packet:
    return eio_packet.Packet(eio_packet.MESSAGE, text)


def test_the_writer_gets_every_queued_packet_at_once_in_order():
    async def scenario() -> list[str]:
        socket = _socket()
        for text in ("a", "b", "c"):
            socket.queue.put_nowait(_message(text))
        return [packet.data for packet in await socket.poll()]

    assert asyncio.run(scenario()) == ["a", "b", "c"]


def test_the_end_of_the_connection_comes_after_the_packets_queued_before_it():
    async def scenario() -> tuple[list[str], list[str]]:
        socket = _socket()
        socket.queue.put_nowait(_message("a"))
        socket.queue.put_nowait(_message("b"))
        socket.queue.put_nowait(None)  # what the reader puts when the client has gone
        first = [packet.data for packet in await socket.poll()]
        second = [packet.data for packet in await socket.poll()]
        return first, second

    assert asyncio.run(scenario()) == (["a", "b"], [])


def test_a_packet_queued_while_the_writer_waits_wakes_it():
    async def scenario() -> list[str]:
        socket = _socket()
        waiting = asyncio.ensure_future(socket.poll())
        await asyncio.sleep(0)
        socket.queue.put_nowait(_message("a"))
        return [packet.data for packet in await waiting]

    assert asyncio.run(scenario()) == ["a"]


def test_a_wait_with_nothing_to_send_ends_after_the_ping_interval_and_timeout():
    async def scenario() -> float:
        socket = _socket(idle_limit=0.2)
        started = time.monotonic()
        with pytest.raises(eio_exceptions.QueueEmpty):
            await socket.poll()
        return time.monotonic() - started

    assert 0.2 <= asyncio.run(scenario()) < 2.0


def test_the_idle_limit_counts_from_the_start_of_each_wait():
    async def scenario() -> list[str]:
        socket = _socket(idle_limit=0.3)

        async def produce() -> None:
            for n in range(5):  # 0.75 s in all: over twice the limit, never 0.3 s apart
                await asyncio.sleep(0.15)
                socket.queue.put_nowait(_message(str(n)))

        producer = asyncio.ensure_future(produce())
        received: list[str] = []
        while len(received) < 5:
            received += [packet.data for packet in await socket.poll()]
        await producer
        return received

    assert asyncio.run(scenario()) == ["0", "1", "2", "3", "4"]


def test_an_engineio_client_is_served_by_live_sockets_and_kept_by_its_pings():
    """Order and ping/pong through the real websocket; pings every second, a pong due within
    one: the client is still connected after more than the idle limit of two seconds."""

    async def scenario() -> tuple[list[type], list[str], bool]:
        server = engineio.AsyncServer(
            async_mode="aiohttp", transports=["websocket"], ping_interval=1, ping_timeout=1
        )
        server.sockets = LiveSocketTable()
        application = web.Application()
        server.attach(application)
        runner = web.AppRunner(application)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        client = engineio.AsyncClient()
        received: list[str] = []
        client.on("message", received.append)
        try:
            await client.connect(f"http://127.0.0.1:{port}", transports=["websocket"])
            [sid] = list(server.sockets)
            for n in range(50):
                await server.send(sid, str(n))
            await asyncio.sleep(2.5)
            return [type(s) for s in server.sockets.values()], received, client.state == "connected"
        finally:
            await client.disconnect()
            await runner.cleanup()

    kinds, received, connected = asyncio.run(scenario())
    assert kinds == [LiveSocket]
    assert received == [str(n) for n in range(50)]
    assert connected
