"""``ioc users``: staff accounts."""

from __future__ import annotations

import sys

import click

from ioc.cli.common import IocCommandError, require_schema, with_appcontext
from ioc.errors import IocError
from ioc.extensions import services
from ioc.feedback.states import Role

_STAFF_ROLES = [role.value for role in Role if role is not Role.CITIZEN]


@click.group()
def users() -> None:
    """Staff accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(_STAFF_ROLES))
@click.option("--agency", "agency_code", help="Agency code (agency roles only).")
@click.option("--name", "display_name", help="Full name shown in the consoles.")
@with_appcontext
def create_user(
    username: str, role: str, agency_code: str | None, display_name: str | None
) -> None:
    """Create a staff account. The password is asked for, or read from standard input."""
    from ioc.feedback.people.accounts import create_staff_user

    require_schema()
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        with services().unit_of_work() as session:
            create_staff_user(
                session,
                username=username,
                role=role,
                password=password,
                agency_code=agency_code,
                display_name=display_name,
            )
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"created {role} {username}" + (f" of {agency_code}" if agency_code else ""))
