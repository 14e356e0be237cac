"""Which staff may use which console, checked before any use case runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ioc.errors import Forbidden
from ioc.extensions import services
from ioc.feedback.models import User
from ioc.feedback.states import Role
from ioc.web.auth import current_staff_session

OPS_READERS = frozenset({Role.IOC_OPERATOR, Role.IOC_SUPERVISOR, Role.ADMIN, Role.VIEWER})
AGENCY_STAFF = frozenset({Role.AGENCY_OFFICER, Role.AGENCY_MANAGER})


@contextmanager
def staff_unit_of_work(roles: frozenset[Role]) -> Iterator[tuple[Session, User]]:
    """A unit of work for the signed-in staff member, if their role may use this console.

    Raises:
        Unauthenticated: not signed in. Forbidden: a role this console is not for.
    """
    with services().unit_of_work() as session:
        actor = current_staff_session(session).user
        if actor.role not in roles:
            raise Forbidden("your role cannot use this console")
        yield session, actor


def require_staff(roles: frozenset[Role]) -> None:
    """Check who is asking before work that runs outside one unit of work (streaming).

    Raises:
        Unauthenticated: not signed in. Forbidden: a role this console is not for.
    """
    with staff_unit_of_work(roles):
        pass
