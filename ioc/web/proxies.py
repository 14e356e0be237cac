"""The client's real address and scheme when the app runs behind proxies.

Behind nginx every request comes from nginx's address over plain HTTP; the proxy names the
client in ``X-Forwarded-For`` and the scheme in ``X-Forwarded-Proto``. Those headers are
believed for exactly ``IOC_TRUSTED_PROXIES`` hops and ignored otherwise: anyone can send them,
so trusting one hop too many lets a client choose the address its rate limits count against.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ioc.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    """Wrap the app (after Socket.IO's middleware, so websocket handshakes see the client too)."""
    hops = settings.trusted_proxies
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
