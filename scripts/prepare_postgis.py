"""Make sure a PostgreSQL database exists with the PostGIS extension, for the test suite.

    python scripts/prepare_postgis.py postgresql+psycopg://postgres@127.0.0.1:5432/ioc_test

Exits 0 when the database is ready, 1 (with the reason on stderr) when it cannot be.
"""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


def prepare(url: str) -> None:
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()
    database = create_engine(target, isolation_level="AUTOCOMMIT")
    with database.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        version = connection.scalar(text("SELECT postgis_lib_version()"))
    database.dispose()
    print(f"PostGIS {version} ready in {target.render_as_string(hide_password=True)}")


if __name__ == "__main__":
    try:
        prepare(sys.argv[1])
    except SQLAlchemyError as exc:
        print(f"PostGIS not available: {str(exc).splitlines()[0]}", file=sys.stderr)
        sys.exit(1)
