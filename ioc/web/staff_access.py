"""Which staff may use which console, checked before any use case runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ioc.errors import Forbidden
from ioc.extensions import services
from ioc.feedback.lifecycle.handling import get_report_for_staff
from ioc.feedback.models import User
from ioc.feedback.states import Role
from ioc.web import staff_view
from ioc.web.auth import current_staff_session
from ioc.web.errors import REQUEST_ERRORS
from ioc.web.errors import ErrorOut as ErrorOut  # the staff adapters import it from here
from ioc.web.limits import remember_caller


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


def admit_only(
    blueprint: Blueprint, roles: frozenset[Role], *, open_to_all: frozenset[str] = frozenset()
) -> None:
    """Check who is calling before anything else of the request is looked at: a caller who
    may not use these routes gets 401/403, never a 422 describing the fields they sent.

    ``open_to_all`` names the blueprint's views anyone may call (sign-in itself). The staff
    account checked here is the one rate limits count the request against.
    """
    open_endpoints = {f"{blueprint.name}.{view}" for view in open_to_all}

    def check() -> None:
        if request.method == "OPTIONS" or request.endpoint in open_endpoints:
            return
        with services().unit_of_work() as session:
            user = current_staff_session(session).user
            if user.role not in roles:
                raise Forbidden("your role cannot use this console")
            remember_caller("staff", user.id)

    blueprint.before_request(check)


def agency_id_of(actor: User) -> int:
    """The agency an agency officer or manager works for.

    Raises:
        Forbidden: an account without an agency (accounts.py refuses to create one).
    """
    if actor.agency_id is None:
        raise Forbidden("your account belongs to no agency")
    return actor.agency_id


#: Answers every staff endpoint may give besides its success.
STAFF_ERRORS: dict[str, type[BaseModel]] = {
    **REQUEST_ERRORS,
    "HTTP_401": ErrorOut,
    "HTTP_403": ErrorOut,
    "HTTP_404": ErrorOut,
    "HTTP_409": ErrorOut,
}
STAFF_SECURITY: dict[str, list[str]] = {"staff": []}


def act_on_report(
    roles: frozenset[Role], ref: str, use_case: Any, **arguments: Any
) -> dict[str, Any]:
    """Run one staff use case on the report ``ref`` and answer with the report as it is now.

    Raises:
        whatever the sign-in check, :func:`get_report_for_staff` and the use case raise.
    """
    with staff_unit_of_work(roles) as (session, actor):
        report = get_report_for_staff(session, ref=ref, actor=actor)
        use_case(session, report=report, actor=actor, **arguments)
        return staff_view.detail(session, report, actor)
