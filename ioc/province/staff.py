"""Writing a pack's staff accounts, and the one-time links new staff choose a password with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, User
from ioc.feedback.people.password_setup import end_sessions, issue_password_link
from ioc.province.auditing import audit_changes
from ioc.province.changes import KindChanges, user_dict
from ioc.province.pack import Origin, PackRefused, Problem, ProvincePack, Severity


@dataclass(frozen=True)
class PasswordLink:
    """A new account's one-time set-password link (shown once; only its hash is stored)."""

    username: str
    path: str  # /set-password?token=…
    expires_at: datetime

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{self.path}"


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
            path, expires_at = issue_password_link(session, user=user, at=at)
            links.append(PasswordLink(username, path, expires_at))
    for username in changes.closed:
        user = existing[username]
        user.is_active = False
        end_sessions(session, user=user, at=at)
    session.flush()
    audit_changes(
        session,
        changes,
        kind="user",
        actor_id=actor_id,
        added=lambda username: user_dict(rows[username]),
        closed=({"active": True}, {"active": False}),
        close_verb="disable",
    )
    return links
