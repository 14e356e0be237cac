"""Who is calling: the citizen behind the Firebase ID token, and the language they read."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from ioc.extensions import services
from ioc.feedback.citizens import ensure_citizen
from ioc.feedback.models import User
from ioc.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from ioc.identity import CitizenIdentity, bearer_token


def authenticate() -> CitizenIdentity:
    """Raises: Unauthenticated (401) for a missing, malformed, expired or foreign token."""
    return services().token_verifier.verify(bearer_token(request.headers.get("Authorization")))


def citizen_account(session: Session, identity: CitizenIdentity) -> User:
    """The citizen's account, created on first use from the token's claims."""
    return ensure_citizen(
        session, uid=identity.uid, name=identity.name, phone=identity.phone, email=identity.email
    )


def language() -> str:
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES, default=DEFAULT_LANGUAGE)
