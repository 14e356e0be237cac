"""The starting point every bench shares: an empty database with the demo province loaded."""

from __future__ import annotations

from sqlalchemy import Engine, text

from ioc.db import make_engine, make_session_factory, unit_of_work
from ioc.demo.seed import seed_demo
from ioc.migrate import upgrade


def fresh_demo_database(url: str) -> Engine:
    """Migrate ``url`` from empty and load the demo province; a PostgreSQL database's public
    schema is wiped first, so give it a scratch database."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        seed_demo(session)
    return engine
