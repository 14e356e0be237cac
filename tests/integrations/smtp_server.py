"""A real SMTP server on a free loopback port (aiosmtpd): keeps what it accepts, refuses as told."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any, cast

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A loopback port nobody listens on (for a server that refuses connections, too)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(  # noqa: N802 (the name aiosmtpd calls)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        refusal = self._server.refuse_recipients
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        message = cast(EmailMessage, message_from_bytes(envelope.content, policy=default))
        with self._server.lock:
            self._server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Accepts every message (``messages``) unless ``refuse_recipients`` holds a reply to give
    each RCPT, e.g. ``"550 5.1.1 no such mailbox"``."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse_recipients = ""
        self.lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
