"""What ``/healthz`` reports about the database."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ioc.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


def database_health(engine: Engine) -> dict[str, Any]:
    """Reachable, and migrated to the newest schema? Never raises."""
    health: dict[str, Any] = {"backend": engine.dialect.name}
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        schema = current_revision(engine)
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable: %s", exc)
        return {**health, "ok": False, "reachable": False, "error": type(exc).__name__}
    expected = head_revision()
    return {
        **health,
        "ok": schema == expected,
        "reachable": True,
        "schema": schema,
        "schema_expected": expected,
    }
