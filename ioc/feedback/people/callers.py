"""The person behind a report filed for them by someone else (an operator taking a phone
call, another system through Open311): kept as a citizen account that only IOC staff see."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.states import Role

# Built once: every filing through a hotline or another system asks one of them. The oldest
# account answers when several share a number (accounts made before the number was known).
_BY_PHONE = (
    select(User.id)
    .where(User.role == Role.CITIZEN, User.phone == bindparam("phone"))
    .order_by(User.id)
    .limit(1)
)
_BY_EMAIL = (
    select(User.id)
    .where(User.role == Role.CITIZEN, User.email == bindparam("email"))
    .order_by(User.id)
    .limit(1)
)


def find_or_add_caller_id(
    session: Session, *, name: str | None, phone: str | None, email: str | None
) -> int | None:
    """The id of the citizen with this phone number (or, without one, this e-mail address),
    or of a new one with these contact details; ``None`` when nothing identifies the person
    (an anonymous report)."""
    caller_id = None
    # On the connection: an id is all it reads, so the ORM's handling of a query is not needed
    # (nor its flush: a caller added in this transaction was flushed when added, below).
    if phone:
        caller_id = session.connection().scalar(_BY_PHONE, {"phone": phone})
    elif email:
        caller_id = session.connection().scalar(_BY_EMAIL, {"email": email})
    if caller_id is None and (name or phone or email):
        caller = User(role=Role.CITIZEN, display_name=name, phone=phone, email=email)
        session.add(caller)
        session.flush()
        caller_id = caller.id
    return caller_id
