"""The ``ioc`` command line: database, areas, demo data, servers and development helpers."""

from __future__ import annotations

import logging

import click

from ioc.cli import (
    areas,
    database,
    dev,
    live,
    open311,
    outbox,
    province,
    report,
    rollups,
    servers,
    sla,
    users,
    webhooks,
    worker,
)
from ioc.cli.common import configure_logging


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress (servers always do).")
def main(verbose: bool) -> None:
    """IOC – Trung tâm điều hành đô thị thông minh (smart-city operations centre).

    Configured by IOC_* environment variables; see the README.
    """
    configure_logging(logging.INFO if verbose else logging.WARNING)


main.add_command(database.db)
main.add_command(database.seed)
main.add_command(areas.areas)
main.add_command(servers.serve)
main.add_command(servers.demo)
main.add_command(live.live)
main.add_command(dev.dev)
main.add_command(users.users)
main.add_command(sla.sla)
main.add_command(worker.worker)
main.add_command(outbox.outbox)
main.add_command(webhooks.webhooks)
main.add_command(open311.open311)
main.add_command(rollups.rollups)
main.add_command(report.report)
main.add_command(province.province)
