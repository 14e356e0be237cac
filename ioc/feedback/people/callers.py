"""The person behind a report filed for them by someone else (an operator taking a phone
call, another system through Open311): kept as a citizen account that only IOC staff see."""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from sqlalchemy import CTE, Table, bindparam, exists, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ioc.db import FoundInStatement, stored_values
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


def caller_lookup(
    *, name: str | None, phone: str | None, email: str | None
) -> FoundInStatement | None:
    """:func:`find_or_add_caller_id` for a filing to run itself: on PostgreSQL inside the
    report's own INSERT, which saves the look-up's round trip; ``None`` when nothing
    identifies the person (an anonymous report)."""
    if not (name or phone or email):
        return None
    account = stored_values(User(role=Role.CITIZEN, display_name=name, phone=phone, email=email))
    written = {key: value for key, value in account.items() if value is not None}
    lookup = "phone" if phone else "email" if email else None
    return FoundInStatement(
        sql=_caller_statement(lookup, tuple(written)),
        parameters={f"c_{key}": value for key, value in written.items()},
        find=partial(find_or_add_caller_id, name=name, phone=phone, email=email),
    )


@cache
def _caller_statement(lookup: str | None, columns: tuple[str, ...]) -> Any:
    """The id of the oldest citizen whose ``lookup`` column (phone or e-mail) matches, or
    of the account the statement adds with ``columns`` when there is none (or no
    ``lookup``): a scalar subquery whose data-modifying part goes to the top of the
    statement that holds it, as PostgreSQL requires."""
    users = User.__table__
    assert isinstance(users, Table)
    values = select(*(bindparam(f"c_{name}", type_=users.c[name].type) for name in columns))
    found: CTE | None = None
    if lookup is not None:
        found = (
            select(users.c.id)
            .where(users.c.role == bindparam("c_role"), users.c[lookup] == bindparam(f"c_{lookup}"))
            .order_by(users.c.id)
            .limit(1)
            .cte("caller_found")
        )
        values = values.where(~exists(select(found.c.id)))
    insert = pg_insert(users).from_select(list(columns), values)
    added = insert.returning(users.c.id).cte("caller_added")
    if found is None:
        return select(added.c.id).scalar_subquery()
    return union_all(select(found.c.id), select(added.c.id)).limit(1).scalar_subquery()
