"""One-time set-password links: a new staff member (or one whose password was reset) follows
the link and chooses their own password, so no password is ever written down or sent.

The token is random and stored only as its sha256; the link works once, for seven days, and
issuing a new link for a user retires the ones still pending.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.feedback.models import PasswordSetup, StaffSession, User
from ioc.feedback.people import audit
from ioc.feedback.people.accounts import check_password_rule, hash_password

LINK_LIFETIME = timedelta(days=7)
#: The page that takes the token (``ioc/web/pages.py``); adapters prefix the site's address.
SET_PASSWORD_PATH = "/set-password"


def issue_password_link(session: Session, *, user: User, at: datetime) -> tuple[str, datetime]:
    """A new one-time link for ``user``: ``(path, expires_at)``, the path being
    ``/set-password?token=…`` (the caller prefixes the site's address). Links still pending
    for the user stop working. Never commits; the token itself is not stored.
    """
    session.execute(
        update(PasswordSetup)
        .where(PasswordSetup.user_id == user.id, PasswordSetup.used_at.is_(None))
        .values(used_at=at)
    )
    token = secrets.token_urlsafe(32)
    expires_at = at + LINK_LIFETIME
    session.add(
        PasswordSetup(
            user_id=user.id, token_hash=_digest(token), created_at=at, expires_at=expires_at
        )
    )
    session.flush()
    return password_link_path(token), expires_at


def password_link_path(token: str) -> str:
    return f"{SET_PASSWORD_PATH}?{urlencode({'token': token})}"


def set_password(session: Session, *, token: str, password: str, at: datetime) -> User:
    """Use a link: the account gets ``password`` and the link is spent.

    Raises:
        InvalidInput: an unknown, used or expired link (one answer for all three), a
            disabled account, or a password that breaks the rule (``details.fields.password``).
    """
    record = session.scalar(
        select(PasswordSetup).where(PasswordSetup.token_hash == _digest(token)).with_for_update()
    )
    if (
        record is None
        or record.used_at is not None
        or record.expires_at <= at
        or not record.user.is_active
    ):
        raise InvalidInput(
            "this set-password link is not valid any more; ask an administrator for a new one",
            details={"fields": {"token": "unknown, used or expired"}},
        )
    check_password_rule(password)
    user = record.user
    user.password_hash = hash_password(password)
    record.used_at = at
    # Whoever held the account before the link was issued must not stay signed in.
    end_sessions(session, user=user, at=at)
    audit.record(
        session,
        actor_id=user.id,
        action="set_password",
        target_type="user",
        target_ref=user.username,
        after={"password_set": True},
    )
    session.flush()
    return user


def end_sessions(session: Session, *, user: User, at: datetime) -> int:
    """End every open session of ``user`` now; the number ended."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=at)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
