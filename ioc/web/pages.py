"""The web pages: one Jinja shell per Vite entry, and the built files they load.

Adding a page is one line in ``PAGES`` plus ``frontend/src/pages/<entry>/main.js``. The shell
(``templates/page.html``) gets the entry's script and style tags from Vite's manifest and a JSON
blob of boot settings (the signed-in user, the optional online map style, the time zone, and the
domain's vocabulary: statuses, their named groups and the tiers, so the pages never type them
again). Staff pages send visitors who are not signed in to ``/login?next=...``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory
from flask import Response as FlaskResponse
from werkzeug.exceptions import NotFound as HttpNotFound

from ioc.config import Environment
from ioc.errors import Unauthenticated
from ioc.extensions import services
from ioc.feedback.models import User
from ioc.feedback.states import ADMINS, AGENCY_STAFF, IOC_STAFF, OPS_READERS, vocabulary
from ioc.identity import demo_sign_in_enabled
from ioc.province.channels import province_contacts
from ioc.province.pack import DATATYPES, LIST_DATATYPES
from ioc.web.auth import current_staff_session
from ioc.web.homes import home_for
from ioc.web.openapi import FRONTEND_DIST

bp = Blueprint("pages", __name__)

#: Vite writes hashed file names, so a year of caching is safe: a new build has new names.
HASHED_MAX_AGE = 365 * 24 * 3600
BUILD_HINT = "bash scripts/build_frontend.sh"


@dataclass(frozen=True)
class Page:
    url: str
    entry: str  # frontend/src/pages/<entry>/main.js
    title: str  # Vietnamese; the page switches it with the language
    roles: frozenset[str] | None = None  # None: anyone, no sign-in
    manifest: str | None = None  # a web app manifest: the page installs as an app


PAGES = (
    Page("/login", "login", "Đăng nhập"),
    Page("/set-password", "setpassword", "Đặt mật khẩu"),
    Page("/ops", "ops", "Bản đồ điều hành", OPS_READERS),
    Page("/ops/triage", "triage", "Tiếp nhận phản ánh", OPS_READERS),
    Page("/ops/analytics", "analytics", "Phân tích số liệu", OPS_READERS),
    Page("/agency", "agency", "Cơ quan xử lý", AGENCY_STAFF),
    Page("/report", "report", "Gửi phản ánh", manifest="/report.webmanifest"),
    Page("/public", "public", "Kết quả xử lý phản ánh"),
    Page("/admin", "admin", "Quản trị cấu hình", ADMINS),
)


def _show(page: Page) -> Any:
    with services().unit_of_work() as session:
        user = _signed_in_user(session)
        if page.roles is not None:
            if user is None:
                return redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}))
            if user.role not in page.roles:
                return _message(
                    403, "Trang này không dành cho vai trò của bạn.", home_for(user.role)
                )
        boot = _boot(user)
        # How citizens reach the province besides the app (the pack's [channels]).
        boot["channels"] = province_contacts(session).as_dict()
    assets = _manifest_assets(page.entry)
    if assets is None:
        return _message(
            503, f"Giao diện web chưa được dựng. Hãy chạy: {BUILD_HINT}", None, hint=BUILD_HINT
        )
    return render_template("page.html", page=page, assets=assets, boot=boot)


def _signed_in_user(session: Any) -> User | None:
    try:
        return current_staff_session(session).user
    except Unauthenticated:
        return None


def _boot(user: User | None) -> dict[str, Any]:
    settings = services().settings
    return {
        "timezone": settings.timezone,
        "map_style_url": settings.map_style_url or None,
        # Statuses (with their Vietnamese names), named groups and tiers: declared once in
        # ioc.feedback.states, read by frontend/src/lib/statuses.js.
        "vocabulary": {
            **vocabulary(),
            # The admin console's attribute editor offers these, as the pack's checks know them.
            "attribute_datatypes": list(DATATYPES),
            "list_datatypes": list(LIST_DATATYPES),
        },
        # How the citizen page signs in: Firebase when configured, else the demo citizen.
        "citizen_sign_in": {
            "firebase": settings.firebase_sign_in,
            "demo": demo_sign_in_enabled(is_production=settings.env is Environment.PRODUCTION),
        },
        # How the citizen page registers for push: FCM web push when configured; the token
        # source replaces Firebase's token service in development and tests only.
        "citizen_push": {
            "firebase": settings.firebase_messaging,
            "token_source": settings.web_push_token_source or None,
        },
        "user": None
        if user is None
        else {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            # Acts on the IOC's side (viewers only read): pages offer its decisions.
            "is_ioc_staff": user.role in IOC_STAFF,
            "agency": user.agency.code if user.agency else None,
            "home": home_for(user.role),
        },
    }


def _message(status: int, text: str, link: str | None, *, hint: str | None = None) -> Any:
    body = render_template("page_message.html", status=status, text=text, link=link, hint=hint)
    return FlaskResponse(body, status=status, mimetype="text/html")


def _dist() -> Path:
    return Path(current_app.config.get("IOC_FRONTEND_DIST", FRONTEND_DIST))


_manifest_cache: dict[Path, tuple[float, dict[str, Any]]] = {}


def _manifest() -> dict[str, Any] | None:
    """Vite's manifest, re-read when a rebuild replaced it."""
    path = _dist() / ".vite" / "manifest.json"
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        return None
    cached = _manifest_cache.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, json.loads(path.read_text(encoding="utf-8")))
        _manifest_cache[path] = cached
    return cached[1]


def page_assets(entry: str) -> dict[str, list[str]] | None:
    """The built files of a page (script, preloaded chunks, styles), or None before a build."""
    return _manifest_assets(entry)


def _manifest_assets(entry: str) -> dict[str, list[str]] | None:
    """The entry's script, the chunks it imports (preloaded) and every stylesheet they need."""
    manifest = _manifest()
    if not manifest:
        return None
    key = f"src/pages/{entry}/main.js"
    chunk = manifest.get(key)
    if not chunk:
        return None
    styles: list[str] = []
    preloads: list[str] = []
    seen: set[str] = set()

    def visit(key: str, item: dict[str, Any]) -> None:
        if key in seen:
            return
        seen.add(key)
        # Shared chunks' styles first, so a page's own rules win over the base theme.
        for imported in item.get("imports", []):
            preloads.append(manifest[imported]["file"])
            visit(imported, manifest[imported])
        styles.extend(css for css in item.get("css", []) if css not in styles)

    visit(key, chunk)
    return {"script": [chunk["file"]], "preload": preloads, "css": styles}


@bp.get("/assets/app/<path:filename>")
def hashed_asset(filename: str) -> Any:
    """The built pages' files (hashed names: cached for a year)."""
    folder = _dist() / "app"
    if not folder.is_dir():
        raise HttpNotFound(f"front-end assets are not built: run {BUILD_HINT}")
    response = send_from_directory(folder, filename, max_age=HASHED_MAX_AGE)
    response.headers["Cache-Control"] = f"public, max-age={HASHED_MAX_AGE}, immutable"
    return response


_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#d62828"/></svg>'
)


@bp.get("/favicon.ico")
def favicon() -> FlaskResponse:
    """Browsers ask for it on every page; an answer keeps their consoles free of 404s."""
    response = FlaskResponse(_ICON, mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


def _register(page: Page) -> None:
    bp.add_url_rule(page.url, endpoint=page.entry, view_func=lambda: _show(page))


for _page in PAGES:
    _register(_page)
