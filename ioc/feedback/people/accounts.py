"""Staff accounts: creation, the password rule and password hashing (Argon2id)."""

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
#: The one password rule, for ``ioc users create`` and for the set-password links.
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False


def check_password_rule(password: str) -> None:
    """Raises: InvalidInput naming ``password`` when it is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            "password too short",
            details={"fields": {"password": f"at least {MIN_PASSWORD_CHARS} characters"}},
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput(
            "password too long",
            details={"fields": {"password": f"at most {MAX_PASSWORD_CHARS} characters"}},
        )


def parse_staff_role(role: str) -> Role:
    """Raises: InvalidInput naming ``role`` when it is unknown or the citizen role."""
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput("unknown role", details={"fields": {"role": role}}) from None
    if parsed is Role.CITIZEN:
        raise InvalidInput("citizens sign in with Firebase", details={"fields": {"role": role}})
    return parsed


def agency_for_role(session: Session, *, role: Role, agency_code: str | None) -> Agency | None:
    """The agency a staff member of ``role`` belongs to: agency roles need an existing, active
    agency; IOC roles have none.

    Raises:
        InvalidInput: naming ``agency`` when it is missing, unknown, closed or misplaced.
    """
    if not role.needs_agency:
        if agency_code:
            raise InvalidInput(
                "only agency roles belong to an agency",
                details={"fields": {"agency": agency_code}},
            )
        return None
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None or not agency.is_active:
        raise InvalidInput(
            "agency roles need an existing agency",
            details={"fields": {"agency": agency_code or "missing"}},
        )
    return agency


def create_staff_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str | None,
    agency_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    actor_id: int | None = None,
) -> User:
    """Add a staff account. Agency roles must name their agency; others must not. Without a
    password the account cannot sign in until a set-password link is used.

    Raises:
        InvalidInput: unknown role or agency, a short password, or an agency where none fits.
        Conflict: the username is taken.
    """
    parsed_role = parse_staff_role(role)
    if password is not None:
        check_password_rule(password)
    agency = agency_for_role(session, role=parsed_role, agency_code=agency_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("username already taken", details={"fields": {"username": username}})
    user = User(
        role=parsed_role,
        username=username,
        password_hash=hash_password(password) if password is not None else None,
        display_name=display_name or username,
        email=email or None,
        agency=agency,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="create_user",
        target_type="user",
        target_ref=username,
        after={"role": parsed_role.value, "agency": agency.code if agency else None},
    )
    return user
