"""The websocket transport's settings that Socket.IO's own options do not reach.

**No per-message compression.** Browsers (and Node's ``ws``) offer ``permessage-deflate`` and
simple-websocket always accepts it, so every message was deflated once per client with that
client's own compressor: under fan-out, a quarter of an app process's CPU went to zlib for
messages of a few hundred bytes (docs/realtime.md, "Costs"). Withholding the client's offer
from the handshake leaves the extension out; the protocol and clients are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

SOCKET_IO_PATH = "/socket.io/"
_OFFERED_EXTENSIONS = "HTTP_SEC_WEBSOCKET_EXTENSIONS"


def without_websocket_compression(app: WsgiApp) -> WsgiApp:
    """Wrap ``app`` so Socket.IO's websocket handshakes negotiate no extension."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(SOCKET_IO_PATH):
            environ.pop(_OFFERED_EXTENSIONS, None)
        return app(environ, start_response)

    return serve
