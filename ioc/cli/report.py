"""``ioc report``: the province's periodic summaries as files."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import click

from ioc.cli.common import require_schema, with_appcontext
from ioc.extensions import services


@click.group()
def report() -> None:
    """Summaries for the People's Committee (báo cáo định kỳ)."""


def _month(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    if not re.fullmatch(r"(20\d\d|21\d\d)-(0[1-9]|1[0-2])", value):
        raise click.BadParameter("must be a month as YYYY-MM, e.g. 2026-11")
    return date.fromisoformat(f"{value}-01")


@report.command("monthly")
@click.option("--month", required=True, callback=_month, help="The month, YYYY-MM.")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "html"]), default="xlsx", show_default=True
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write (default: bao-cao-thang-YYYY-MM.<format> here; '-' for stdout).",
)
@with_appcontext
def monthly(month: date, fmt: str, lang: str, output: Path | None) -> None:
    """Received by channel and category, results by agency with on-time and satisfaction
    rates, overdue and extended cases and hotspots of the reports received in MONTH."""
    from ioc.feedback.reads import monthly_report

    require_schema()
    with services().unit_of_work() as session:
        built = monthly_report.build_monthly_report(
            session, services().policy, month=month, lang=lang
        )
    content = (
        monthly_report.to_xlsx(built) if fmt == "xlsx" else monthly_report.to_html(built).encode()
    )
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(content)
        return
    target = output or Path(monthly_report.file_name(month, fmt))
    # Written beside the target and renamed: a failed run never leaves half a file.
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(content)
    partial.replace(target)
    click.echo(f"{target} ({len(content)} bytes)", err=True)
