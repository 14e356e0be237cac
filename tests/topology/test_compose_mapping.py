"""The topology test starts what docker-compose.yml and the Dockerfile describe: the commands
and settings it reads from them are the ones these files ship (docs/operations.md)."""

from __future__ import annotations

import re

import pytest

from ioc.config import Settings
from tests.topology import shape

pytestmark = pytest.mark.topology


def test_the_test_starts_what_the_compose_file_and_the_dockerfile_describe():
    services = shape.compose()["services"]
    assert shape.service_command("app") == ["gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
    assert "command" not in services["app"], "the app runs the image's CMD"
    assert shape.service_command("migrate") == ["ioc", "db", "upgrade"]
    assert shape.service_command("worker") == ["ioc", "worker"]
    assert shape.service_command("live") == ["ioc", "live", "--host", "0.0.0.0"]
    assert shape.live_command(8001) == ["ioc", "live", "--host", "127.0.0.1", "--port", "8001"]
    assert services["live"]["restart"] == "unless-stopped", "a killed live process comes back"
    assert services["live"]["expose"] == [str(Settings.model_fields["live_port"].default)]
    assert shape.service_command("redis")[0] == "redis-server"
    env = shape.app_environment(
        {"IOC_DB_PASSWORD": "p", "IOC_SECRET_KEY": "k", "IOC_FIREBASE_PROJECT_ID": "f"}
    )
    # The test replaces only the settings that name places; the rest run as shipped.
    assert set(env) >= shape.PLACES
    assert env["IOC_ENV"] == "production"
    assert env["IOC_TRUSTED_PROXIES"] == "1"
    assert env["IOC_PUBLISH_EVENTS"] == "false"
    for name in ("migrate", "app", "worker", "live"):
        assert services[name]["environment"] == shape.compose()["x-ioc-env"]
    assert "live" in services["nginx"]["depends_on"]
    volumes = " ".join(services["nginx"]["volumes"])
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf" in volumes
    assert "./deploy/tls:/etc/nginx/tls" in volumes


def test_nginx_sends_the_screens_websockets_to_the_live_processes():
    conf = shape.NGINX_CONF.read_text()
    socket_io = re.search(r"location /socket\.io/ \{(.*?)\}", conf, re.DOTALL)
    assert socket_io, "deploy/nginx.conf routes /socket.io/"
    assert "proxy_pass http://ioc_live;" in socket_io.group(1)
    assert "proxy_set_header Upgrade $http_upgrade;" in socket_io.group(1)
    assert re.search(r"upstream ioc_live \{[^}]*server live:8001;", conf)
