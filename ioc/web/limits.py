"""Abuse limits (Flask-Limiter): per citizen and per IP address.

Counters live in Redis in production (``IOC_REDIS_URL``) and in memory in the embedded mode.
If Redis is unreachable the limiter falls back to memory instead of failing the request: a
citizen's report matters more than a perfectly shared counter.
"""

from __future__ import annotations

import base64
import hashlib
import json

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ioc.config import Settings

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)

#: Report submissions per citizen and per IP address.
SUBMIT_PER_CITIZEN = "10 per minute;60 per hour"
SUBMIT_PER_IP = "30 per minute;300 per hour"


def init_app(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    limiter.init_app(app)


def citizen_key() -> str:
    """The citizen's uid as the token claims it, before verification.

    The limit is checked before the token is verified (that is the point of a limit), so a
    forged uid could only pick another bucket; the per-IP limit still applies to it.
    """
    header = request.headers.get("Authorization", "")
    token = header.split(" ", 1)[1] if " " in header else ""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        uid = claims.get("user_id") or claims.get("sub")
    except (IndexError, ValueError, AttributeError):
        uid = None
    return f"citizen:{uid}" if isinstance(uid, str) and uid else f"ip:{get_remote_address()}"


#: Open311 report submissions per integrating system (API key): a provincial platform
#: forwards many citizens' reports, so more than one citizen, but still bounded.
OPEN311_SUBMIT_PER_KEY = "60 per minute;2000 per hour"


def api_key_bucket() -> str:
    """The Open311 ``api_key`` of the form, hashed (the key itself never reaches Redis);
    requests without one share their IP address's bucket."""
    key = request.form.get("api_key", "")
    if not key:
        return f"ip:{get_remote_address()}"
    return "api_key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
