"""What ``/healthz`` and ``/readyz`` report about the database and Redis."""

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


def redis_health(url: str | None) -> dict[str, Any]:
    """Answers a PING within a second (or is not configured)? Never raises."""
    if not url:
        return {"ok": True, "configured": False}
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        log.warning("readiness check: Redis unreachable: %s", exc)
        return {"ok": False, "configured": True, "reachable": False, "error": type(exc).__name__}
    finally:
        client.close()
    return {"ok": True, "configured": True, "reachable": True}
