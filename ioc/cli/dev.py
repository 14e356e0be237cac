"""``ioc dev``: helpers for development and the demo, refused in production."""

from __future__ import annotations

import click

from ioc.cli.common import (
    with_appcontext,
)
from ioc.config import Environment
from ioc.extensions import services


@click.group()
def dev() -> None:
    """Development helpers (refused in production)."""


@dev.command("token")
@click.argument("uid")
@click.option("--name", help='Display name claim, e.g. "Nguyễn Văn A".')
@click.option("--phone", help="Phone number claim, e.g. +84912345678.")
@click.option(
    "--hours",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="How long the token stays valid.",
)
@with_appcontext
def dev_token(uid: str, name: str | None, phone: str | None, hours: float) -> None:
    """Print a Firebase Auth emulator ID token for the citizen UID (IOC_FIREBASE_PROJECT_ID).

    The server accepts it only while run with FIREBASE_AUTH_EMULATOR_HOST set, which
    production refuses.
    """
    from ioc.identity import emulator_token

    settings = services().settings
    if settings.env is Environment.PRODUCTION:
        raise click.ClickException("dev tokens are refused when IOC_ENV=production")
    try:
        token = emulator_token(
            project_id=settings.firebase_project_id,
            uid=uid,
            name=name,
            phone=phone,
            lifetime_seconds=max(1, round(hours * 3600)),
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(token)
    click.echo(
        "note: the server accepts this token only when run with FIREBASE_AUTH_EMULATOR_HOST set "
        "(any value, e.g. 127.0.0.1:9099; nothing needs to listen there)",
        err=True,
    )
