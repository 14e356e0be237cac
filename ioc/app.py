"""The application factory: a flat list of init_app calls and blueprint registrations."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

# Every mapped class, so foreign keys between packages resolve in a serving process too.
import ioc.models  # noqa: F401
from ioc import extensions
from ioc.admin.boundaries import bp as admin_boundaries_bp
from ioc.admin.catalogue_views import bp as admin_catalogue_bp
from ioc.admin.province import bp as admin_province_bp
from ioc.admin.staff import bp as admin_staff_bp
from ioc.admin.tools import bp as admin_tools_bp
from ioc.admin.views import bp as admin_bp
from ioc.agency.views import bp as agency_bp
from ioc.channels.zalo import bp as zalo_channel_bp
from ioc.config import Environment, load_settings
from ioc.feedback.states import ReportStatus
from ioc.open311.views import bp as open311_bp
from ioc.ops.analytics import bp as ops_analytics_bp
from ioc.ops.map_views import bp as ops_map_bp
from ioc.ops.views import bp as ops_bp
from ioc.public.map_views import bp as public_map_bp
from ioc.public.views import bp as public_bp
from ioc.realtime import ASYNC_MODE_EMBEDDED, ASYNC_MODE_PRODUCTION, socketio
from ioc.realtime.queue import reliable_manager
from ioc.realtime.transport import without_websocket_compression
from ioc.web import body_guard, errors, limits, observability, overload, proxies, text_guard
from ioc.web.auth import bp as auth_bp
from ioc.web.citizen_app import bp as citizen_app_bp
from ioc.web.ids import RowIdConverter
from ioc.web.json import IocJSONProvider
from ioc.web.media import bp as media_bp
from ioc.web.openapi import bp as openapi_bp
from ioc.web.pages import bp as pages_bp
from ioc.web.views import bp as web_bp
from mobile_api.views import bp as mobile_bp

log = logging.getLogger(__name__)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build an app from ``IOC_*`` environment variables plus ``overrides`` (for tests).

    Raises:
        ioc.config.ConfigurationError: the settings are malformed or unsafe for production.
    """
    settings = load_settings(overrides)
    app = Flask(__name__)
    app.json = IocJSONProvider(app)
    app.json.timezone = settings.tz
    # Before any route is added: every ``<int:…>`` in a URL fits the id columns.
    app.url_map.converters["int"] = RowIdConverter
    # Five 10 MB photos and the report itself; larger bodies are refused before parsing.
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=52 * 1024 * 1024)
    extensions.init_app(app, settings)
    production = settings.env is Environment.PRODUCTION
    # The Socket.IO object outlives apps (its handlers register at import); say explicitly
    # that there is no queue, or an earlier app's Redis manager would be kept. The Redis one
    # reports failed publishes and listens again soon after Redis returns (ioc.realtime.queue).
    manager = (
        reliable_manager(settings.redis_url, settings.redis_channel) if settings.redis_url else None
    )
    socketio.init_app(
        app,
        async_mode=ASYNC_MODE_PRODUCTION if production else ASYNC_MODE_EMBEDDED,
        client_manager=manager,
    )
    app.wsgi_app = without_websocket_compression(app.wsgi_app)  # type: ignore[method-assign,assignment]
    proxies.init_app(app, settings)
    observability.init_app(app, settings)
    overload.init_app(app, settings)  # refuses before the hooks below do any work
    limits.init_app(app, settings)
    errors.init_app(app)
    body_guard.init_app(app)  # before anything parses a body
    text_guard.init_app(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(observability.bp)
    app.register_blueprint(media_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(mobile_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(ops_map_bp)
    app.register_blueprint(ops_analytics_bp)
    app.register_blueprint(agency_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(admin_catalogue_bp)
    app.register_blueprint(admin_staff_bp)
    app.register_blueprint(admin_province_bp)
    app.register_blueprint(admin_tools_bp)
    app.register_blueprint(admin_boundaries_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(zalo_channel_bp)
    app.register_blueprint(public_map_bp)
    app.register_blueprint(citizen_app_bp)
    app.register_blueprint(pages_bp)
    app.add_template_filter(lambda status: ReportStatus(status).label_vi, "status_label")
    return app
