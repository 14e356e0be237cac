"""What makes ``/report`` an installable app, and how the demo signs its citizens in.

The web app manifest and the service worker are answered by Flask rather than built by Vite:
the worker must be served from the site's root to control ``/report``, and it lists the
page's hashed files, which only the build's manifest knows. The demo sign-in mints a Firebase
Auth emulator token for a demo citizen; it exists only where the emulator mode is on and never
in production (a 404 there, like any unknown path).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, send_from_directory
from flask import Response as FlaskResponse
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.config import Environment
from ioc.errors import NotFound
from ioc.extensions import services
from ioc.identity import demo_citizen_token, demo_sign_in_enabled
from ioc.web.openapi import api
from ioc.web.pages import page_assets
from ioc.web.validated import validated_body

bp = Blueprint("citizen_app", __name__)

ICONS = Path(__file__).parent / "static" / "pwa"
REPORT_URL = "/report"
THEME_COLOR = "#0b5cad"


@bp.get("/report.webmanifest")
def web_manifest() -> FlaskResponse:
    """The citizen page as an installable app (name, icons, start URL)."""
    manifest = {
        "name": "IOC – Phản ánh hiện trường",
        "short_name": "Phản ánh",
        "description": "Gửi phản ánh về đô thị kèm ảnh và vị trí, theo dõi kết quả xử lý.",
        "lang": "vi",
        "start_url": REPORT_URL,
        "scope": REPORT_URL,
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": "/report/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/report/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {
                "src": "/report/icons/icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = FlaskResponse(
        json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.cache_control.max_age = 3600
    return response


@bp.get("/report/icons/<name>")
def icon(name: str) -> FlaskResponse:
    return send_from_directory(ICONS, name, max_age=86400)


@bp.get("/report-sw.js")
def service_worker() -> FlaskResponse:
    """The service worker that keeps the page's shell (HTML, scripts, styles, icons) offline.
    Its cache name changes with every build, so a new build replaces the old shell."""
    assets = page_assets("report")
    files = [] if assets is None else [f"/assets/{f}" for group in assets.values() for f in group]
    # Cache.addAll refuses a list that names a file twice (a chunk can be script and preload).
    shell = list(
        dict.fromkeys([REPORT_URL, "/report.webmanifest", "/report/icons/icon-192.png", *files])
    )
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_template("report-sw.js", shell=shell, version=version)
    response = FlaskResponse(body, mimetype="text/javascript")
    # Browsers re-check the worker on navigation; it must never be served stale.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = REPORT_URL
    return response


class DemoSignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device: str = Field(
        pattern=r"^[a-z0-9]{12,64}$",
        description="A random id the page keeps for this browser: one demo citizen per device",
    )


class DemoSignInOut(BaseModel):
    token: str = Field(description="A Firebase Auth emulator ID token (unsigned)")
    uid: str
    expires_in: int = Field(description="Seconds the token stays valid")


class _ErrorOut(BaseModel):
    error: dict[str, Any]


def _only_with_demo_sign_in(view: Callable[[], Any]) -> Callable[[], Any]:
    """Refuse before the body is even read, so production shows no trace of the endpoint."""

    @wraps(view)
    def guarded() -> Any:
        settings = services().settings
        if not demo_sign_in_enabled(is_production=settings.env is Environment.PRODUCTION):
            raise NotFound("no demo sign-in here")
        return view()

    return guarded


@bp.post("/api/dev/v1/citizen-token")
@_only_with_demo_sign_in
@api.validate(
    json=DemoSignInIn,
    resp=Response(HTTP_200=DemoSignInOut, HTTP_404=_ErrorOut, HTTP_422=_ErrorOut),
    tags=["development"],
)
def demo_sign_in() -> dict[str, Any]:
    """Development and demo only: sign in as this browser's demo citizen. Answers 404 in
    production and whenever FIREBASE_AUTH_EMULATOR_HOST is not set."""
    settings = services().settings
    body = validated_body(DemoSignInIn)
    minted = demo_citizen_token(
        project_id=settings.firebase_project_id,
        device=body.device,
        is_production=settings.env is Environment.PRODUCTION,
    )
    return {"token": minted.token, "uid": minted.uid, "expires_in": minted.expires_in}
