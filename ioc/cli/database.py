"""``ioc db`` and ``ioc seed``: the schema and the demo data set."""

from __future__ import annotations

from typing import Any

import click

from ioc.cli.common import (
    current_schema,
    prepare_sqlite_folder,
    require_schema,
    with_appcontext,
)
from ioc.extensions import services


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from ioc.migrate import upgrade

    prepare_sqlite_folder()
    upgrade(services().engine)
    click.echo(f"database at schema {current_schema()}")


@click.group()
def seed() -> None:
    """Load data sets."""


@seed.command("demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the generated demo province (areas, agencies, categories, rules, accounts)."""
    require_schema()
    result = seed_demo_data()
    if result.already_seeded:
        click.echo("the demo province is already loaded; nothing changed")
    else:
        click.echo(
            f"demo province loaded: {result.areas} areas, {result.agencies} agencies, "
            f"{result.categories} categories, {result.rules} routing rules"
        )


def seed_demo_data() -> Any:
    from ioc.demo.seed import seed_demo

    with services().unit_of_work() as session:
        return seed_demo(session)
