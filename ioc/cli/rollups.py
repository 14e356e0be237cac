"""``ioc rollups``: recount the map and figure rollups from the reports."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from ioc.cli.common import require_schema, with_appcontext
from ioc.extensions import services


@click.group()
def rollups() -> None:
    """Counts the map and the statistics read (kept current as reports change)."""


@rollups.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Recount the map cells, the daily, weekly and monthly figures, the month totals and the
    weekly hotspot cells from the reports (after a bulk load or a restore); columns a bulk
    load left empty are filled in from the reports' history first. Filings may go on
    meanwhile: each report is counted once."""
    from ioc.feedback.reads.counter_rows import recount_counters
    from ioc.feedback.reads.figure_backfill import backfill_figure_columns
    from ioc.feedback.reads.figure_rollups import rebuild_figure_rollups
    from ioc.feedback.reads.hotspots import rebuild_cell_weeks
    from ioc.feedback.reads.rollups import rebuild_rollups

    require_schema()
    policy = services().policy
    click.echo("Điền các cột còn trống từ lịch sử / filling in empty columns from the history…")
    with services().unit_of_work() as session:
        backfill_figure_columns(session, policy)

    def recount(session: Session) -> None:
        click.echo("Đếm lại bản đồ / recounting map cells…")
        cells = rebuild_rollups(session)
        click.echo(f"  {cells} ô / cell rows")
        click.echo("Đếm lại số liệu theo ngày và tháng / recounting daily and monthly figures…")
        figures = rebuild_figure_rollups(
            session,
            policy,
            progress=lambda n: click.echo(f"  {n} phản ánh / reports"),
            backfill=False,
        )
        click.echo(f"  {figures} dòng số liệu theo ngày / daily figure rows")
        click.echo("Đếm lại điểm nóng theo tuần / recounting weekly hotspot cells…")
        click.echo(f"  {rebuild_cell_weeks(session)} ô-tuần / cell-week rows")

    recount_counters(services().session_factory, recount)
    click.echo("Xong / done.")
