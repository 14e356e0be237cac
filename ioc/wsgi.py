"""The WSGI entry point for gunicorn: ``gunicorn -c gunicorn.conf.py ioc.wsgi:app``.

Under the gevent worker, gunicorn patches the standard library before this module is
imported; nothing here patches anything itself.
"""

from ioc.app import create_app

app = create_app()
