"""Staff sign-in over HTTP: ``/api/auth`` login, logout, "who am I" and push devices.

A staff request proves itself with ``Authorization: Bearer <token>`` (scripts, other systems)
or with the session cookie set at login (browsers). Cookie requests that change anything must
also send the session's CSRF token in ``X-CSRF-Token``, so another site cannot act with the
cookie; bearer requests need none, since a browser never adds that header by itself.
"""

from __future__ import annotations

import hmac
from typing import Any, Literal

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, Field
from spectree import Response as Answers
from sqlalchemy.orm import Session

from ioc.config import Environment
from ioc.db import utcnow
from ioc.errors import Forbidden, InvalidInput, Unauthenticated
from ioc.extensions import services
from ioc.feedback.lifecycle import citizen_actions
from ioc.feedback.models import StaffSession
from ioc.feedback.people.accounts import MAX_PASSWORD_CHARS
from ioc.feedback.people.password_setup import set_password
from ioc.feedback.people.staff_sessions import find_session, sign_in, sign_out
from ioc.web.errors import REQUEST_ERRORS
from ioc.web.homes import home_for
from ioc.web.limits import (
    DEVICES_PER_CALLER,
    LOGIN_FAILURES_PER_ACCOUNT,
    LOGIN_PER_ADDRESS,
    caller_key,
    failed_sign_in,
    limiter,
    login_account_key,
    remember_caller,
)
from ioc.web.openapi import api
from ioc.web.validated import validated_body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")

SESSION_COOKIE = "ioc_session"
CSRF_COOKIE = "ioc_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TAGS = ["staff"]
STAFF: dict[str, list[str]] = {"staff": []}


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class SignedInStaffOut(BaseModel):
    username: str
    display_name: str | None
    role: str
    agency: dict[str, str] | None
    home: str  # the page this role starts on


class LoginOut(BaseModel):
    token: str
    token_type: str
    expires_at: str
    csrf_token: str
    user: SignedInStaffOut


class ErrorOut(BaseModel):
    error: dict[str, Any]


