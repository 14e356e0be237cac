"""Staff sign-in: a random bearer token per session, stored only as a hash, ended on logout.

Server-side sessions (rather than self-contained signed tokens) make logout and disabling an
account take effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import Unauthenticated
from ioc.feedback.models import StaffSession, User
from ioc.feedback.people import audit
from ioc.feedback.people.accounts import password_matches
from ioc.feedback.states import Role

SESSION_LIFETIME = timedelta(hours=12)  # one operations-centre shift and a half

# Verifying against a dummy hash when the username is unknown makes both failures take the
# same time, so response times do not reveal which usernames exist.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$MN+8GSJE6BGdbiVclGNi8Q$"
    "8WQmbKXB6PX3tHywWfkC/7aPv2KDkIEG2A0WNSPbvmI"
)


@dataclass(frozen=True)
class SignIn:
    user: User
    token: str
    csrf_token: str
    expires_at: datetime


def sign_in(session: Session, *, username: str, password: str) -> SignIn:
    """Check a staff member's password and open a session.

    Raises:
        Unauthenticated: unknown user, wrong password, a citizen account or a disabled one
            (one message for all, so it reveals nothing).
    """
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    matches = password_matches(stored, password)
    if user is None or not matches or not user.is_active or user.role == Role.CITIZEN:
        raise Unauthenticated("wrong username or password")
    token = secrets.token_urlsafe(32)
    record = StaffSession(
        user_id=user.id,
        token_hash=_digest(token),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + SESSION_LIFETIME,
    )
    session.add(record)
    audit.record(
        session, actor_id=user.id, action="sign_in", target_type="session", target_ref=None
    )
    session.flush()
    return SignIn(user, token, record.csrf_token, record.expires_at)


def find_session(session: Session, *, token: str) -> StaffSession | None:
    """The live session behind ``token``: not ended, not expired, its account still active."""
    record = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if record is None or record.ended_at is not None or record.expires_at <= utcnow():
        return None
    if not record.user.is_active:
        return None
    return record


def sign_out(session: Session, *, token_hash: str) -> None:
    """End the session; signing out twice is harmless."""
    record = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash))
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        audit.record(
            session,
            actor_id=record.user_id,
            action="sign_out",
            target_type="session",
            target_ref=None,
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
