"""A screen that connects while the database cannot answer is refused (the pages retry such a
refusal after a pause), not left waiting for an answer that never comes."""

from __future__ import annotations

from ioc.app import create_app
from ioc.realtime import socketio
from tests.topology.live_rig import free_port


def test_a_screen_is_refused_when_the_database_cannot_answer(tmp_path):
    nobody_listens = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/ioc"
    app = create_app(
        {
            "env": "test",
            "database_url": nobody_listens,
            "media_dir": tmp_path / "media",
            "area_index_check_seconds": 0,
        }
    )
    try:
        screen = socketio.test_client(app, namespace="/ops", auth={"token": "any"})

        assert not screen.is_connected(namespace="/ops")
    finally:
        app.extensions["ioc"].engine.dispose()
