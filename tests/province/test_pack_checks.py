"""The checks on packs built in memory, as the loader and the console build them from the
database (rows without an origin are named by their kind and code)."""

from __future__ import annotations

from ioc.province.checks import check_pack
from ioc.province.pack import (
    AgencyRow,
    AreaRow,
    AttributeRow,
    CategoryRow,
    GroupRow,
    ProvinceInfo,
    ProvincePack,
    RuleRow,
    Severity,
    UserRow,
    ValueItem,
)


def agency(code, **overrides):
    values = dict(
        code=code,
        name_vi=f"Cơ quan {code}",
        name_en=None,
        parent_code=None,
        area_code=None,
        kind="department",
        email=None,
        phone=None,
    )
    return AgencyRow(**{**values, **overrides})


def category(code, **overrides):
    values = dict(
        code=code,
        group_code="g",
        name_vi=f"Lĩnh vực {code}",
        name_en=None,
        description_vi=None,
        description_en=None,
        tier="normal",
        target_hours=24,
        auto_dispatch=False,
        photo_required=True,
        after_photo_required=True,
        private=False,
        duplicate_radius_m=50,
    )
    return CategoryRow(**{**values, **overrides})


def small_pack(**overrides) -> ProvincePack:
    """A clean pack: one province with one commune, its committee, a department, a category."""
    values = dict(
        province=ProvinceInfo(
            code="99", name_vi="Tỉnh Mẫu", name_en=None, time_zone="Asia/Ho_Chi_Minh"
        ),
        areas=(
            AreaRow("99", "province", "Tỉnh Mẫu", None, None),
            AreaRow("99001", "commune", "Xã Một", None, "99"),
        ),
        agencies=(
            agency("SXD", area_code="99"),
            agency("UBND-99001", area_code="99001", kind="commune_committee"),
        ),
        groups=(GroupRow("g", "Nhóm", None),),
        categories=(category("o-ga"),),
        rules=(RuleRow("o-ga", "99", "SXD", ("UBND-99001",)),),
        users=(
            UserRow("sxd", "Cán bộ SXD", "agency_officer", "SXD", None),
            UserRow("xa", "Cán bộ xã", "agency_officer", "UBND-99001", None),
            UserRow("quantri", "Quản trị", "admin", None, None),
        ),
    )
    return ProvincePack(**{**values, **overrides})


def messages(problems, severity=Severity.ERROR):
    return [p.message_vi for p in problems if p.severity is severity]


def test_a_clean_pack_has_no_problem():
    assert check_pack(small_pack()) == []


def test_a_row_without_origin_is_named_by_kind_and_code():
    pack = small_pack(agencies=(*small_pack().agencies, agency("SGT", kind="bus")))

    [problem] = [p for p in check_pack(pack) if p.severity is Severity.ERROR]

    assert problem.to_dict()["file"] is None
    assert problem.to_dict()["column"] == "kind"  # the console shows it beside that field
    assert problem.text("vi").startswith("cơ quan SGT (kind): loại cơ quan 'bus' không hợp lệ")
    assert problem.text("en").startswith("agency SGT (kind): unknown kind 'bus'")


def test_an_agency_cycle_is_an_error():
    agencies = (
        agency("A", parent_code="B"),
        agency("B", parent_code="A"),
        agency("UBND-99001", area_code="99001", kind="commune_committee"),
        agency("SXD"),
    )
    problems = check_pack(small_pack(agencies=agencies))

    assert any("A → B → A" in m for m in messages(problems))
    assert any("B → A → B" in m for m in messages(problems))


def test_roles_and_agencies_must_agree():
    users = (
        UserRow("a", "A", "agency_officer", None, None),
        UserRow("b", "B", "ioc_operator", "SXD", None),
        UserRow("c", "C", "citizen", None, None),
        UserRow("d d", "D", "admin", None, None),
        UserRow("sxd", "Cán bộ SXD", "agency_officer", "SXD", None),
        UserRow("xa", "Cán bộ xã", "agency_officer", "UBND-99001", None),
    )
    problems = check_pack(small_pack(users=users))

    errors = [p.message_en for p in problems if p.severity is Severity.ERROR]
    assert len(errors) == 4
    assert any(
        m.startswith("user a (agency_code): the role agency_officer works for") for m in errors
    )
    assert any(m.startswith("user b (agency_code)") for m in errors)
    assert any(m.startswith("user c (role): unknown role 'citizen'") for m in errors)
    assert any(m.startswith("user d d (username)") for m in errors)


