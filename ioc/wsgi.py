"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py ioc.wsgi:app``.

Under the gevent worker, gunicorn patches the standard library before this module is
imported; nothing here patches anything itself.
"""

from ioc.app import create_app
from ioc.realtime import socketio
from ioc.realtime.publisher import start_publisher

app = create_app()


def start_background_work() -> None:
    """Called by gunicorn in each worker once it runs (see gunicorn.conf.py)."""
    services = app.extensions["ioc"]
    if services.settings.publish_events:
        start_publisher(services.session_factory, socketio)
