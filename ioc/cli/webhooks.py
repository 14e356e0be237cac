"""``ioc webhooks``: the systems that hear about events through signed HTTP requests."""

from __future__ import annotations

import click

from ioc.cli.common import IocCommandError, require_schema, with_appcontext
from ioc.errors import IocError
from ioc.extensions import services


@click.group()
def webhooks() -> None:
    """Webhook subscriptions (see docs/integrations.md)."""


@webhooks.command("add")
@click.argument("name")
@click.argument("url")
@click.option(
    "--event",
    "event_types",
    multiple=True,
    help="An event type (report.resolved) or family (report.*); repeat; none: every event.",
)
@with_appcontext
def add_command(name: str, url: str, event_types: tuple[str, ...]) -> None:
    """Subscribe URL to events and print the signing secret (shown only this once)."""
    from ioc.integrations.subscriptions import add_subscription

    require_schema()
    try:
        with services().unit_of_work() as session:
            _, secret = add_subscription(session, name=name, url=url, event_types=event_types)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"webhook {name} added for {', '.join(event_types) or 'every event'}")
    click.echo(f"secret (give it to the receiver; it is not shown again): {secret}")


@webhooks.command("list")
@with_appcontext
def list_command() -> None:
    """Every subscription, its address and filters."""
    from ioc.integrations.subscriptions import list_subscriptions

    require_schema()
    with services().unit_of_work() as session:
        subscriptions = list_subscriptions(session)
        lines = [
            f"{s.name}  {'active' if s.is_active else 'disabled'}  {s.url}  "
            f"{', '.join(s.event_types) or 'every event'}"
            for s in subscriptions
        ]
    click.echo("\n".join(lines) if lines else "no webhook subscriptions")


@webhooks.command("disable")
@click.argument("name")
@with_appcontext
def disable_command(name: str) -> None:
    """Stop sending to a subscription (deliveries still owed to it are given up)."""
    from ioc.integrations.subscriptions import disable_subscription

    require_schema()
    try:
        with services().unit_of_work() as session:
            disable_subscription(session, name=name)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"webhook {name} disabled")
