"""Administering staff accounts: create with a set-password link, edit, disable and enable,
reset a password, and list them with their last sign-in.

Every change is audited with the account before and after (never a password or a token).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from ioc.errors import Conflict, InvalidInput, NotFound
from ioc.feedback.models import Agency, StaffSession, User
from ioc.feedback.people import audit
from ioc.feedback.people.accounts import agency_for_role, create_staff_user, parse_staff_role
from ioc.feedback.people.password_setup import end_sessions, issue_password_link
from ioc.feedback.states import Role

_UNSET = object()


class LastAdmin(Conflict):
    """Disabling or demoting the last active administrator would lock everyone out."""

    code = "last_admin"


@dataclass(frozen=True)
class StaffRow:
    user: User
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class NewStaff:
    user: User
    link: str  # the set-password path, ``/set-password?token=…``
    link_expires_at: datetime


def snapshot(user: User) -> dict[str, object]:
    """What the audit log keeps of an account (never the password hash)."""
    return {
        "full_name": user.display_name,
        "role": user.role,
        "agency": user.agency.code if user.agency else None,
        "email": user.email,
        "active": user.is_active,
    }


def get_staff_user(session: Session, *, username: str) -> User:
    """Raises: NotFound when no staff account has that username."""
    user = session.scalar(
        select(User)
        .where(User.username == username, User.role != Role.CITIZEN)
        .options(joinedload(User.agency))
    )
    if user is None:
        raise NotFound("no staff member with that username", details={"username": username})
    return user


def create_staff(
    session: Session,
    *,
    username: str,
    full_name: str,
    role: str,
    agency_code: str | None,
    email: str | None,
    actor: User | None,
    at: datetime,
) -> NewStaff:
    """A new account without a password, and the one-time link to choose it.

    Raises:
        InvalidInput: unknown role, or an agency that does not fit the role.
        Conflict: the username is taken.
    """
    user = create_staff_user(
        session,
        username=username,
        role=role,
        password=None,
        agency_code=agency_code,
        display_name=full_name,
        email=email,
        actor_id=actor.id if actor else None,
    )
    link, expires_at = issue_password_link(session, user=user, at=at)
    return NewStaff(user, link, expires_at)


def update_staff(
    session: Session,
    *,
    username: str,
    actor: User | None,
    full_name: str | None = None,
    role: str | None = None,
    agency_code: object = _UNSET,
    email: object = _UNSET,
) -> User:
    """Change a name, role, agency or e-mail. Agency roles need an agency, IOC roles have
    none; a role change without an agency keeps the current one where it still fits.

    Raises:
        NotFound: no such account. InvalidInput: a role or agency that does not fit.
        LastAdmin: (409 ``last_admin``) when the last active admin would lose the role.
    """
    user = get_staff_user(session, username=username)
    before = snapshot(user)
    new_role = parse_staff_role(role) if role is not None else Role(user.role)
    if agency_code is _UNSET:
        keep = user.agency.code if user.agency and new_role.needs_agency else None
        code = keep
    else:
        code = agency_code if isinstance(agency_code, str) and agency_code else None
    agency = agency_for_role(session, role=new_role, agency_code=code)
    if user.role == Role.ADMIN and new_role is not Role.ADMIN and user.is_active:
        _refuse_last_admin(session, user)
    user.role = new_role
    user.agency = agency
    if full_name is not None:
        if not full_name.strip():
            raise InvalidInput("a name is required", details={"fields": {"full_name": "empty"}})
        user.display_name = full_name.strip()
    if email is not _UNSET:
        user.email = email if isinstance(email, str) and email else None
    session.flush()
    _audit(session, actor, "update_user", user, before)
    return user


def disable_staff(session: Session, *, username: str, actor: User | None, at: datetime) -> User:
    """The account can no longer sign in and every open session ends now.

    Raises:
        NotFound: no such account. LastAdmin: (409 ``last_admin``) for the last active admin.
    """
    user = get_staff_user(session, username=username)
    if not user.is_active:
        return user
    if user.role == Role.ADMIN:
        _refuse_last_admin(session, user)
    before = snapshot(user)
    user.is_active = False
    end_sessions(session, user=user, at=at)
    session.flush()
    _audit(session, actor, "disable_user", user, before)
    return user


def enable_staff(session: Session, *, username: str, actor: User | None) -> User:
    """Raises: NotFound when no such account."""
    user = get_staff_user(session, username=username)
    if user.is_active:
        return user
    before = snapshot(user)
    user.is_active = True
    session.flush()
    _audit(session, actor, "enable_user", user, before)
    return user


def reset_password(
    session: Session, *, username: str, actor: User | None, at: datetime
) -> tuple[str, datetime]:
    """The old password stops working, open sessions end, and a new link is issued:
    ``(path, expires_at)`` as :func:`issue_password_link`.

    Raises:
        NotFound: no such account. InvalidInput: a disabled account (enable it first).
    """
    user = get_staff_user(session, username=username)
    if not user.is_active:
        raise InvalidInput(
            "the account is disabled; enable it first", details={"fields": {"username": username}}
        )
    user.password_hash = None
    end_sessions(session, user=user, at=at)
    link = issue_password_link(session, user=user, at=at)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="reset_password",
        target_type="user",
        target_ref=user.username,
        before={"password_set": True},
        after={"password_set": False, "link_expires_at": link[1].isoformat()},
    )
    return link


def list_staff(
    session: Session,
    *,
    q: str | None = None,
    role: str | None = None,
    agency_code: str | None = None,
    active: bool | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> tuple[list[StaffRow], bool]:
    """Staff accounts by creation order (after the account ``after_id``), with their last
    sign-in (one grouped query): the page and whether more follow."""
    last_sign_in = (
        select(StaffSession.user_id, func.max(StaffSession.created_at).label("at"))
        .group_by(StaffSession.user_id)
        .subquery()
    )
    query = (
        select(User, last_sign_in.c.at)
        .outerjoin(last_sign_in, last_sign_in.c.user_id == User.id)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.role != Role.CITIZEN, User.username.is_not(None))
        .options(joinedload(User.agency))
    )
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(User.username).like(pattern),
                func.lower(User.display_name).like(pattern),
                func.lower(User.email).like(pattern),
            )
        )
    if role:
        query = query.where(User.role == role)
    if agency_code:
        query = query.where(Agency.code == agency_code)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    if after_id is not None:
        query = query.where(User.id > after_id)
    rows = session.execute(query.order_by(User.id).limit(limit + 1)).all()
    items = [StaffRow(user, at) for user, at in rows[:limit]]
    return items, len(rows) > limit


def _refuse_last_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id)
    )
    if not others:
        raise LastAdmin(
            "the last active administrator cannot be disabled or lose the role",
            details={"username": user.username},
        )


def _audit(
    session: Session, actor: User | None, action: str, user: User, before: dict[str, object]
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=action,
        target_type="user",
        target_ref=user.username,
        before=before,
        after=snapshot(user),
    )
