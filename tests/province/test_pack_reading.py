"""Reading a province pack folder: CSV or XLSX, defaults, and every problem with its place."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ioc.province.checks import check_pack
from ioc.province.pack import ATTRIBUTES, CATEGORIES, COLUMNS, RULES, USERS, Severity, ValueItem
from ioc.province.reading import read_pack
from tests.province.packs import EXAMPLE, append_row, copy_example, rows_of, set_cell, to_xlsx


def places(problems, severity=Severity.ERROR):
    return {
        (p.origin.file, p.origin.row, p.origin.column, p.origin.feature)
        for p in problems
        if p.severity is severity and p.origin is not None
    }


def test_the_example_pack_reads_without_a_problem():
    pack, problems = read_pack(EXAMPLE)

    assert problems == []
    assert (pack.province.code, pack.province.name_vi) == ("99", "Tỉnh Mẫu")
    assert [area.code for area in pack.areas] == ["99", "99001", "99002", "99003", "99004", "99005"]
    assert {area.parent_code for area in pack.areas[1:]} == {"99"}
    assert len(pack.agencies) == 10
    assert [group.code for group in pack.groups] == ["ha-tang", "moi-truong", "trat-tu"]
    assert [category.sort_order for category in pack.categories] == list(range(8))
    assert pack.province.sla_policy_toml is not None
    assert pack.province.holidays_toml is not None


def test_the_example_pack_checks_clean():
    pack, _ = read_pack(EXAMPLE)

    assert check_pack(pack) == []


def test_csv_and_xlsx_tables_give_the_same_pack(tmp_path):
    folder = copy_example(tmp_path)
    for name in COLUMNS:
        to_xlsx(folder / f"{name}.csv")

    from_xlsx, problems = read_pack(folder)
    from_csv, _ = read_pack(EXAMPLE)

    assert problems == []
    assert from_xlsx == from_csv
    assert from_xlsx.rules[-1].origin.file == "rules.xlsx"


def test_a_byte_order_mark_and_surrounding_spaces_make_no_difference(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "users.csv"
    rows = [[f"  {cell} " for cell in row] for row in rows_of(path)]
    path.write_text("\ufeff" + "\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")

    pack, problems = read_pack(folder)

    assert problems == []
    assert pack == read_pack(EXAMPLE)[0]


def test_having_both_a_csv_and_an_xlsx_is_an_error(tmp_path):
    folder = copy_example(tmp_path)
    (folder / "rules.xlsx").write_bytes((folder / "rules.csv").read_bytes())

    _, problems = read_pack(folder)

    [problem] = problems
    assert "rules.csv" in problem.message_vi
    assert "rules.xlsx" in problem.message_vi


def test_values_supporting_codes_and_defaults(tmp_path):
    folder = copy_example(tmp_path)
    row = append_row(
        folder / "categories.csv",
        {
            "code": "moi",
            "group_code": "trat-tu",
            "name_vi": "Mới",
            "tier": "normal",
            "target_hours": "24",
        },
    )
    append_row(
        folder / "rules.csv",
        {
            "category_code": "moi",
            "area_code": "99",
            "lead_agency_code": "SXD",
            "supporting_agency_codes": " SNNMT ; CA-99;",
            "valid_from": "2026-03-01",
        },
    )

    pack, problems = read_pack(folder)

    assert problems == []
    category = pack.categories[-1]
    assert category.origin.row == row
    assert (category.name_en, category.description_vi) == (None, None)
    assert (category.auto_dispatch, category.photo_required, category.private) == (
        False,
        True,
        False,
    )
    assert category.duplicate_radius_m == 50
    rule = pack.rules[-1]
    assert rule.supporting_agency_codes == ("CA-99", "SNNMT")
    assert rule.valid_from == date(2026, 3, 1)
    size = pack.attributes[0]
    assert size.values[0] == ValueItem("nho", "Nhỏ (dưới 30 cm)", "Small (under 30 cm)")


def test_a_pack_with_broken_rows_names_each_file_row_and_column(tmp_path):
    folder = copy_example(tmp_path)
    unknown_agency = append_row(
        folder / "rules.csv",
        {"category_code": "o-ga", "area_code": "99002", "lead_agency_code": "SXX"},
    )
    unknown_area = append_row(
        folder / "rules.csv",
        {"category_code": "o-ga", "area_code": "99999", "lead_agency_code": "SXD"},
    )
    set_cell(folder / "attributes.csv", 3, "datatype", "so")
    duplicate = append_row(
        folder / "categories.csv",
        {
            "code": "o-ga",
            "group_code": "ha-tang",
            "name_vi": "Ổ gà lần nữa",
            "tier": "normal",
            "target_hours": "24",
        },
    )
    set_cell(folder / "attributes.csv", 2, "values", "nho:Nhỏ:Small|:Vừa:Medium")
    set_cell(folder / "categories.csv", 4, "private", "có lẽ")
    agencies = rows_of(folder / "agencies.csv")
    (folder / "agencies.csv").write_text(
        "\n".join(",".join([*row, "fax" if i == 0 else ""]) for i, row in enumerate(agencies))
        + "\n",
        encoding="utf-8",
    )

    pack, read_problems = read_pack(folder)
    problems = read_problems + check_pack(pack)

    assert {
        ("rules.csv", unknown_agency, "lead_agency_code", None),
        ("rules.csv", unknown_area, "area_code", None),
        ("attributes.csv", 3, "datatype", None),
        ("categories.csv", duplicate, "code", None),
        ("attributes.csv", 2, "values", None),
        ("categories.csv", 4, "private", None),
        ("agencies.csv", 1, "fax", None),
    } <= places(problems)
    by_place = {(p.origin.file, p.origin.row, p.origin.column): p for p in problems}
    assert "SXX" in by_place[("rules.csv", unknown_agency, "lead_agency_code")].message_vi
    assert "thiếu mã" in by_place[("attributes.csv", 2, "values")].message_vi
    assert "có lẽ" in by_place[("categories.csv", 4, "private")].text("vi")
    assert (
        by_place[("agencies.csv", 1, "fax")]
        .text("en")
        .startswith("agencies.csv, row 1, column fax: unknown column 'fax'")
    )


def test_a_missing_required_column_and_an_empty_required_cell(tmp_path):
    folder = copy_example(tmp_path)
    rows = rows_of(folder / "users.csv")
    role = rows[0].index("role")
    (folder / "users.csv").write_text(
        "\n".join(",".join(c for i, c in enumerate(row) if i != role) for row in rows) + "\n",
        encoding="utf-8",
    )
    set_cell(folder / "rules.csv", 2, "lead_agency_code", "")

    pack, problems = read_pack(folder)

    assert {("users.csv", 1, "role", None), ("rules.csv", 2, "lead_agency_code", None)} <= places(
        problems
    )
    assert len(pack.rules) == len(rows_of(EXAMPLE / "rules.csv")) - 2  # the empty one dropped


def test_a_group_named_two_ways_is_an_error(tmp_path):
    folder = copy_example(tmp_path)
    set_cell(folder / "categories.csv", 3, "group_name_vi", "Giao thông")

    _, problems = read_pack(folder)

    assert places(problems) == {("categories.csv", 3, "group_name_vi", None)}
    assert "dòng 2" in problems[0].message_vi


def test_a_bad_boundary_feature_is_named_by_its_index(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "areas" / "communes.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    del collection["features"][2]["properties"]["ma"]
    path.write_text(json.dumps(collection), encoding="utf-8")

    _, problems = read_pack(folder)

    assert places(problems) == {("areas/communes.geojson", None, None, 2)}
    assert "'ma'" in problems[0].message_en


def test_an_inline_policy_is_kept_as_toml_text(tmp_path):
    folder = copy_example(tmp_path)
    policy = (folder / "sla_policy.toml").read_text(encoding="utf-8")
    inline = "".join(
        f"[sla_policy.{line.strip('[]')}]\n" if line.startswith("[") else line + "\n"
        for line in policy.splitlines()
    )
    province = (folder / "province.toml").read_text(encoding="utf-8")
    province = province.replace('sla_policy = "sla_policy.toml"\n', "")
    head, _, areas = province.partition("[[areas]]")
    (folder / "province.toml").write_text(f"{head}{inline}\n[[areas]]{areas}", encoding="utf-8")

    pack, problems = read_pack(folder)

    assert problems == []
    assert check_pack(pack) == []
    assert "complex_working_hours = 64" in (pack.province.sla_policy_toml or "")


def test_files_outside_the_pack_and_unknown_keys_are_refused(tmp_path):
    folder = copy_example(tmp_path)
    text = (folder / "province.toml").read_text(encoding="utf-8")
    text = text.replace('holidays = "holidays.toml"', 'holidays = "../../etc/holidays.toml"')
    text = text.replace('time_zone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Ho_Chi_Minh"')
    (folder / "province.toml").write_text(text, encoding="utf-8")

    _, problems = read_pack(folder)

    assert places(problems) == {
        ("province.toml", None, "holidays", None),
        ("province.toml", None, "timezone", None),
    }


@pytest.mark.parametrize("name", [ATTRIBUTES, RULES, USERS])
def test_a_missing_optional_table_is_empty(tmp_path, name):
    folder = copy_example(tmp_path)
    (folder / f"{name}.csv").unlink()

    pack, problems = read_pack(folder)

    assert problems == []
    assert getattr(pack, name) == ()


def test_a_missing_categories_table_is_an_error(tmp_path):
    folder = copy_example(tmp_path)
    (folder / f"{CATEGORIES}.csv").unlink()

    _, problems = read_pack(folder)

    assert places(problems) == {("categories.csv", None, None, None)}


def test_sign_off_is_read_from_agencies_csv_and_written_back(tmp_path):
    import dataclasses

    from ioc.province.writing import write_pack

    pack, _ = read_pack(EXAMPLE)
    assert not any(a.sign_off for a in pack.agencies)  # the column is optional, default no
    first = pack.agencies[0]
    signed = dataclasses.replace(
        pack,
        agencies=(dataclasses.replace(first, sign_off=True), *pack.agencies[1:]),
    )

    write_pack(signed, tmp_path / "out")
    again, problems = read_pack(tmp_path / "out")

    assert [a.code for a in again.agencies if a.sign_off] == [first.code]
    assert not places(problems)
