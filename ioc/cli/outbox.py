"""``ioc outbox``: the push, webhook and e-mail deliveries owed to the outside, for operators."""

from __future__ import annotations

import click

from ioc.cli.common import IocCommandError, require_schema, with_appcontext
from ioc.errors import IocError
from ioc.extensions import services

_COLUMNS = ("id", "channel", "destination", "event", "status", "tries", "next attempt", "error")


@click.group()
def outbox() -> None:
    """Push notifications, webhooks and e-mails waiting, delivered or given up (dead)."""


@outbox.command("list")
@click.option("--status", type=click.Choice(["pending", "dead", "delivered", "stale"]))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@with_appcontext
def list_command(status: str | None, limit: int) -> None:
    """The newest deliveries, newest first."""
    from ioc.integrations.delivery_log import list_deliveries

    require_schema()
    tz = services().settings.tz
    with services().unit_of_work() as session:
        lines = list_deliveries(session, status=status, limit=limit)
    rows = [
        (
            str(line.id),
            line.channel,
            line.destination,
            line.event_type,
            line.status,
            str(line.attempts),
            line.next_attempt_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
            if line.status == "pending"
            else "-",
            (line.last_error or "")[:60],
        )
        for line in lines
    ]
    if not rows:
        click.echo("no deliveries")
        return
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    for row in [_COLUMNS, *rows]:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every delivery that was given up.")
@with_appcontext
def retry_command(ids: tuple[int, ...], all_dead: bool) -> None:
    """Make deliveries due again now, with a fresh set of tries (the worker sends them)."""
    from ioc.integrations.delivery_log import retry_deliveries

    require_schema()
    if not ids and not all_dead:
        raise click.UsageError("give delivery ids or --all-dead")
    try:
        with services().unit_of_work() as session:
            count = retry_deliveries(session, ids=ids, all_dead=all_dead)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"{count} deliver{'y' if count == 1 else 'ies'} will be retried now")
