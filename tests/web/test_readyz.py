"""``/readyz``: ready for traffic when the database is reachable and migrated and Redis (when
configured) answers; 503 with ``Retry-After`` otherwise. ``/healthz`` stays as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from ioc.app import create_app


def _app(database_url: str, **settings: object) -> Iterator[Flask]:
    app = create_app({"env": "test", "database_url": database_url, **settings})
    yield app
    app.extensions["ioc"].engine.dispose()


@pytest.fixture
def unmigrated_app(tmp_path) -> Iterator[Flask]:
    yield from _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


@pytest.fixture
def app_without_redis(app: Flask) -> Iterator[Flask]:
    for built in _app(
        app.extensions["ioc"].settings.database_url, redis_url="redis://127.0.0.1:1/0"
    ):
        built.extensions["ioc"].session_factory = app.extensions["ioc"].session_factory
        yield built


def test_ready_on_a_migrated_database_without_redis_configured(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json["status"] == "ready"
    assert response.json["redis"] == {"ok": True, "configured": False}
    assert "Retry-After" not in response.headers


def test_not_ready_on_an_unmigrated_database(unmigrated_app):
    response = unmigrated_app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["status"] == "not_ready"
    assert response.json["database"]["schema"] is None


def test_not_ready_when_the_configured_redis_is_unreachable(app_without_redis):
    response = app_without_redis.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json["database"]["ok"] is True
    assert response.json["redis"]["reachable"] is False
