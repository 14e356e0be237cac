"""The application factory: a flat list of init_app calls and blueprint registrations."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from ioc import extensions
from ioc.config import Environment, load_settings
from ioc.errors import IocError
from ioc.feedback.states import ReportStatus
from ioc.realtime import ASYNC_MODE_EMBEDDED, ASYNC_MODE_PRODUCTION, socketio
from ioc.web.views import bp as web_bp

log = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build an app from ``IOC_*`` environment variables plus ``overrides`` (for tests).

    Raises:
        ioc.config.ConfigurationError: the settings are malformed or unsafe for production.
    """
    settings = load_settings(overrides)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key)
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # Vietnamese stays readable in responses
    extensions.init_app(app, settings)
    production = settings.env is Environment.PRODUCTION
    socketio.init_app(
        app,
        async_mode=ASYNC_MODE_PRODUCTION if production else ASYNC_MODE_EMBEDDED,
        message_queue=settings.redis_url,
    )
    app.register_blueprint(web_bp)
    app.add_template_filter(lambda status: ReportStatus(status).label_vi, "status_label")
    app.register_error_handler(IocError, _ioc_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def _ioc_error(error: IocError) -> tuple[dict[str, Any], int]:
    return {"error": error.to_dict()}, error.status


def _http_error(error: HTTPException) -> tuple[dict[str, Any], int]:
    code = (error.name or "error").lower().replace(" ", "_")
    return {"error": {"code": code, "message": error.description}}, error.code or 500