def current_staff_session(session: Session) -> StaffSession:
    """The staff session making this request.

    Raises:
        Unauthenticated: no token or cookie, or a session that ended or expired.
        Forbidden: a cookie request that changes something without the right CSRF token.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    from_cookie = False
    if scheme.lower() != "bearer" or not token.strip():
        token, from_cookie = request.cookies.get(SESSION_COOKIE, ""), True
    record = find_session(session, token=token.strip()) if token.strip() else None
    if record is None:
        raise Unauthenticated("please sign in")
    if from_cookie and request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), record.csrf_token.encode()):
            raise Forbidden("missing or wrong CSRF token")
    return record


#: The views of this blueprint anyone may call; the others need a staff session.
_OPEN_TO_ALL = frozenset({"auth.login", "auth.password_setup"})


@bp.before_request
def _admit_staff() -> None:
    """The signed-in routes check the session before the body is looked at (401, never a 422
    naming fields), and count the request against the staff account."""
    if request.method == "OPTIONS" or request.endpoint in _OPEN_TO_ALL:
        return
    with services().unit_of_work() as session:
        remember_caller("staff", current_staff_session(session).user_id)


@bp.post("/login")
@limiter.limit(LOGIN_PER_ADDRESS)
@limiter.limit(LOGIN_FAILURES_PER_ACCOUNT, key_func=login_account_key, deduct_when=failed_sign_in)
@api.validate(
    json=LoginIn,
    resp=Answers(HTTP_200=LoginOut, **REQUEST_ERRORS, HTTP_401=ErrorOut),
    tags=TAGS,
)
def login() -> Response:
    """Sign in with a username and password: a bearer token, and a session cookie.

    Limited per address, and per username for wrong passwords from any address: after a few
    failures that username waits (longer after more failures) before it may try again."""
    body = validated_body(LoginIn)
    with services().unit_of_work() as session:
        signed = sign_in(session, username=body.username, password=body.password)
        payload = {
            "token": signed.token,
            "token_type": "Bearer",
            "expires_at": signed.expires_at.isoformat(),
            "csrf_token": signed.csrf_token,
            "user": _staff(signed.user),
        }
    response = jsonify(payload)
    secure = services().settings.env is Environment.PRODUCTION
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        expires=signed.expires_at,
        httponly=True,
        secure=secure,
        samesite="Lax",
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token.
    response.set_cookie(
        CSRF_COOKIE, signed.csrf_token, expires=signed.expires_at, secure=secure, samesite="Lax"
    )
    return response


class PasswordSetupRefused(InvalidInput):
    """The contract answers a bad link or password with 400 (the page shows the reason)."""

    status = 400


class PasswordSetupIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_CHARS)


@bp.post("/password-setup")
@limiter.limit("10 per minute")
@api.validate(
    json=PasswordSetupIn,
    resp=Answers("HTTP_204", **REQUEST_ERRORS),
    tags=TAGS,
)
def password_setup() -> Response:
    """Choose a password with a one-time link (``/set-password?token=…``), then sign in.

    An unknown, used or expired link, or a password shorter than the rule, is a 400 naming
    ``token`` or ``password``.
    """
    body = validated_body(PasswordSetupIn)
    try:
        with services().unit_of_work() as session:
            set_password(session, token=body.token, password=body.password, at=utcnow())
    except InvalidInput as exc:
        raise PasswordSetupRefused(exc.message, details=exc.details) from exc
    return Response(status=204)


@bp.post("/logout")
@api.validate(
    resp=Answers("HTTP_204", **REQUEST_ERRORS, HTTP_401=ErrorOut, HTTP_403=ErrorOut),
    tags=TAGS,
    security=STAFF,
)
def logout() -> Response:
    """End the session (bearer token or cookie)."""
    with services().unit_of_work() as session:
        record = current_staff_session(session)
        sign_out(session, token_hash=record.token_hash)
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@bp.get("/me")
@api.validate(
    resp=Answers(HTTP_200=SignedInStaffOut, **REQUEST_ERRORS, HTTP_401=ErrorOut),
    tags=TAGS,
    security=STAFF,
)
def me() -> dict[str, Any]:
    """The signed-in staff member."""
    with services().unit_of_work() as session:
        return _staff(current_staff_session(session).user)


class StaffDeviceIn(BaseModel):
    token: str = Field(min_length=1, max_length=512, description="FCM registration token")
    platform: Literal["android", "ios", "web"] | None = None


class StaffDeviceOut(BaseModel):
    token: str
    platform: str | None
    locale: str


@bp.post("/devices")
@limiter.limit(DEVICES_PER_CALLER, key_func=caller_key)
@api.validate(
    json=StaffDeviceIn,
    resp=Answers(HTTP_201=StaffDeviceOut, **REQUEST_ERRORS, HTTP_401=ErrorOut, HTTP_403=ErrorOut),
    tags=TAGS,
    security=STAFF,
)
def register_device() -> tuple[dict[str, Any], int]:
    """Register a phone or browser of the signed-in staff member for push notifications (new
    assignments, drafts to approve, overdue supporting parts), in their language."""
    body = validated_body(StaffDeviceIn)
    with services().unit_of_work() as session:
        user = current_staff_session(session).user
        device = citizen_actions.register_device(
            session, user_id=user.id, token=body.token, platform=body.platform, locale=user.locale
        )
        return {"token": device.token, "platform": device.platform, "locale": device.locale}, 201


@bp.delete("/devices/<path:token>")
@api.validate(
    resp=Answers(
        "HTTP_204", **REQUEST_ERRORS, HTTP_401=ErrorOut, HTTP_403=ErrorOut, HTTP_404=ErrorOut
    ),
    tags=TAGS,
    security=STAFF,
)
def remove_device(token: str) -> Response:
    """Stop push notifications to this device of the signed-in staff member."""
    with services().unit_of_work() as session:
        user = current_staff_session(session).user
        citizen_actions.remove_device(session, user_id=user.id, token=token)
    return Response(status=204)


def _staff(user: Any) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "agency": (
            {"code": user.agency.code, "name": user.agency.name_vi} if user.agency else None
        ),
        "home": home_for(user.role),
    }
