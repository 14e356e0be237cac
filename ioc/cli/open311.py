"""``ioc open311``: the API keys of systems that file reports through Open311."""

from __future__ import annotations

import click

from ioc.cli.common import IocCommandError, require_schema, with_appcontext
from ioc.errors import IocError
from ioc.extensions import services


@click.group()
def open311() -> None:
    """Open311 GeoReport v2 server (/open311/v2)."""


@open311.group()
def keys() -> None:
    """API keys of integrating systems."""


@keys.command("create")
@click.argument("name")
@with_appcontext
def create_key(name: str) -> None:
    """Register system NAME and print its new key (shown this once; only a hash is kept)."""
    from ioc.integrations.api_clients import create_api_client

    require_schema()
    try:
        with services().unit_of_work() as session:
            created = create_api_client(session, name=name)
            key = created.key
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"created API client {name}; its key (store it now, it is not shown again):")
    click.echo(key)


@keys.command("list")
@with_appcontext
def list_keys() -> None:
    """Systems, the start of their key, whether it works and when it was last used."""
    from ioc.integrations.api_clients import list_api_clients

    require_schema()
    tz = services().settings.tz
    with services().unit_of_work() as session:
        for client in list_api_clients(session):
            state = "active" if client.is_active else "revoked"
            used = (
                client.last_used_at.astimezone(tz).isoformat(timespec="seconds")
                if client.last_used_at
                else "never used"
            )
            click.echo(f"{client.name}\t{client.key_prefix}…\t{state}\t{used}")


@keys.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_key(name: str) -> None:
    """Stop accepting NAME's key at once (its reports stay)."""
    from ioc.integrations.api_clients import revoke_api_client

    require_schema()
    try:
        with services().unit_of_work() as session:
            revoke_api_client(session, name=name)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"revoked the key of {name}")
