"""Writing a pack's staff accounts, and the one-time links new staff choose a password with."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, PasswordSetup, StaffSession, User
from ioc.feedback.people import audit
from ioc.province.changes import KindChanges, user_dict
from ioc.province.pack import Origin, PackRefused, Problem, ProvincePack, Severity

#: How long a set-password link works.
PASSWORD_LINK_DAYS = 7


@dataclass(frozen=True)
class PasswordLink:
    """A new account's set-password token (shown once; only its hash is stored)."""

    username: str
    token: str
    expires_at: datetime

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/set-password?token={self.token}"


def password_setup(session: Session, user: User, *, at: datetime) -> PasswordLink:
    """Add a one-time set-password link for ``user`` (never commits)."""
    token = secrets.token_urlsafe(32)
    expires_at = at + timedelta(days=PASSWORD_LINK_DAYS)
    session.add(
        PasswordSetup(
            user=user,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=at,
            expires_at=expires_at,
        )
    )
    return PasswordLink(username=user.username or "", token=token, expires_at=expires_at)


def apply_users(
    session: Session,
    pack: ProvincePack,
    changes: KindChanges,
    *,
    actor_id: int | None,
    at: datetime,
) -> list[PasswordLink]:
    """Create, change and disable staff accounts; a disabled account's sessions end at once.

    Raises:
        PackRefused: a user names an agency that does not exist.
    """
    if changes.is_empty:
        return []
    rows = {row.username: row for row in pack.users}
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    existing = {
        u.username: u for u in session.scalars(select(User).where(User.username.is_not(None)))
    }
    links = []
    for username in [*changes.added, *(c.key for c in changes.changed)]:
        row = rows[username]
        agency = None
        if row.agency_code:
            agency = agencies.get(row.agency_code)
            if agency is None:
                origin = row.origin.at("agency_code") if row.origin else Origin("users.csv")
                raise PackRefused(
                    [
                        Problem(
                            Severity.ERROR,
                            f"không có cơ quan mã {row.agency_code!r}",
                            f"no agency with code {row.agency_code!r}",
                            origin,
                        )
                    ]
                )
        user = existing.get(username)
        if user is None:
            user = existing[username] = User(username=username, created_at=at)
            session.add(user)
        user.role = row.role
        user.display_name = row.full_name
        user.email = row.email
        user.agency = agency
        user.is_active = True
        if username in changes.added and user.password_hash is None:
            session.flush()
            links.append(password_setup(session, user, at=at))
    for username in changes.closed:
        user = existing[username]
        user.is_active = False
        session.execute(
            update(StaffSession)
            .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
            .values(ended_at=at)
        )
    session.flush()
    for username in changes.added:
        audit.record(
            session,
            actor_id=actor_id,
            action="province.user.add",
            target_type="user",
            target_ref=username,
            after=user_dict(rows[username]),
        )
    for change in changes.changed:
        audit.record(
            session,
            actor_id=actor_id,
            action="province.user.change",
            target_type="user",
            target_ref=change.key,
            before=change.before,
            after=change.after,
        )
    for username in changes.closed:
        audit.record(
            session,
            actor_id=actor_id,
            action="province.user.disable",
            target_type="user",
            target_ref=username,
            before={"active": True},
            after={"active": False},
        )
    return links
