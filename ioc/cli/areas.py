"""``ioc areas``: import, close, export and locate administrative areas."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ioc.cli.common import (
    IocCommandError,
    echo_json,
    parse_moment,
    require_schema,
    with_appcontext,
)
from ioc.errors import IocError
from ioc.extensions import services


@click.group()
def areas() -> None:
    """Administrative areas: import boundaries, export them, locate a point."""


@areas.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--level", required=True, help="Level of these areas, e.g. province, commune.")
@click.option("--code-prop", required=True, help="Feature property holding the area code.")
@click.option("--name-prop", required=True, help="Feature property holding the Vietnamese name.")
@click.option("--name-en-prop", help="Feature property holding the English name.")
@click.option("--parent-code-prop", help="Feature property holding the parent's code.")
@click.option("--parent-code", help="One parent code for every feature in the file.")
@click.option(
    "--valid-from", help="Date (or ISO datetime) the boundaries take effect; default now."
)
@click.option(
    "--close-missing",
    is_flag=True,
    help="Close current areas of this level (under the same parents) that the file omits.",
)
@with_appcontext
def areas_import(
    file: Path,
    valid_from: str | None,
    close_missing: bool,
    level: str,
    code_prop: str,
    name_prop: str,
    name_en_prop: str | None,
    parent_code_prop: str | None,
    parent_code: str | None,
) -> None:
    """Import a GeoJSON FeatureCollection of Polygon/MultiPolygon boundaries.

    Unchanged areas are left alone; changed ones get a new version from --valid-from.
    Nothing is written if any feature is bad.
    """
    require_schema()
    from ioc.geo.boundaries import PropertyMapping, parse_areas, read_geojson
    from ioc.geo.importer import import_areas

    if parent_code_prop and parent_code:
        raise click.UsageError("give --parent-code-prop or --parent-code, not both")
    mapping = PropertyMapping(
        level=level,
        code_prop=code_prop,
        name_prop=name_prop,
        name_en_prop=name_en_prop,
        parent_code_prop=parent_code_prop,
        parent_code=parent_code,
    )
    starts = parse_moment(valid_from, "--valid-from")
    try:
        parsed = parse_areas(read_geojson(file), mapping, source=str(file))
        with services().unit_of_work() as session:
            summary = import_areas(
                session,
                parsed,
                source=str(file),
                valid_from=starts,
                close_missing=close_missing,
            )
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(
        f"{file}: {len(summary.created)} created, {len(summary.replaced)} replaced by a new "
        f"version, {len(summary.unchanged)} unchanged"
        + (f", {len(summary.closed)} closed" if close_missing else "")
    )
    if summary.repaired:
        click.echo(f"repaired invalid rings in: {', '.join(summary.repaired)}")


@areas.command("close")
@click.option("--level", required=True, help="Level of the areas to close, e.g. district.")
@click.option("--within", help="Only areas under this area code.")
@click.option("--valid-from", help="Date (or ISO datetime) they cease to exist; default now.")
@with_appcontext
def areas_close(level: str, within: str | None, valid_from: str | None) -> None:
    """Close every current area of a level, e.g. the districts a reform abolished."""
    require_schema()
    from ioc.geo.importer import close_areas

    ends = parse_moment(valid_from, "--valid-from")
    try:
        with services().unit_of_work() as session:
            closed = close_areas(session, level=level, within=within, at=ends)
    except IocError as exc:
        raise IocCommandError(exc) from exc
    click.echo(f"{len(closed)} areas closed" + (f": {', '.join(closed)}" if closed else ""))


@areas.command("export")
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--at", "at", help="Export the areas valid at this date; default now.")
@with_appcontext
def areas_export(file: Path | None, at: str | None) -> None:
    """Write the areas as GeoJSON to FILE (standard output by default)."""
    require_schema()
    from ioc.geo.service import export_areas

    with services().unit_of_work() as session:
        collection = export_areas(session, at=parse_moment(at, "--at"))
    text = json.dumps(collection, ensure_ascii=False)
    if file is None:
        sys.stdout.write(text + "\n")
    else:
        file.write_text(text + "\n", encoding="utf-8")
        click.echo(f"{len(collection['features'])} areas written to {file}", err=True)


@areas.command("locate")
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@click.option("--at", "at", help="Answer for the boundaries valid at this date; default now.")
@with_appcontext
def areas_locate(lon: float, lat: float, at: str | None) -> None:
    """Print the chain of areas (leaf first) holding the point LON LAT, as JSON."""
    require_schema()
    try:
        with services().unit_of_work() as session:
            chain = services().locator.locate(session, lon, lat, parse_moment(at, "--at"))
    except IocError as exc:
        raise IocCommandError(exc) from exc
    if chain is None:
        echo_json(None)
        raise click.exceptions.Exit(1)
    echo_json([area.to_dict() for area in chain])
