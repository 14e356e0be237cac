"""``ioc sla``: deadline notices."""

from __future__ import annotations

import click

from ioc.cli.common import require_schema, with_appcontext
from ioc.extensions import services


@click.group()
def sla() -> None:
    """Deadlines (SLA) in working time."""


@sla.command("sweep")
@with_appcontext
def sweep() -> None:
    """Announce deadlines that are near or passed (each once) and escalate overdue reports."""
    from ioc.feedback.sla.sweep import sweep_deadlines

    require_schema()
    with services().unit_of_work() as session:
        result = sweep_deadlines(session, services().policy)
    click.echo(result.describe())
