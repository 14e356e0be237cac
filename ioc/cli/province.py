"""``ioc province``: check, load and export a province pack (see docs/province-pack.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ioc.cli.common import require_schema, site_url, with_appcontext
from ioc.extensions import services


@click.group()
def province() -> None:
    """Gói cấu hình tỉnh (province pack): agencies, categories, rules, boundaries and staff in
    one folder: check, load, export."""


@province.command("check")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="Language of the messages.",
)
def province_check(folder: Path, lang: str) -> None:
    """Check the pack in FOLDER without writing anything; exit 1 when it has an error."""
    from ioc.province.checks import check_pack
    from ioc.province.pack import Severity
    from ioc.province.reading import read_pack

    pack, problems = read_pack(folder)
    problems = problems + check_pack(pack)
    for problem in problems:
        label = {"vi": {"error": "LỖI", "warning": "CẢNH BÁO"}, "en": {}}[lang].get(
            problem.severity.value, problem.severity.value.upper()
        )
        click.echo(f"{label}: {problem.text(lang)}")
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    warnings = len(problems) - errors
    if lang == "en":
        click.echo(f"{folder}: {errors} error(s), {warnings} warning(s)")
    else:
        click.echo(f"{folder}: {errors} lỗi, {warnings} cảnh báo")
    if errors:
        raise click.exceptions.Exit(1)


@province.command("load")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Show the difference; write nothing.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", help="Message language.")
@with_appcontext
def province_load(folder: Path, dry_run: bool, lang: str) -> None:
    """Make the database say what the pack in FOLDER says, in one transaction.

    Prints the difference (added / changed / closed per kind), then applies it: all or
    nothing, audited, and loading the same pack twice changes nothing.
    """
    require_schema()
    from ioc.db import utcnow
    from ioc.province.loading import load_pack
    from ioc.province.pack import PackRefused, Problem, Severity
    from ioc.province.reading import read_pack

    def refuse(problems: list[Problem]) -> None:
        for problem in problems:
            click.echo(problem.text(lang), err=True)
        errors = sum(p.severity is Severity.ERROR for p in problems)
        click.echo(
            f"{errors} error(s); nothing was written"
            if lang == "en"
            else f"{errors} lỗi; không có gì được ghi",
            err=True,
        )
        sys.exit(1)

    pack, problems = read_pack(folder)
    if any(p.severity is Severity.ERROR for p in problems):
        refuse(problems)
    session = services().session_factory()
    try:
        result = load_pack(session, pack, actor=None, at=utcnow(), source=str(folder))
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except PackRefused as exc:
        session.rollback()
        refuse(exc.problems)
        return
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    for line in result.changes.summary(lang):
        click.echo(line)
    for problem in [*problems, *result.problems]:
        click.echo(problem.text(lang))
    if dry_run:
        click.echo("dry run: nothing was written" if lang == "en" else "chạy thử: chưa ghi gì")
        return
    base = site_url()
    for link in result.password_links:
        click.echo(f"{link.username}: {link.url(base)} ({link.expires_at.isoformat()})")


@province.command("export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@with_appcontext
def province_export(folder: Path) -> None:
    """Write the current configuration as a pack into FOLDER (loading it back changes
    nothing)."""
    require_schema()
    from ioc.db import utcnow
    from ioc.province.current import current_pack
    from ioc.province.writing import write_pack

    with services().unit_of_work() as session:
        pack = current_pack(session, at=utcnow(), with_geometry=True)
    written = write_pack(pack, folder)
    click.echo(f"{len(written)} files written to {folder}")
