"""A local stand-in of the Zalo OA API: the customer-service message endpoint (JSON as Zalo
speaks it, ``error`` 0 on success) and the image URLs a user's photos are fetched from."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.integrations.local_server import LocalServer, QuietHandler

ACCESS_TOKEN = "oa-access-token"


class ZaloOaStandIn:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.photos: dict[str, bytes] = {}
        #: Zalo error codes to answer the next sends with (HTTP 200, ``error`` ≠ 0).
        self.failures: list[int] = []
        self._lock = threading.Lock()
        self._server: LocalServer | None = None

    def start(self) -> ZaloOaStandIn:
        self._server = LocalServer(_handler(self))
        return self

    def stop(self) -> None:
        assert self._server is not None
        self._server.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.base_url

    def photo_url(self, name: str, data: bytes) -> str:
        self.photos[name] = data
        return f"{self.url}/photos/{name}"

    def texts_to(self, user_id: str) -> list[str]:
        with self._lock:
            return [m["message"]["text"] for m in self.sent if m["recipient"]["user_id"] == user_id]


def _handler(standin: ZaloOaStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server protocol)
            name = self.path.removeprefix("/photos/")
            data = standin.photos.get(name)
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v3.0/oa/message/cs":
                self._answer({"error": -201, "message": "unknown endpoint"})
            elif self.headers.get("access_token") != ACCESS_TOKEN:
                self._answer({"error": -216, "message": "Access token is invalid"})
            else:
                with standin._lock:
                    failure = standin.failures.pop(0) if standin.failures else 0
                    if failure == 0:
                        standin.sent.append(body)
                if failure:
                    self._answer({"error": failure, "message": "refused"})
                else:
                    message_id = f"m{len(standin.sent)}"
                    self._answer(
                        {
                            "error": 0,
                            "message": "Success",
                            "data": {
                                "message_id": message_id,
                                "user_id": body["recipient"]["user_id"],
                            },
                        }
                    )

        def _answer(self, document: dict[str, Any]) -> None:
            raw = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler
