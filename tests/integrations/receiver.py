"""A local HTTP server receiving webhooks: records every request, answers as told."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from tests.integrations.local_server import LocalServer, QuietHandler


@dataclass(frozen=True)
class Received:
    delivery_id: int
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """Answers ``status`` (after ``delay`` seconds) to every POST and keeps what it got."""

    status: int = 204
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LocalServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"{self._server.base_url}/hooks/ioc"

    def ids(self) -> list[int]:
        with self._lock:
            return [r.delivery_id for r in self.received]

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server names it)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            int(self.headers["IOC-Webhook-Id"]),
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = LocalServer(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