def test_attribute_datatypes_and_values():
    attributes = (
        AttributeRow("o-ga", "kich-thuoc", "singlevaluelist", True, 1, "Kích thước", None),
        AttributeRow(
            "o-ga", "ghi-chu", "string", False, 2, "Ghi chú", None, (ValueItem("a", "A", None),)
        ),
        AttributeRow(
            "o-ga",
            "muc",
            "multivaluelist",
            False,
            3,
            "Mức",
            None,
            (ValueItem("a", "A", None), ValueItem("a", "B", None)),
        ),
        AttributeRow("o-ga", "muc", "so", False, 4, "Số", None),
        AttributeRow("khac", "x", "string", False, 1, "X", None),
    )
    problems = check_pack(small_pack(attributes=attributes))

    errors = [p.message_en for p in problems if p.severity is Severity.ERROR]
    assert errors == [
        "attribute o-ga.kich-thuoc (values): a singlevaluelist needs its choices "
        "(key:name_vi:name_en, separated by |)",
        "attribute o-ga.ghi-chu (values): only lists (singlevaluelist, multivaluelist) have "
        "choices; leave this empty for a string",
        "attribute o-ga.muc (values): choice keys repeated: a",
        "attribute o-ga.muc (code): 'muc' repeats another row: each code may be used once",
        "attribute o-ga.muc (datatype): unknown datatype 'so'; choose one of: string, text, "
        "number, datetime, singlevaluelist, multivaluelist",
        "attribute khac.x (category_code): the category 'khac' is not in the categories",
    ]


def test_rules_name_a_category_or_a_group_an_area_and_agencies():
    rules = (
        RuleRow("g", "99001", "UBND-99001"),
        RuleRow("o-ga", "99", "SXD", ("SXD",)),
        RuleRow("khac", "99", "SXD"),
        RuleRow("o-ga", "99002", "SXX"),
        RuleRow("g", "99001", "SXD"),
    )
    problems = check_pack(small_pack(rules=rules))

    errors = [p.message_en for p in problems if p.severity is Severity.ERROR]
    assert errors == [
        "rule o-ga / 99 (supporting_agency_codes): the lead agency SXD cannot also be a "
        "supporting agency",
        "rule khac / 99 (category_code): 'khac' is neither a category nor a group code",
        "rule o-ga / 99002 (area_code): the area '99002' is in none of the pack's boundary files",
        "rule o-ga / 99002 (lead_agency_code): the agency 'SXX' is not in the agencies",
        "rule g / 99001 (valid_from): a rule for g / 99001 from (no date) already exists",
    ]


def test_province_settings_are_checked_by_the_existing_parsers():
    province = ProvinceInfo(
        code="99",
        name_vi="Tỉnh Mẫu",
        name_en=None,
        time_zone="Asia/Hanoi_City",
        sla_policy_toml="[office_hours]\nmonday = []\n",
        holidays_toml="[[holidays]]\ndate = 2026-01-01\nname = 'Tết'\n",
    )
    problems = check_pack(small_pack(province=province))

    errors = [p.message_en for p in problems if p.severity is Severity.ERROR]
    assert errors[0].startswith("province (time_zone): 'Asia/Hanoi_City' is not an IANA")
    assert errors[1].startswith("the SLA policy (sla_policy): the SLA policy is not valid:")
    assert "receipt" in errors[1]
    assert errors[2].startswith("the holidays (holidays): the holidays are not valid:")
    assert "holidays" in errors[2]
    assert "/tmp" not in " ".join(errors)


def test_lengths_beyond_the_columns_are_refused():
    long = "x" * 65
    pack = small_pack(categories=(category("o-ga"), category(long, name_vi="T" * 201)))

    errors = [p.message_en for p in check_pack(pack) if p.severity is Severity.ERROR]

    assert f"category {long} (code): 65 characters long, at most 64" in errors
    assert f"category {long} (name_vi): 201 characters long, at most 200" in errors


def test_warnings_say_what_will_not_work_as_expected():
    pack = small_pack(
        areas=(*small_pack().areas, AreaRow("99002", "commune", "Xã Hai", None, "99")),
        agencies=(
            agency("SXD", area_code="99", active=False),
            agency("UBND-99001", area_code="99001", kind="commune_committee"),
            agency("SNNMT"),
            agency("IOC", kind="ioc"),
        ),
        categories=(category("o-ga"), category("rac")),
    )

    problems = check_pack(pack)

    assert [p.message_en for p in problems if p.severity is Severity.WARNING] == [
        "rule o-ga / 99 (lead_agency_code): the agency SXD is inactive: reports would go to "
        "an agency that no longer works",
        "user sxd (agency_code): the agency SXD is inactive",
        "category rac (code): no routing rule names this category or its group: every report "
        "will wait in the IOC queue",
        "area 99002: area 99002 (Xã Hai) has no People's Committee (an agency of kind "
        "commune_committee with area_code 99002)",
        "agency SNNMT (code): the agency has no user: nobody will see the reports assigned to it",
    ]
    assert messages(problems) == []


def test_a_group_rule_routes_every_category_of_the_group():
    pack = small_pack(
        categories=(category("o-ga"), category("rac")),
        rules=(RuleRow("g", "99", "SXD"),),
    )

    assert check_pack(pack) == []


def test_a_code_both_group_and_category_is_ambiguous():
    pack = small_pack(
        groups=(GroupRow("o-ga", "Nhóm", None),), categories=(category("o-ga", group_code="o-ga"),)
    )

    assert messages(check_pack(pack)) == [
        "nhóm lĩnh vực o-ga (group_code): 'o-ga' vừa là mã nhóm vừa là mã lĩnh vực: quy tắc "
        "chuyển xử lý không biết chỉ cái nào"
    ]
