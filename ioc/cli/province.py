"""``ioc province``: check, load and export a province pack (see docs/province-pack.md)."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def province() -> None:
    """Gói cấu hình tỉnh (province pack): check, load, export."""


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
