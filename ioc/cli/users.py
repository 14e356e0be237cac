"""``ioc users``: staff accounts."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from ioc.cli.common import IocCommandError, require_schema, site_url, with_appcontext
from ioc.db import utcnow
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


def _run(use_case: Callable[[Session], str]) -> None:
    require_schema()
    try:
        with services().unit_of_work() as session:
            message = use_case(session)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(message)


@users.command("disable")
@click.argument("username")
@with_appcontext
def disable_user(username: str) -> None:
    """Disable a staff account; its sessions end at once (never the last active admin)."""
    from ioc.feedback.people.staff_admin import disable_staff

    _run(
        lambda s: (
            f"disabled {disable_staff(s, username=username, actor=None, at=utcnow()).username}"
        )
    )


@users.command("enable")
@click.argument("username")
@with_appcontext
def enable_user(username: str) -> None:
    """Let a disabled staff account sign in again."""
    from ioc.feedback.people.staff_admin import enable_staff

    _run(lambda s: f"enabled {enable_staff(s, username=username, actor=None).username}")


@users.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_user_password(username: str) -> None:
    """Clear a password, end the sessions and print a one-time set-password link."""
    from ioc.feedback.people.staff_admin import reset_password

    def use_case(session: Session) -> str:
        path, expires_at = reset_password(session, username=username, actor=None, at=utcnow())
        return f"{site_url()}{path}\n(valid until {expires_at.isoformat()})"

    _run(use_case)


@users.command("list")
@click.option("--q", "search", help="Part of a username, name or e-mail.")
@click.option("--role", type=click.Choice(_STAFF_ROLES))
@click.option("--agency", "agency_code")
@with_appcontext
def list_users(search: str | None, role: str | None, agency_code: str | None) -> None:
    """Staff accounts with role, agency, state and last sign-in."""
    from ioc.feedback.people.staff_admin import list_staff

    def use_case(session: Session) -> str:
        lines, after_id = [], None
        while True:
            rows, more = list_staff(
                session, q=search, role=role, agency_code=agency_code, after_id=after_id
            )
            for row in rows:
                user = row.user
                lines.append(
                    "\t".join(
                        [
                            user.username or "",
                            user.role,
                            user.agency.code if user.agency else "-",
                            "active" if user.is_active else "disabled",
                            row.last_sign_in_at.isoformat() if row.last_sign_in_at else "-",
                        ]
                    )
                )
            if not more or not rows:
                return "\n".join(lines) or "no staff accounts"
            after_id = rows[-1].user.id

    _run(use_case)
