"""Every answer carries a request id: the caller's when it is sane, a new one otherwise."""

from __future__ import annotations

import pytest


def test_a_sane_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a9c21-0001"})

    assert response.headers["X-Request-Id"] == "lb-7f3a9c21-0001"


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]

    assert len(first) == 32
    assert first != second


@pytest.mark.parametrize(
    "hostile",
    ["short", "x" * 65, "has space in it", "new\\nline-forged-field", '"quoted-id-value"'],
)
def test_an_insane_request_id_is_replaced(client, hostile):
    response = client.get("/healthz", headers={"X-Request-Id": hostile})

    echoed = response.headers["X-Request-Id"]
    assert echoed != hostile
    assert len(echoed) == 32


def test_errors_carry_the_request_id_too(client):
    response = client.get("/khong-co-trang-nay", headers={"X-Request-Id": "req-404-abcdef"})

    assert response.status_code == 404
    assert response.headers["X-Request-Id"] == "req-404-abcdef"
