"""``ioc province check``: every problem, a count, exit 1 on an error; no database needed."""

from __future__ import annotations

from click.testing import CliRunner

from ioc.cli import main
from tests.province.packs import EXAMPLE, append_row, copy_example


def test_check_of_the_example_pack_passes():
    result = CliRunner().invoke(main, ["province", "check", str(EXAMPLE)])

    assert result.exit_code == 0, result.output
    assert result.output == f"{EXAMPLE}: 0 lỗi, 0 cảnh báo\n"


def test_check_prints_each_problem_where_it_is_and_exits_1(tmp_path):
    folder = copy_example(tmp_path)
    row = append_row(
        folder / "rules.csv",
        {"category_code": "o-ga", "area_code": "99002", "lead_agency_code": "SXX"},
    )

    result = CliRunner().invoke(main, ["province", "check", str(folder)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"LỖI: rules.csv, dòng {row}, cột lead_agency_code: cơ quan 'SXX' không có trong "
        "danh sách cơ quan",
        f"{folder}: 1 lỗi, 0 cảnh báo",
    ]


def test_check_speaks_english_on_request_and_warnings_do_not_fail(tmp_path):
    folder = copy_example(tmp_path)
    append_row(folder / "agencies.csv", {"code": "SYT", "name_vi": "Sở Y tế", "kind": "department"})

    result = CliRunner().invoke(main, ["province", "check", str(folder), "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "WARNING: agencies.csv, row 12, column code: the agency has no user: nobody will see the "
        "reports assigned to it",
        f"{folder}: 0 error(s), 1 warning(s)",
    ]
