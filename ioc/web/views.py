"""The home page and ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, render_template

from ioc.extensions import services
from ioc.web.health import database_health
from ioc.web.overview import overview

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, object], int]:
    health = database_health(services().session_factory)
    return {"status": "ok" if health["ok"] else "error", "database": health}, (
        200 if health["ok"] else 503
    )


@bp.get("/")
def home() -> str:
    with services().unit_of_work() as session:
        return render_template("home.html", overview=overview(session))
