"""The home page, ``/healthz`` and ``/readyz``."""

from __future__ import annotations

from flask import Blueprint, render_template

from ioc.extensions import services
from ioc.web.health import database_health, redis_health
from ioc.web.overview import overview

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, object], int]:
    health = database_health(services().session_factory)
    return {"status": "ok" if health["ok"] else "error", "database": health}, (
        200 if health["ok"] else 503
    )


#: How long a load balancer should wait before asking a process that is not ready again.
READY_RETRY_SECONDS = 5


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int, dict[str, str]]:
    """Whether this process should be sent traffic: the database is reachable and migrated to
    the code's schema, and Redis answers when one is configured."""
    app_services = services()
    database = database_health(app_services.session_factory)
    redis = redis_health(app_services.settings.redis_url)
    ready = bool(database["ok"] and redis["ok"])
    body: dict[str, object] = {
        "status": "ready" if ready else "not_ready",
        "database": database,
        "redis": redis,
    }
    if ready:
        return body, 200, {}
    return body, 503, {"Retry-After": str(READY_RETRY_SECONDS)}


@bp.get("/")
def home() -> str:
    with services().unit_of_work() as session:
        return render_template("home.html", overview=overview(session))
