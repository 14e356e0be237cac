"""Abuse limits (Flask-Limiter): per client address, per verified caller and per account.

A caller's bucket is the identity the app has *verified* for this request (the citizen behind
a checked Firebase token, the staff account behind a live session, the integrating system
behind an active Open311 key), remembered by the blueprint's sign-in check before the view
runs; a request with no verified caller counts against its address. Nothing read from an
unchecked token picks a bucket, so nobody can spend another person's quota.

The address is the client's as :mod:`ioc.web.proxies` establishes it (``IOC_TRUSTED_PROXIES``):
behind nginx without it every client would share nginx's address and one bucket.

Counters live in Redis in production (``IOC_REDIS_URL``) and in memory in the embedded mode.
If Redis is unreachable the limiter falls back to memory instead of failing the request: a
citizen's report matters more than a perfectly shared counter.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_limiter import Limiter

from ioc.config import Settings


def client_address() -> str:
    """The client's address (the proxy's answer when proxies are trusted)."""
    return request.remote_addr or "unknown"


limiter = Limiter(key_func=client_address, headers_enabled=True)

#: Report submissions per citizen and per address.
SUBMIT_PER_CITIZEN = "10 per minute;60 per hour"
SUBMIT_PER_IP = "30 per minute;300 per hour"
#: Comments a citizen adds to their reports.
COMMENTS_PER_CITIZEN = "10 per minute;100 per day"
#: "Me too" supports a citizen gives.
SUPPORT_PER_CITIZEN = "30 per minute;300 per day"
#: Push device registrations per citizen or staff account (a phone registers once, then
#: again only when its token rotates).
DEVICES_PER_CALLER = "10 per hour;30 per day"
#: Sign-in attempts from one address, right or wrong.
LOGIN_PER_ADDRESS = "10 per minute;100 per hour"
#: Failed sign-ins for one username, from any address: each tier makes the next attempts wait
#: longer (a minute, a quarter of an hour, two hours), so guessing a password takes years
#: while the owner, once the window has passed, signs in as usual.
LOGIN_FAILURES_PER_ACCOUNT = "5 per minute;10 per 15 minutes;30 per 2 hours"

_CALLER = "ioc_rate_caller"
#: ``app.config`` key: the Open311 submissions allowed per API key (IOC_OPEN311_SUBMIT_LIMIT).
_OPEN311_SUBMIT_LIMIT = "IOC_OPEN311_SUBMIT_LIMIT"


def init_app(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    app.config["RATELIMIT_SWALLOW_ERRORS"] = True
    app.config["RATELIMIT_ENABLED"] = settings.rate_limits_enabled
    app.config[_OPEN311_SUBMIT_LIMIT] = settings.open311_submit_limit
    limiter.init_app(app)


def open311_submit_per_key() -> str:
    """Open311 report submissions per integrating system (API key): a provincial platform
    forwards many citizens' reports, so more than one citizen, but still bounded; the
    deployment sets how many (``IOC_OPEN311_SUBMIT_LIMIT``)."""
    return str(current_app.config[_OPEN311_SUBMIT_LIMIT])


def remember_caller(kind: str, identity: str | int) -> None:
    """Note who this request proved to be (call only after verifying them)."""
    setattr(g, _CALLER, f"{kind}:{identity}")


def caller_key() -> str:
    """The verified caller's bucket, or the address's for a request that proved nobody."""
    caller = g.get(_CALLER)
    return caller if isinstance(caller, str) else f"ip:{client_address()}"


def login_account_key() -> str:
    """The username a sign-in is attempted for (hashed, so no name reaches Redis); a body
    without one counts against the address, and is refused by validation anyway."""
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    if not isinstance(username, str) or not username:
        return f"ip:{client_address()}"
    return "login:" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest()[:32]


def failed_sign_in(response: Response) -> bool:
    """Only wrong credentials count towards an account's lockout."""
    return response.status_code == 401
