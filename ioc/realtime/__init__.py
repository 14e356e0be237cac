"""Realtime delivery to browsers over Socket.IO.

The server object is created unbound and wired by ``create_app``; the async mode is always
pinned so an installed-but-unwanted async library is never picked by accident.
"""

from typing import Final

from flask_socketio import SocketIO

socketio = SocketIO()

#: The gunicorn gevent worker in production, plain threads everywhere else.
ASYNC_MODE_PRODUCTION: Final = "gevent"
ASYNC_MODE_EMBEDDED: Final = "threading"

# Handlers register on import, so every app built afterwards has them.
from ioc.realtime import namespaces as _namespaces  # noqa: E402, F401
