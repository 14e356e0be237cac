"""Run the Alembic migrations from code (CLI, demo, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine


def migrations_dir() -> Path:
    """The ``migrations/`` folder beside the package (source checkout or the Docker image)."""
    here = Path(__file__).resolve().parent.parent / "migrations"
    if here.is_dir():
        return here
    fallback = Path.cwd() / "migrations"
    if fallback.is_dir():
        return fallback
    raise FileNotFoundError("cannot find the migrations/ folder next to the ioc package")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` to ``revision`` (the newest by default)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with (
        engine.connect() as connection,
        _sqlite_foreign_keys_off(connection),
        connection.begin(),
    ):
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    that drop would cascade-delete every row that refers to it. The pragma only takes effect
    outside a transaction, so it is set on the raw connection before Alembic begins one."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # an open connection holds its driver's connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(cfg).get_current_head()


# Objects the database has that the models do not declare: PostGIS's own table and the GiST
# index that the migration adds on PostgreSQL only.
_UNMANAGED = {("table", "spatial_ref_sys"), ("index", "ix_area_geom")}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: leave out what only PostGIS or the PostgreSQL branch creates."""
    return (type_, name) not in _UNMANAGED
