"""A pack loaded with ``ioc province load`` on an empty database gives a working province:
reports filed at a point of each area go where the pack's rules say (SQLite and PostGIS).

The expected agency is read off the pack's own files by the rule the documentation gives a
province (docs/province-pack.md): the category's rule at the most specific area of the point,
else its group's rule the same way, among the rules in force when the report is filed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from shapely.geometry import shape
from sqlalchemy import select

from ioc.app import create_app
from ioc.cli import main
from ioc.db import utcnow
from ioc.extensions import services
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.intake.routing import resolve_route
from ioc.feedback.models import Category
from ioc.geo.service import to_ref
from tests.conftest import throwaway_postgis_database
from tests.province.real_pack import write_real_pack

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "province-pack"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Rule:
    target: str  # a category or a group code
    area: str
    lead: str
    starts: datetime | None


def _rules(folder: Path) -> list[Rule]:
    with (folder / "rules.csv").open(encoding="utf-8-sig") as handle:
        return [
            Rule(
                row["category_code"],
                row["area_code"],
                row["lead_agency_code"],
                datetime.combine(date.fromisoformat(row["valid_from"]), time(), ZONE)
                if row.get("valid_from")
                else None,
            )
            for row in csv.DictReader(handle)
        ]


def _groups(folder: Path) -> dict[str, str]:
    with (folder / "categories.csv").open(encoding="utf-8-sig") as handle:
        return {row["code"]: row["group_code"] for row in csv.DictReader(handle)}


def expected_lead(
    rules: list[Rule], *, category: str, group: str, chain: list[str], at: datetime
) -> str | None:
    in_force = [rule for rule in rules if rule.starts is None or rule.starts <= at]
    for target in (category, group):
        for area in chain:
            found = [r for r in in_force if r.target == target and r.area == area]
            if found:
                # The newest version in force wins.
                return max(found, key=lambda r: r.starts or datetime.min.replace(tzinfo=ZONE)).lead
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'province.sqlite3'}"
        return
    with throwaway_postgis_database("ioc_pack") as engine:
        yield engine.url.render_as_string(hide_password=False)


def _load(folder: Path, database_url: str) -> tuple[str, str]:
    env = {"IOC_DATABASE_URL": database_url}
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    first = runner.invoke(main, ["province", "load", str(folder)], env=env)
    again = runner.invoke(main, ["province", "load", str(folder)], env=env)
    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    return first.output, again.output


def _filed_leads(
    database_url: str, points: dict[str, tuple[float, float]], categories: list[str]
) -> dict[tuple[str, str], tuple[list[str], str | None]]:
    """File a phoned-in report at each point for each category, as ``ioc serve`` would;
    the area chain it was filed under and the agency it went to (or, for a category that
    waits for the IOC to verify it, the agency the operators are offered)."""
    app = create_app({"env": "test", "database_url": database_url})
    found: dict[tuple[str, str], tuple[list[str], str | None]] = {}
    with app.app_context(), services().unit_of_work() as session:
        definitions = {
            code: definition
            for code, definition in session.execute(select(Category.code, Category.attributes))
        }
        for area_code, (lon, lat) in points.items():
            for category in categories:
                report = submit_report(
                    session,
                    services().intake,
                    category_code=category,
                    lon=lon,
                    lat=lat,
                    channel="phone",
                    description="Phản ánh thử",
                    attributes=_answers(definitions[category]),
                )
                chain = [to_ref(link.area) for link in report.areas]
                if report.lead_agency is not None:
                    lead: str | None = report.lead_agency.code
                else:
                    route = resolve_route(
                        session, category=report.category, chain=chain, at=report.received_at
                    )
                    lead = route.lead.code if route.lead else None
                found[(area_code, category)] = ([area.code for area in chain], lead)
        session.rollback()
    with app.app_context():
        services().engine.dispose()
    return found


def _answers(definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """A caller's answer to each required question of the category."""
    answers: dict[str, Any] = {}
    for definition in definitions:
        if not definition.get("required"):
            continue
        keys = [item["key"] for item in definition.get("values", [])]
        answers[definition["code"]] = {
            "number": 1,
            "datetime": "2026-03-01T08:00:00+07:00",
            "singlevaluelist": keys[0] if keys else None,
            "multivaluelist": keys[:1],
        }.get(definition["datatype"], "có")
    return answers


def test_the_example_pack_loads_once_and_routes_each_commune_by_its_rules(
    empty_database: str,
) -> None:
    first, again = _load(EXAMPLE, empty_database)

    assert "Cơ quan: 10 thêm, 0 sửa, 0 đóng" in first
    assert "/set-password?token=" in first
    assert again.splitlines()[0] == "không có thay đổi"
    communes = json.loads((EXAMPLE / "areas" / "communes.geojson").read_text(encoding="utf-8"))
    points = {
        str(feature["properties"]["ma"]): shape(feature["geometry"])
        .representative_point()
        .coords[0]
        for feature in communes["features"]
    }
    groups = _groups(EXAMPLE)
    filed = _filed_leads(empty_database, points, list(groups))
    rules = _rules(EXAMPLE)
    assert len(filed) == len(points) * len(groups)
    for (commune, category), (chain, lead) in filed.items():
        assert chain == [commune, "99"]
        expected = expected_lead(
            rules, category=category, group=groups[category], chain=chain, at=utcnow()
        )
        assert lead == expected, (commune, category)
    # The pack's commune overrides and its group rule are among what was exercised.
    assert filed[("99003", "rac-thai")][1] == "UBND-99003"
    assert filed[("99001", "tieng-on")][1] == "UBND-99001"


def test_a_pack_of_real_districts_routes_every_district_to_the_agency_its_rule_names(
    empty_database: str, tmp_path: Path
) -> None:
    real = write_real_pack(tmp_path / "son-la")

    _, again = _load(real.folder, empty_database)

    assert again.splitlines()[0] == "không có thay đổi"
    filed = _filed_leads(empty_database, {d.code: d.point for d in real.districts}, real.categories)
    for district in real.districts:
        for category in real.categories:
            chain, lead = filed[(district.code, category)]
            assert chain == [district.code, real.province_code]
            assert lead == real.expected_leads[(district.code, category)], (district, category)
