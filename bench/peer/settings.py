"""Settings of the benchmark peer (6aika/issue-reporting, a Django + DRF GeoReport v2 server),
laid over its own: production-like (DEBUG off, persistent database connections, no throttling)
on a PostGIS database of the local server."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-peer-not-a-secret-0123456789abcdefghijklmnop")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/peer")

from cfh.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
DATABASES = {
    "default": {
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": os.environ.get("PEER_DATABASE", "peer"),
        "USER": os.environ.get("PEER_DATABASE_USER", "postgres"),
        "PASSWORD": "",
        "HOST": os.environ.get("PEER_DATABASE_HOST", "127.0.0.1"),
        "PORT": "5432",
        # Persistent connections, as IOC's pool keeps them.
        "CONN_MAX_AGE": 600,
    }
}
REST_FRAMEWORK = dict(REST_FRAMEWORK)  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {}
# Django 3.2's implicit default, said out loud: silences models.W042, changes no table.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
