"""Citizen principals, and Firebase ID-token verification behind a small interface.

Citizens sign in to the mobile app with Firebase Authentication and send the Firebase ID token
as ``Authorization: Bearer <token>``. Adapters depend on :class:`TokenVerifier`;
:class:`FirebaseTokenVerifier` is the firebase-admin implementation. For development and tests,
firebase-admin's documented emulator mode (``FIREBASE_AUTH_EMULATOR_HOST`` set) accepts unsigned
tokens such as those :func:`emulator_token` builds; production refuses to start with that
variable set (see :meth:`ioc.config.Settings.production_problems`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import firebase_admin
from firebase_admin import auth
from google.auth.credentials import AnonymousCredentials

from ioc.errors import NotFound, Unauthenticated

log = logging.getLogger(__name__)

ISSUER_PREFIX = "https://securetoken.google.com/"
# firebase-admin waits up to 120 s by default for Google's public keys; a stalled fetch should
# not hold a worker (and the citizen) that long.
_KEY_FETCH_TIMEOUT_SECONDS = 10
_MAX_UID_LENGTH = 128  # Firebase's own limit on ``sub``
_apps_lock = threading.Lock()


@dataclass(frozen=True)
class CitizenIdentity:
    """A citizen signed in with Firebase Authentication; ``uid`` is the Firebase user id."""

    uid: str
    name: str | None
    phone: str | None
    email: str | None


class TokenVerifier(Protocol):
    """Turns a bearer token into the identity it proves."""

    def verify(self, token: str) -> CitizenIdentity:
        """Return the identity ``token`` proves.

        Raises:
            Unauthenticated: the token is malformed, expired, revoked or for another project.
        """
        ...


class FirebaseTokenVerifier:
    """Verifies Firebase ID tokens of one Firebase project with firebase-admin.

    The firebase-admin app is created on first use (never at import time) under a name this
    class owns, ``ioc-<project_id>``, and shared by every verifier of that project.
    """

    def __init__(self, project_id: str, *, now: Callable[[], float] = time.time) -> None:
        """A verifier for ``project_id``; ``now`` gives the Unix time (replaceable in tests).

        Raises:
            ValueError: ``project_id`` is empty.
        """
        if not project_id:
            raise ValueError("a Firebase project id is required")
        self._project_id = project_id
        self._app_name = f"ioc-{project_id}"
        self._now = now
        self._app: firebase_admin.App | None = None

    def verify(self, token: str) -> CitizenIdentity:
        """Return the citizen a Firebase ID token proves.

        Raises:
            Unauthenticated: the token is malformed, unsigned outside emulator mode, expired
                (checked here too: emulator mode does not), revoked, for another project,
                without a subject, or Google's public keys could not be fetched.
        """
        app = self._firebase_app()
        # ``from None`` throughout: some firebase-admin messages quote the token, and a chained
        # exception ends up in tracebacks and logs.
        try:
            claims = auth.verify_id_token(token, app=app)
        except auth.ExpiredIdTokenError:
            raise Unauthenticated("token expired") from None
        except auth.RevokedIdTokenError:
            raise Unauthenticated("token revoked") from None
        except auth.InvalidIdTokenError as exc:
            log.info("refused a Firebase ID token (%s)", type(exc).__name__)
            raise Unauthenticated("invalid token") from None
        except auth.CertificateFetchError:
            log.warning("could not fetch Google's public keys to verify a Firebase ID token")
            raise Unauthenticated("token cannot be verified right now") from None
        except ValueError:
            raise Unauthenticated("invalid token") from None
        return self._identity(claims)

    def _identity(self, claims: Mapping[str, Any]) -> CitizenIdentity:
        exp = claims.get("exp")
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            raise Unauthenticated("token has no expiry")
        if exp <= self._now():
            raise Unauthenticated("token expired")
        uid = _text(claims, "uid") or _text(claims, "sub") or _text(claims, "user_id")
        if uid is None:
            raise Unauthenticated("token has no subject")
        return CitizenIdentity(
            uid=uid,
            name=_text(claims, "name"),
            phone=_text(claims, "phone_number"),
            email=_text(claims, "email"),
        )

    def _firebase_app(self) -> firebase_admin.App:
        if self._app is None:
            with _apps_lock:
                try:
                    self._app = firebase_admin.get_app(self._app_name)
                except ValueError:
                    # Anonymous credentials, not none: with none, firebase-admin builds its auth
                    # client with Application Default Credentials, probing the GCE metadata
                    # server over the network on first verify and failing off Google Cloud.
                    # Verifying ID tokens needs only Google's public keys, fetched unauthenticated.
                    self._app = firebase_admin.initialize_app(
                        # google-auth leaves this constructor unannotated.
                        AnonymousCredentials(),  # type: ignore[no-untyped-call]
                        options={
                            "projectId": self._project_id,
                            "httpTimeout": _KEY_FETCH_TIMEOUT_SECONDS,
                        },
                        name=self._app_name,
                    )
        return self._app


def _text(claims: Mapping[str, Any], key: str) -> str | None:
    value = claims.get(key)
    return value if isinstance(value, str) and value else None


def emulator_token(
    *,
    project_id: str,
    uid: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    lifetime_seconds: int = 3600,
    issued_at: float | None = None,
) -> str:
    """Build an unsigned Firebase Auth emulator ID token for a citizen.

    firebase-admin accepts such a token only while ``FIREBASE_AUTH_EMULATOR_HOST`` is set (any
    value; nothing needs to listen there), and production refuses to start with it set. For
    development and tests only.

    Raises:
        ValueError: ``project_id`` or ``uid`` is empty, ``uid`` is longer than 128 characters,
            or ``lifetime_seconds`` is not positive.
    """
    if not project_id:
        raise ValueError("a Firebase project id is required")
    if not uid or len(uid) > _MAX_UID_LENGTH:
        raise ValueError(f"uid must be 1 to {_MAX_UID_LENGTH} characters")
    if lifetime_seconds <= 0:
        raise ValueError("lifetime_seconds must be positive")
    iat = int(time.time() if issued_at is None else issued_at)
    payload: dict[str, Any] = {
        "iss": ISSUER_PREFIX + project_id,
        "aud": project_id,
        "auth_time": iat,
        "user_id": uid,
        "sub": uid,
        "iat": iat,
        "exp": iat + lifetime_seconds,
    }
    if name is not None:
        payload["name"] = name
    if phone is not None:
        payload["phone_number"] = phone
    if email is not None:
        payload["email"] = email
    payload["firebase"] = {
        "sign_in_provider": "phone" if phone else "anonymous",
        "identities": {},
    }
    return f"{_base64url({'alg': 'none', 'typ': 'JWT'})}.{_base64url(payload)}."


def _base64url(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def bearer_token(header_value: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value (scheme in any case).

    Raises:
        Unauthenticated: the value is absent, empty, of another scheme, or not one token.
    """
    parts = (header_value or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthenticated("missing bearer token")
    return parts[1]


#: Demo citizens' uids: one per browser that asked (the page keeps a random device id).
DEMO_CITIZEN_PREFIX = "demo-citizen-"
DEMO_CITIZEN_NAME = "Công dân demo"
_DEMO_TOKEN_SECONDS = 3600


@dataclass(frozen=True)
class DemoToken:
    token: str
    uid: str
    expires_in: int


def demo_sign_in_enabled(*, is_production: bool) -> bool:
    """Whether a demo citizen may be signed in without Firebase: only outside production and
    while firebase-admin runs in emulator mode, the only mode that accepts the unsigned token."""
    return not is_production and bool(os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"))


def demo_citizen_token(*, project_id: str, device: str, is_production: bool) -> DemoToken:
    """An emulator ID token for the demo citizen of one browser (``device``, a random id the
    page made), so the citizen page works in the demo with no Firebase project.

    Raises:
        NotFound: demo sign-in is not enabled here (production, or no emulator mode).
    """
    if not demo_sign_in_enabled(is_production=is_production):
        raise NotFound("no demo sign-in here")
    uid = DEMO_CITIZEN_PREFIX + device
    token = emulator_token(
        project_id=project_id,
        uid=uid,
        name=DEMO_CITIZEN_NAME,
        lifetime_seconds=_DEMO_TOKEN_SECONDS,
    )
    return DemoToken(token=token, uid=uid, expires_in=_DEMO_TOKEN_SECONDS)
