"""``ioc province load`` and ``export`` on a real SQLite file, with packs built in memory and
written as the folders a province would send."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ioc.cli import main
from ioc.geo.boundaries import PropertyMapping, parse_areas
from ioc.province.pack import COLUMNS, ProvincePack, RuleRow
from ioc.province.writing import write_pack
from tests.province.factories import make_pack, parsed_areas


class Ioc:
    def __init__(self, tmp_path: Path) -> None:
        self.env = {"IOC_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        return self.runner.invoke(main, list(args), env=self.env, catch_exceptions=False)

    def pack(self, folder: Path, pack: ProvincePack) -> str:
        write_pack(pack, folder)
        return str(folder)


@pytest.fixture
def ioc(tmp_path: Path) -> Ioc:
    ioc = Ioc(tmp_path)
    assert ioc("db", "upgrade").exit_code == 0
    return ioc


def test_load_prints_the_difference_then_no_changes(ioc: Ioc, tmp_path: Path) -> None:
    folder = ioc.pack(tmp_path / "pack", make_pack())

    first = ioc("province", "load", folder)
    again = ioc("province", "load", folder)

    assert first.exit_code == 0, first.output
    assert "Cơ quan: 5 thêm, 0 sửa, 0 đóng" in first.output
    assert "http://localhost:5000/set-password?token=" in first.output
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "không có thay đổi"


def test_dry_run_writes_nothing(ioc: Ioc, tmp_path: Path) -> None:
    folder = ioc.pack(tmp_path / "pack", make_pack())

    dry = ioc("province", "load", "--dry-run", "--lang", "en", folder)
    real = ioc("province", "load", "--lang", "en", folder)

    assert "Agencies: 5 added, 0 changed, 0 closed" in dry.output
    assert "dry run: nothing was written" in dry.output
    assert "Agencies: 5 added, 0 changed, 0 closed" in real.output


def test_a_refused_pack_prints_every_problem_and_writes_nothing(ioc: Ioc, tmp_path: Path) -> None:
    ioc("province", "load", ioc.pack(tmp_path / "pack", make_pack()))
    broken = make_pack(rules=(RuleRow("POTHOLE", "P-W", "UBND-P-W", valid_from=None),))
    broken = dataclasses.replace(broken, users=broken.users[1:])

    result = ioc("province", "load", ioc.pack(tmp_path / "broken", broken))

    assert result.exit_code == 1
    assert "users.csv, cột role:" in result.output
    assert "không có gì được ghi" in result.output
    again = ioc("province", "load", str(tmp_path / "pack"))
    assert again.output.splitlines()[0] == "không có thay đổi"


def test_export_writes_a_pack_that_loads_as_no_changes(ioc: Ioc, tmp_path: Path) -> None:
    ioc("province", "load", ioc.pack(tmp_path / "pack", make_pack()))
    out = tmp_path / "out"

    result = ioc("province", "export", str(out))

    assert result.exit_code == 0, result.output
    with (out / "agencies.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == COLUMNS["agencies"]
    assert [row[0] for row in rows[1:]] == ["CTN", "SXD", "UBND-P", "UBND-P-E", "UBND-P-W"]
    with (out / "rules.csv").open(encoding="utf-8") as handle:
        assert next(iter(csv.DictReader(handle))) == {
            "category_code": "HT",
            "area_code": "P",
            "lead_agency_code": "CTN",
            "supporting_agency_codes": "",
            "valid_from": "",
        }
    with (out / "attributes.csv").open(encoding="utf-8") as handle:
        assert next(iter(csv.DictReader(handle)))["values"] == "small:Nhỏ:Small|large:Lớn:Large"
    assert 'code = "P"' in (out / "province.toml").read_text(encoding="utf-8")
    communes = parse_areas(
        json.loads((out / "areas/commune.geojson").read_text(encoding="utf-8")),
        PropertyMapping(
            level="commune", code_prop="code", name_prop="name", parent_code_prop="parent_code"
        ),
        source="export",
    )
    expected = {a.code: a.fingerprint for a in parsed_areas() if a.level == "commune"}
    assert {a.code: a.fingerprint for a in communes} == expected
