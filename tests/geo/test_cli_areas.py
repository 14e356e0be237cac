"""The ``ioc areas`` commands on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from shapely.geometry import MultiPolygon, box, shape

from ioc.cli import main
from tests.factories import collection, feature

WEST = box(106.0, 20.0, 106.5, 20.5)
EAST = box(106.5, 20.0, 107.0, 20.5)
WEST_SHRUNK = box(106.0, 20.0, 106.25, 20.5)
EAST_GROWN = box(106.25, 20.0, 107.0, 20.5)
MOVED = ("106.375", "20.25")  # in 001 until 2025-07-01, in 002 from then on

IMPORT = ["areas", "import", "--level", "commune", "--code-prop", "code", "--name-prop", "name"]


class Ioc:
    """Runs ``ioc`` commands against one database file, as a shell would."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {"IOC_DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'x.sqlite3'}"}
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(main, list(args), env=self.env, catch_exceptions=False)

    def write(self, name: str, data: Any) -> str:
        path = self.tmp_path / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return str(path)

    def export(self, *args: str) -> dict[str, Any]:
        result = self("areas", "export", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def ioc(tmp_path: Path) -> Ioc:
    ioc = Ioc(tmp_path)
    result = ioc("db", "upgrade")
    assert result.exit_code == 0, result.output
    return ioc


@pytest.fixture
def communes(ioc: Ioc) -> str:
    return ioc.write(
        "communes.geojson",
        collection(feature("001", "Xã Tây Sơn", WEST), feature("002", "Xã Đông Hải", EAST)),
    )


# --- import ----------------------------------------------------------------------------------


def test_import_prints_what_it_created(ioc: Ioc, communes: str) -> None:
    result = ioc(*IMPORT, communes)
    assert result.exit_code == 0, result.output
    assert f"{communes}: 2 created, 0 replaced by a new version, 0 unchanged" in result.output


def test_importing_the_same_file_again_changes_nothing(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes)
    result = ioc(*IMPORT, communes)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 replaced by a new version, 2 unchanged" in result.output


def test_import_reports_repaired_rings(ioc: Ioc) -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[106, 20], [107, 21], [107, 20], [106, 21], [106, 20]]],
    }
    path = ioc.write(
        "bow-tie.geojson",
        collection(
            {"type": "Feature", "properties": {"code": "9", "name": "Xã Nơ"}, "geometry": bow_tie}
        ),
    )
    result = ioc(*IMPORT, path)
    assert result.exit_code == 0, result.output
    assert "repaired invalid rings in: 9" in result.output


def test_bad_file_fails_naming_the_feature_and_the_reason(ioc: Ioc) -> None:
    path = ioc.write(
        "bad.geojson",
        collection(feature("001", "Xã Tây Sơn", WEST), feature("002", "", EAST)),
    )
    result = ioc(*IMPORT, path)
    assert result.exit_code != 0
    assert f"{path}: feature 1: property 'name' is missing or empty" in result.output
    assert "Traceback" not in result.output


def test_bad_file_writes_nothing(ioc: Ioc) -> None:
    path = ioc.write(
        "bad.geojson",
        collection(feature("001", "Xã Tây Sơn", WEST), feature("002", "", EAST)),
    )
    ioc(*IMPORT, path)
    assert ioc.export()["features"] == []


def test_unknown_parent_fails_and_writes_nothing(ioc: Ioc, communes: str) -> None:
    result = ioc(*IMPORT, "--parent-code", "P", communes)
    assert result.exit_code != 0
    assert "feature 1: parent area 'P' does not exist" in result.output
    assert ioc.export()["features"] == []


def test_import_of_a_refused_new_version_keeps_the_old_one(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, "--valid-from", "2025-07-01", communes)
    redrawn = ioc.write(
        "redrawn.geojson",
        collection(feature("001", "Xã Tây Sơn", WEST_SHRUNK), feature("002", "Xã Đông Hải", EAST)),
    )
    result = ioc(*IMPORT, "--valid-from", "2025-01-01", redrawn)
    assert result.exit_code != 0
    assert "feature 0: area '001' already has a version" in result.output
    [west, _] = ioc.export()["features"]
    assert west["properties"]["valid_to"] is None
    assert shape(west["geometry"]).equals(MultiPolygon([WEST]))


def test_missing_file_fails_without_a_traceback(ioc: Ioc, tmp_path: Path) -> None:
    result = ioc(*IMPORT, str(tmp_path / "absent.geojson"))
    assert result.exit_code != 0
    assert "cannot read file" in result.output
    assert "Traceback" not in result.output


def test_invalid_json_fails_without_a_traceback(ioc: Ioc, tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text("{", encoding="utf-8")
    result = ioc(*IMPORT, str(path))
    assert result.exit_code != 0
    assert "not valid JSON" in result.output


def test_parent_code_and_parent_code_prop_together_is_a_usage_error(
    ioc: Ioc, communes: str
) -> None:
    result = ioc(*IMPORT, "--parent-code", "P", "--parent-code-prop", "parent", communes)
    assert result.exit_code == 2
    assert "give --parent-code-prop or --parent-code, not both" in result.output


def test_malformed_valid_from_is_a_usage_error(ioc: Ioc, communes: str) -> None:
    result = ioc(*IMPORT, "--valid-from", "1/7/2025", communes)
    assert result.exit_code == 2
    assert "--valid-from" in result.output
    assert ioc.export()["features"] == []


# --- export ----------------------------------------------------------------------------------


def test_export_to_stdout_is_geojson_of_the_imported_areas(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes)
    data = ioc.export()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in data["features"]] == ["Xã Tây Sơn", "Xã Đông Hải"]
    assert shape(data["features"][1]["geometry"]).equals(EAST)


