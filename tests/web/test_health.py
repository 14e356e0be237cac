"""``/healthz``: 200 when the database is reachable and migrated, 503 with a JSON body otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from ioc.app import create_app
from ioc.migrate import head_revision


def _app(database_url: str) -> Iterator[Flask]:
    app = create_app({"env": "test", "database_url": database_url})
    yield app
    app.extensions["ioc"].engine.dispose()


@pytest.fixture
def unmigrated_app(tmp_path) -> Iterator[Flask]:
    yield from _app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


@pytest.fixture
def unreachable_app() -> Iterator[Flask]:
    yield from _app("postgresql+psycopg://nobody@127.0.0.1:1/x")


def test_healthz_is_ok_on_a_migrated_database(client, engine):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json["status"] == "ok"
    database = response.json["database"]
    assert database["backend"] == engine.dialect.name
    assert database["reachable"] is True
    assert database["schema"] == database["schema_expected"] == head_revision()


def test_healthz_answers_503_when_the_database_is_not_migrated(unmigrated_app):
    response = unmigrated_app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.is_json
    assert response.json["status"] == "error"
    database = response.json["database"]
    assert database["reachable"] is True
    assert database["schema"] is None
    assert database["schema_expected"] == head_revision()


def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_app):
    response = unreachable_app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.is_json
    assert response.json["status"] == "error"
    assert response.json["database"]["reachable"] is False
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_url_answers_404_with_a_json_error(client):
    response = client.get("/khong-co-trang-nay")

    assert response.status_code == 404
    assert response.is_json
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


def test_wrong_method_answers_405_with_a_json_error(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
