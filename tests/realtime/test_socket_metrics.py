"""Connected screens are counted per namespace; refused connections are not."""

from __future__ import annotations

from ioc.realtime import socketio
from tests.metrics_scrape import value


def _connected(app, namespace: str) -> float:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return value(text, "ioc_websocket_connections", namespace=namespace) or 0.0


def test_a_screen_is_counted_while_it_is_connected(app):
    before = _connected(app, "/public")

    screen = socketio.test_client(app, namespace="/public")
    assert screen.is_connected(namespace="/public")
    during = _connected(app, "/public")
    screen.disconnect(namespace="/public")

    assert during == before + 1
    assert _connected(app, "/public") == before


def test_a_refused_screen_is_not_counted(app):
    before = _connected(app, "/ops")

    stranger = socketio.test_client(app, namespace="/ops", auth={"token": "nope"})

    assert not stranger.is_connected(namespace="/ops")
    assert _connected(app, "/ops") == before
