"""What ``/healthz`` reports about the database."""

from __future__ import annotations

import logging
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ioc.migrate import head_revision

log = logging.getLogger(__name__)


def database_health(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    """Reachable, and migrated to the newest schema? Never raises."""
    try:
        with session_factory() as session:
            connection = session.connection()
            backend = connection.dialect.name
            connection.execute(text("SELECT 1"))
            schema = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc)
        return {"ok": False, "reachable": False, "error": type(exc).__name__}
    expected = head_revision()
    return {
        "ok": schema == expected,
        "backend": backend,
        "reachable": True,
        "schema": schema,
        "schema_expected": expected,
    }
