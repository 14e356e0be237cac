"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py ioc.wsgi:app``.

Under the gevent worker, gunicorn patches the standard library before this module is
imported; nothing here patches anything itself.
"""

import logging

from ioc.app import create_app
from ioc.realtime import socketio
from ioc.realtime.publisher import start_publisher
from ioc.telemetry.logs import configure_logging

app = create_app()
configure_logging(fmt=app.extensions["ioc"].settings.log_format, level=logging.INFO)


def start_background_work() -> None:
    """Called by gunicorn in each worker once it runs (see gunicorn.conf.py)."""
    services = app.extensions["ioc"]
    if services.settings.publish_events:
        start_publisher(services.session_factory, socketio)
