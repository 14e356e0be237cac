"""The topology test starts what docker-compose.yml and the Dockerfile describe: the commands
and settings it reads from them are the ones these files ship (docs/operations.md)."""

from __future__ import annotations

import pytest

from tests.topology import shape

pytestmark = pytest.mark.topology


def test_the_test_starts_what_the_compose_file_and_the_dockerfile_describe():
    services = shape.compose()["services"]
    assert shape.service_command("app") == ["gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
    assert "command" not in services["app"], "the app runs the image's CMD"
    assert shape.service_command("migrate") == ["ioc", "db", "upgrade"]
    assert shape.service_command("worker") == ["ioc", "worker"]
    assert shape.service_command("redis")[0] == "redis-server"
    env = shape.app_environment(
        {"IOC_DB_PASSWORD": "p", "IOC_SECRET_KEY": "k", "IOC_FIREBASE_PROJECT_ID": "f"}
    )
    # The test replaces only the settings that name places; the rest run as shipped.
    assert set(env) >= shape.PLACES
    assert env["IOC_ENV"] == "production"
    assert env["IOC_TRUSTED_PROXIES"] == "1"
    assert env["IOC_PUBLISH_EVENTS"] == "false"
    for name in ("migrate", "app", "worker"):
        assert services[name]["environment"] == shape.compose()["x-ioc-env"]
    volumes = " ".join(services["nginx"]["volumes"])
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf" in volumes
    assert "./deploy/tls:/etc/nginx/tls" in volumes