def test_export_to_a_file_writes_the_file(ioc: Ioc, communes: str, tmp_path: Path) -> None:
    ioc(*IMPORT, communes)
    target = tmp_path / "out.geojson"
    result = ioc("areas", "export", str(target))
    assert result.exit_code == 0, result.output
    assert "2 areas written to" in result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in data["features"]] == ["001", "002"]


def test_exported_file_imports_again_as_unchanged(ioc: Ioc, communes: str, tmp_path: Path) -> None:
    ioc(*IMPORT, communes)
    target = tmp_path / "out.geojson"
    ioc("areas", "export", str(target))
    result = ioc(*IMPORT, str(target))
    assert "0 created, 0 replaced by a new version, 2 unchanged" in result.output


# --- locate ----------------------------------------------------------------------------------


def test_locate_prints_the_chain_as_json(ioc: Ioc) -> None:
    ioc(
        "areas",
        "import",
        ioc.write("p.geojson", collection(feature("P", "Tỉnh Hải Minh", WEST.union(EAST)))),
        "--level=province",
        "--code-prop=code",
        "--name-prop=name",
    )
    ioc(
        *IMPORT,
        "--parent-code",
        "P",
        ioc.write("c.geojson", collection(feature("001", "Xã Tây Sơn", WEST))),
    )
    result = ioc("areas", "locate", "106.25", "20.25")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"code": "001", "name": "Xã Tây Sơn", "name_en": None, "level": "commune"},
        {"code": "P", "name": "Tỉnh Hải Minh", "name_en": None, "level": "province"},
    ]


def test_locate_keeps_vietnamese_readable(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes)
    result = ioc("areas", "locate", "106.75", "20.25")
    assert "Xã Đông Hải" in result.stdout


def test_locate_outside_prints_null_and_exits_1(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes)
    result = ioc("areas", "locate", "105.0", "20.25")
    assert result.exit_code == 1
    assert json.loads(result.stdout) is None


def test_locate_out_of_range_fails_without_a_traceback(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes)
    result = ioc("areas", "locate", "200", "20")
    assert result.exit_code != 0
    assert "invalid coordinates" in result.output
    assert "Traceback" not in result.output


# --- versions --------------------------------------------------------------------------------


@pytest.fixture
def redrawn(ioc: Ioc, communes: str) -> Ioc:
    ioc(*IMPORT, "--valid-from", "2025-01-01", communes)
    path = ioc.write(
        "redrawn.geojson",
        collection(
            feature("001", "Xã Tây Sơn", WEST_SHRUNK), feature("002", "Xã Đông Hải", EAST_GROWN)
        ),
    )
    result = ioc(*IMPORT, "--valid-from", "2025-07-01", path)
    assert "0 created, 2 replaced by a new version, 0 unchanged" in result.output
    return ioc


@pytest.mark.parametrize(
    ("at", "code"),
    [("2025-06-30", "001"), ("2025-07-01", "002"), ("2025-06-30T23:59:59+07:00", "001")],
)
def test_locate_at_picks_the_version_valid_then(redrawn: Ioc, at: str, code: str) -> None:
    result = redrawn("areas", "locate", *MOVED, "--at", at)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["code"] == code


def test_locate_without_at_uses_the_current_version(redrawn: Ioc) -> None:
    result = redrawn("areas", "locate", *MOVED)
    assert json.loads(result.stdout)[0]["code"] == "002"


def test_locate_before_the_first_version_is_null(redrawn: Ioc) -> None:
    result = redrawn("areas", "locate", *MOVED, "--at", "2024-12-31")
    assert result.exit_code == 1
    assert json.loads(result.stdout) is None


def test_valid_from_is_midnight_in_vietnam(redrawn: Ioc) -> None:
    [west, _] = redrawn.export("--at", "2025-07-01")["features"]
    assert west["properties"]["valid_from"] == "2025-06-30T17:00:00+00:00"


def test_export_at_an_earlier_date_gives_the_earlier_version(redrawn: Ioc) -> None:
    [west, _] = redrawn.export("--at", "2025-03-01")["features"]
    assert shape(west["geometry"]).equals(WEST)
    assert west["properties"]["valid_to"] == "2025-06-30T17:00:00+00:00"


def test_close_missing_retires_communes_merged_away(ioc: Ioc, communes: str) -> None:
    ioc(*IMPORT, communes, "--valid-from", "2025-01-01")
    merged = ioc.write(
        "merged.geojson", collection(feature("001", "Xã Tây Sơn", box(106.0, 20.0, 107.0, 20.5)))
    )
    result = ioc(*IMPORT, merged, "--valid-from", "2025-07-01", "--close-missing")
    assert result.exit_code == 0, result.output
    assert "1 replaced by a new version, 0 unchanged, 1 closed" in result.output
    assert [f["properties"]["code"] for f in ioc.export()["features"]] == ["001"]
    before = ioc.export("--at", "2025-06-30")["features"]
    assert [f["properties"]["code"] for f in before] == ["001", "002"]
