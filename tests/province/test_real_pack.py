"""A pack made from a real province's district boundaries checks without an error."""

from __future__ import annotations

from ioc.province.checks import check_pack
from ioc.province.reading import read_pack
from tests.province.real_pack import write_real_pack


def test_the_real_district_pack_checks_clean(tmp_path):
    real = write_real_pack(tmp_path / "son-la")

    pack, problems = read_pack(real.folder)
    problems += check_pack(pack)

    assert problems == []
    assert len(real.districts) == 11
    assert len(pack.agencies) >= 15
    assert len(pack.categories) >= 10
    assert {area.code for area in pack.areas} == {"SL", *(d.code for d in real.districts)}
    for district in real.districts:
        assert any(rule.area_code == district.code for rule in pack.rules)
    assert len(real.expected_leads) == 11 * 12
