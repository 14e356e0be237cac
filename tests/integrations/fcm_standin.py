"""A local HTTP server speaking the FCM HTTP v1 send API, with replies tests choose.

firebase-admin's real client talks to it (through ``IOC_FCM_ENDPOINT`` / the sender's
``endpoint``), authenticated with a static access token, so tests check the requests
firebase-admin really makes and how the sender reads FCM's real error shapes.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import google.oauth2.credentials
from firebase_admin import credentials

from tests.integrations.local_server import LocalServer, QuietHandler

ACCESS_TOKEN = "standin-access-token"
_SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


class StaticTokenCredential(credentials.Base):
    """A firebase-admin credential holding a fixed access token (no Google sign-in)."""

    def get_credential(self) -> google.oauth2.credentials.Credentials:
        return google.oauth2.credentials.Credentials(token=ACCESS_TOKEN)


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]

    @classmethod
    def unregistered(cls) -> Reply:
        return _error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")

    @classmethod
    def quota_exceeded(cls) -> Reply:
        return _error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", "QUOTA_EXCEEDED")

    @classmethod
    def unavailable(cls) -> Reply:
        return _error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE")

    @classmethod
    def invalid_token(cls) -> Reply:
        return _error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
        )


def _error(status: int, code: str, message: str, fcm_code: str) -> Reply:
    return Reply(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "status": code,
                "details": [{"@type": _FCM_ERROR_TYPE, "errorCode": fcm_code}],
            }
        },
    )


@dataclass
class FcmStandIn:
    """The server's state: replies queued per token (then success), and every request seen."""

    project_id: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    _replies: dict[str, deque[Reply]] = field(default_factory=dict)
    _always: dict[str, Reply] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LocalServer | None = None
    _count: int = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.base_url

    def reply(self, token: str, *replies: Reply) -> None:
        """Answer the next requests for ``token`` with ``replies``, then with success."""
        with self._lock:
            self._replies.setdefault(token, deque()).extend(replies)

    def always(self, token: str, reply: Reply | None) -> None:
        """Answer every request for ``token`` with ``reply`` (None: back to normal)."""
        with self._lock:
            if reply is None:
                self._always.pop(token, None)
            else:
                self._always[token] = reply

    def messages_to(self, token: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r["body"]["message"] for r in self.requests if r["token"] == token]

    def _answer(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        match = _SEND_PATH.match(path)
        if match is None or match["project"] != self.project_id:
            return Reply(
                404, {"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}
            )
        if headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return Reply(
                401, {"error": {"code": 401, "message": "no", "status": "UNAUTHENTICATED"}}
            )
        token = body.get("message", {}).get("token", "")
        with self._lock:
            self.requests.append({"token": token, "headers": headers, "body": body})
            self._count += 1
            if token in self._always:
                return self._always[token]
            queued = self._replies.get(token)
            if queued:
                return queued.popleft()
            return Reply(200, {"name": f"projects/{self.project_id}/messages/{self._count}"})

    def web_token(self) -> str:
        """A token as the citizen page's test token source hands out (one per request)."""
        with self._lock:
            self._count += 1
            return f"web-standin-{self._count}"

    def start(self) -> FcmStandIn:
        standin = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server names it)
                # The citizen page's test token source (IOC_WEB_PUSH_TOKEN_SOURCE): stands in
                # for Firebase's token service, which only Google's servers provide.
                if not self.path.startswith("/web-token"):
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps({"token": standin.web_token()}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server names it)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = standin._answer(self.path, headers, body)
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = LocalServer(Handler)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
