"""Staff accounts: creation and password hashing (Argon2id)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, InvalidInput
from ioc.feedback.models import Agency, User
from ioc.feedback.people import audit
from ioc.feedback.states import Role

_hasher = PasswordHasher()
MIN_PASSWORD_CHARS = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False


def create_staff_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    agency_code: str | None = None,
    display_name: str | None = None,
) -> User:
    """Add a staff account. Agency roles must name their agency; others must not.

    Raises:
        InvalidInput: unknown role or agency, a short password, or an agency where none fits.
        Conflict: the username is taken.
    """
    try:
        parsed_role = Role(role)
    except ValueError:
        raise InvalidInput("unknown role", details={"fields": {"role": role}}) from None
    if parsed_role is Role.CITIZEN:
        raise InvalidInput("citizens sign in with Firebase", details={"fields": {"role": role}})
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            "password too short",
            details={"fields": {"password": f"at least {MIN_PASSWORD_CHARS} characters"}},
        )
    agency = None
    if parsed_role.needs_agency:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise InvalidInput(
                "agency roles need an existing agency",
                details={"fields": {"agency": agency_code or "missing"}},
            )
    elif agency_code:
        raise InvalidInput(
            "only agency roles belong to an agency", details={"fields": {"agency": agency_code}}
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("username already taken", details={"fields": {"username": username}})
    user = User(
        role=parsed_role,
        username=username,
        password_hash=hash_password(password),
        display_name=display_name or username,
        agency=agency,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor_id=None,
        action="create_user",
        target_type="user",
        target_ref=username,
        after={"role": parsed_role.value, "agency": agency.code if agency else None},
    )
    return user
