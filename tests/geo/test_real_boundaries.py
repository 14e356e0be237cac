"""Real district boundaries (GADM level 3) of four provinces, imported as an operator would.

The files live beside the repository (``../shared/data/vn-districts``) and are never copied in.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import shapely
from click.testing import CliRunner, Result
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session, sessionmaker

from ioc.cli import main
from ioc.db import make_engine, make_session_factory
from ioc.geo.boundaries import PropertyMapping, parse_areas, read_geojson
from ioc.geo.importer import import_areas
from ioc.geo.queries import locate_in_database
from ioc.geo.service import AreaLocator
from tests.factories import EPOCH

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vn-districts"
PROVINCES = ["nam_dinh", "ninh_thuan", "quang_nam", "son_la"]
PROPS = ["--level", "district", "--code-prop", "ID_3", "--name-prop", "NAME_3"]


def district_file(province: str) -> Path:
    path = DATA_DIR / f"{province}.geojson"
    if not path.is_file():
        pytest.skip(f"real boundary files not found at {DATA_DIR} (present in CI)")
    return path


@dataclass
class District:
    code: str
    name: str
    geom: BaseGeometry


def districts_of(path: Path) -> list[District]:
    return [
        District(str(f["properties"]["ID_3"]), f["properties"]["NAME_3"], shape(f["geometry"]))
        for f in read_geojson(path)["features"]
    ]


@dataclass
class ImportedProvince:
    path: Path
    districts: list[District]
    env: dict[str, str]
    session_factory: sessionmaker[Session]

    def ioc(self, *args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)

    def locate_codes(self, points: list[tuple[float, float]]) -> list[list[str] | None]:
        """Locate in process, in one short session (SQLite sessions hold the write lock)."""
        locator = AreaLocator(check_seconds=0)
        with self.session_factory() as session:
            chains = [locator.locate(session, lon, lat) for lon, lat in points]
        return [[area.code for area in chain] if chain else None for chain in chains]


@pytest.fixture(scope="module", params=PROVINCES)
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ImportedProvince]:
    """One province's districts imported through ``ioc areas import`` into a fresh SQLite."""
    path = district_file(request.param)
    url = f"sqlite:///{tmp_path_factory.mktemp(request.param) / 'ioc.sqlite3'}"
    env = {"IOC_DATABASE_URL": url}
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False)
    assert upgraded.exit_code == 0, upgraded.output
    imported = runner.invoke(
        main, ["areas", "import", str(path), *PROPS], env=env, catch_exceptions=False
    )
    assert imported.exit_code == 0, imported.output
    districts = districts_of(path)
    assert f"{len(districts)} created" in imported.output
    engine = make_engine(url)
    yield ImportedProvince(path, districts, env, make_session_factory(engine))
    engine.dispose()


def test_every_district_locates_its_own_representative_point(
    province: ImportedProvince,
) -> None:
    points = [district.geom.representative_point().coords[0] for district in province.districts]
    found = dict(
        zip([d.code for d in province.districts], province.locate_codes(points), strict=True)
    )
    assert found == {district.code: [district.code] for district in province.districts}


def test_locate_command_prints_the_district(province: ImportedProvince) -> None:
    district = province.districts[-1]
    point = district.geom.representative_point()
    result = province.ioc("areas", "locate", repr(point.x), repr(point.y))
    assert result.exit_code == 0, result.output
    [area] = json.loads(result.stdout)
    assert (area["code"], area["name"], area["level"]) == (
        district.code,
        district.name,
        "district",
    )


def test_exported_names_keep_their_exact_spelling(province: ImportedProvince) -> None:
    result = province.ioc("areas", "export")
    assert result.exit_code == 0, result.output
    exported = {
        f["properties"]["code"]: f["properties"]["name"]
        for f in json.loads(result.stdout)["features"]
    }
    expected = {district.code: district.name for district in province.districts}
    assert {code: name.encode() for code, name in exported.items()} == {
        code: name.encode() for code, name in expected.items()
    }


def test_exported_geometries_equal_the_file(province: ImportedProvince) -> None:
    result = province.ioc("areas", "export")
    exported = {
        f["properties"]["code"]: shape(f["geometry"]) for f in json.loads(result.stdout)["features"]
    }
    for district in province.districts:
        assert exported[district.code].equals(district.geom), district.code


def test_importing_the_same_file_again_changes_nothing(province: ImportedProvince) -> None:
    result = province.ioc("areas", "import", str(province.path), *PROPS)
    assert result.exit_code == 0, result.output
    assert f"0 created, 0 replaced by a new version, {len(province.districts)} unchanged" in (
        result.output
    )


# --- index and database agree on real shapes (both backends; ST_Covers on PostGIS) -----------


def test_index_and_database_agree_on_real_districts(session: Session, locator: AreaLocator) -> None:
    path = district_file("ninh_thuan")
    areas = parse_areas(
        read_geojson(path),
        PropertyMapping(level="district", code_prop="ID_3", name_prop="NAME_3"),
        source=str(path),
    )
    import_areas(session, areas, source=str(path), valid_from=EPOCH)
    districts = districts_of(path)
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds([d.geom for d in districts])
    rng = random.Random(20250701)
    points = [d.geom.representative_point().coords[0] for d in districts] + [
        (rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)) for _ in range(300)
    ]
    at = EPOCH + timedelta(days=1)
    answers = {}
    for lon, lat in points:
        in_process = locator.locate(session, lon, lat, at)
        assert in_process == locate_in_database(session, lon, lat, at), (lon, lat)
        answers[lon, lat] = in_process[0].code if in_process else None
    # The sample really crosses the province: every district, and the sea around it.
    assert set(answers.values()) == {d.code for d in districts} | {None}
