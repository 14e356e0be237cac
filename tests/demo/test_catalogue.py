"""Consistency checks for the Hải Minh demo catalogue (pure data)."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter

import pytest

from ioc.demo import catalogue as cat
from ioc.demo.catalogue import (
    ADDRESS_STREETS,
    AGENCIES,
    CATEGORIES,
    CATEGORY_GROUPS,
    REPORT_SAMPLES,
    ROUTING_RULES,
    AgencySpec,
    AttributeSpec,
    CategoryGroupSpec,
    CategorySpec,
    RuleSpec,
)

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
AGENCY_CODE = re.compile(r"^[A-Z]+(-[A-Z]+)*$")
EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
PHONE = re.compile(r"^0235 3\d{3} \d{3}$")
VALID_SCOPES = {"province", "wards", "communes", "special_zone"}
VALID_TIERS = {"urgent", "normal", "complex"}
OPEN311_DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
LIST_DATATYPES = {"singlevaluelist", "multivaluelist"}

GROUP_CODES = {g.code for g in CATEGORY_GROUPS}
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}
AGENCY_CODES = {a.code for a in AGENCIES}
RULED_CATEGORIES = {r.category_code for r in ROUTING_RULES}


def has_vietnamese_diacritics(text: str) -> bool:
    """True if the text contains a letter outside plain ASCII (e.g. ă, ơ, ư, đ, tone marks)."""
    return any(ord(ch) > 127 and ch.isalpha() for ch in text)


def all_strings(obj: object):
    """Yield every string held (recursively) in the catalogue's dataclasses and containers."""
    if isinstance(obj, str):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            yield from all_strings(getattr(obj, field.name))
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from all_strings(key)
            yield from all_strings(value)
    elif isinstance(obj, (tuple, list)):
        for item in obj:
            yield from all_strings(item)


def duplicates(codes) -> list[str]:
    return [code for code, n in Counter(codes).items() if n > 1]


# --------------------------------------------------------------------------------------------
# Structure / immutability
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec_class", [AgencySpec, AttributeSpec, CategoryGroupSpec, CategorySpec, RuleSpec]
)
def test_specs_are_frozen_dataclasses(spec_class: type) -> None:
    assert dataclasses.is_dataclass(spec_class)
    assert spec_class.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_instances_cannot_be_mutated() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATEGORIES[0].code = "changed"  # type: ignore[misc]


def test_collections_are_tuples() -> None:
    for collection in (CATEGORY_GROUPS, CATEGORIES, AGENCIES, ROUTING_RULES, ADDRESS_STREETS):
        assert isinstance(collection, tuple)
    for category in CATEGORIES:
        assert isinstance(category.attributes, tuple)
        for attribute in category.attributes:
            assert isinstance(attribute.values, tuple)
            assert all(isinstance(v, tuple) and len(v) == 3 for v in attribute.values)
    for rule in ROUTING_RULES:
        assert isinstance(rule.supporting, tuple)
    assert all(isinstance(texts, tuple) for texts in REPORT_SAMPLES.values())


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------


def test_codes_are_unique() -> None:
    assert not duplicates(g.code for g in CATEGORY_GROUPS)
    assert not duplicates(c.code for c in CATEGORIES)
    assert not duplicates(a.code for a in AGENCIES)


def test_code_formats() -> None:
    for group in CATEGORY_GROUPS:
        assert SNAKE_CASE.match(group.code), group.code
    for category in CATEGORIES:
        assert SNAKE_CASE.match(category.code), category.code
    for agency in AGENCIES:
        assert AGENCY_CODE.match(agency.code), agency.code
        assert agency.code != cat.COMMUNE


def test_names_are_unique() -> None:
    for items in (CATEGORY_GROUPS, CATEGORIES, AGENCIES):
        assert not duplicates(i.name_vi for i in items)
        assert not duplicates(i.name_en for i in items)


# --------------------------------------------------------------------------------------------
# Category groups and categories
# --------------------------------------------------------------------------------------------


def test_group_count() -> None:
    assert 4 <= len(CATEGORY_GROUPS) <= 7


def test_every_category_refers_to_an_existing_group() -> None:
    for category in CATEGORIES:
        assert category.group_code in GROUP_CODES, category.code


def test_every_group_is_used() -> None:
    assert {c.group_code for c in CATEGORIES} == GROUP_CODES


def test_at_least_15_categories() -> None:
    assert len(CATEGORIES) >= 15


def test_parent_categories_exist_and_are_one_level_deep() -> None:
    children = [c for c in CATEGORIES if c.parent_code is not None]
    assert 1 <= len(children) <= 3
    for child in children:
        assert child.parent_code != child.code
        parent = CATEGORY_BY_CODE.get(child.parent_code)  # type: ignore[arg-type]
        assert parent is not None, child.code
        assert parent.parent_code is None, f"{child.code}: nested sub-categories"
        assert parent.group_code == child.group_code, child.code


def test_sla_tiers_and_targets() -> None:
    for category in CATEGORIES:
        assert category.sla_tier in VALID_TIERS, category.code
        hours = category.sla_target_hours
        if category.sla_tier == "urgent":
            assert 4 <= hours <= 8, category.code
        elif category.sla_tier == "normal":
            assert hours == 24, category.code
        else:
            assert 40 <= hours <= 80, category.code
    assert {c.sla_tier for c in CATEGORIES} == VALID_TIERS


def test_duplicate_radius_range() -> None:
    for category in CATEGORIES:
        assert 30 <= category.duplicate_radius_m <= 300, category.code
    by_code = CATEGORY_BY_CODE
    assert by_code["flooding"].duplicate_radius_m > by_code["pothole"].duplicate_radius_m


def test_auto_dispatch_only_for_urgent_categories() -> None:
    auto = [c for c in CATEGORIES if c.is_auto_dispatch]
    assert auto
    for category in auto:
        assert category.sla_tier == "urgent", category.code
    assert CATEGORY_BY_CODE["flooding"].is_auto_dispatch


def test_exactly_one_private_category_routed_to_police() -> None:
    private = [c for c in CATEGORIES if c.is_private]
    assert len(private) >= 1
    for category in private:
        rules = [r for r in ROUTING_RULES if r.category_code == category.code]
        assert rules, category.code
        assert all(r.lead == "CA" for r in rules), category.code
        assert category.is_auto_dispatch
        assert not category.is_photo_required


# --------------------------------------------------------------------------------------------
# Attributes (Open311 GeoReport v2)
# --------------------------------------------------------------------------------------------


def test_attribute_datatypes_and_values() -> None:
    for category in CATEGORIES:
        assert 1 <= len(category.attributes) <= 3, category.code
        for attribute in category.attributes:
            where = f"{category.code}.{attribute.code}"
            assert SNAKE_CASE.match(attribute.code), where
            assert attribute.datatype in OPEN311_DATATYPES, where
            if attribute.datatype in LIST_DATATYPES:
                assert len(attribute.values) >= 2, where
                keys = [key for key, _, _ in attribute.values]
                assert not duplicates(keys), where
                for key, name_vi, name_en in attribute.values:
                    assert SNAKE_CASE.match(key), f"{where}: {key}"
                    assert name_vi, f"{where}: {key}"
                    assert name_en, f"{where}: {key}"
            else:
                assert attribute.values == (), where


def test_attribute_codes_and_orders_unique_per_category() -> None:
    for category in CATEGORIES:
        assert not duplicates(a.code for a in category.attributes), category.code
        orders = [a.order for a in category.attributes]
        assert not duplicates(orders), category.code
        assert all(order > 0 for order in orders), category.code


def test_every_category_has_a_required_attribute() -> None:
    for category in CATEGORIES:
        assert any(a.required for a in category.attributes), category.code


def test_attribute_descriptions_bilingual() -> None:
    for category in CATEGORIES:
        for attribute in category.attributes:
            assert has_vietnamese_diacritics(attribute.description_vi), attribute.code
            assert attribute.description_en.isascii(), attribute.code


# --------------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------------


def test_agency_count() -> None:
    assert 8 <= len(AGENCIES) <= 12


def test_single_root_is_provincial_peoples_committee() -> None:
    root = [a for a in AGENCIES if a.code == cat.ROOT_AGENCY_CODE]
    assert len(root) == 1
    assert root[0].parent_code is None
    assert root[0].name_vi.startswith("Ủy ban nhân dân tỉnh")


def test_agency_parents_exist_without_cycles() -> None:
    parent_of = {a.code: a.parent_code for a in AGENCIES}
    for agency in AGENCIES:
        seen = {agency.code}
        parent = agency.parent_code
        while parent is not None:
            assert parent in AGENCY_CODES, f"{agency.code} -> {parent}"
            assert parent not in seen, f"cycle at {agency.code}"
            seen.add(parent)
            parent = parent_of[parent]


def test_agency_contacts() -> None:
    for agency in AGENCIES:
        assert EMAIL.match(agency.email), agency.email
        assert agency.email.endswith((".gov.vn", ".example.vn")), agency.email
        assert PHONE.match(agency.phone), agency.phone
        assert "tỉnh Hải Minh" in agency.address, agency.code
        assert re.match(r"^\d+ ", agency.address), agency.address
    assert not duplicates(a.email for a in AGENCIES)
    assert not duplicates(a.phone for a in AGENCIES)


def test_post_reform_agency_names() -> None:
    names = {a.name_vi for a in AGENCIES}
    assert any(n.startswith("Sở Xây dựng") for n in names)
    assert any(n.startswith("Sở Nông nghiệp và Môi trường") for n in names)
    # Merged away in 2025: must not reappear.
    for old in ("Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát"):
        assert not any(old in n for n in names), old


# --------------------------------------------------------------------------------------------
# Routing rules
# --------------------------------------------------------------------------------------------


def test_rules_refer_to_existing_things() -> None:
    valid_parties = AGENCY_CODES | {cat.COMMUNE}
    for rule in ROUTING_RULES:
        assert rule.category_code in CATEGORY_BY_CODE, rule
        assert rule.area_scope in VALID_SCOPES, rule
        assert rule.lead in valid_parties, rule
        for code in rule.supporting:
            assert code in valid_parties, rule
        assert rule.lead not in rule.supporting, rule
        assert not duplicates(rule.supporting), rule


def test_one_rule_per_category_and_scope() -> None:
    assert not duplicates((r.category_code, r.area_scope) for r in ROUTING_RULES)


def test_province_rules_do_not_use_commune_token() -> None:
    # A province-wide rule has no single commune to resolve the token against.
    for rule in ROUTING_RULES:
        if rule.area_scope == "province":
            assert rule.lead != cat.COMMUNE, rule
            assert cat.COMMUNE not in rule.supporting, rule


def test_area_specific_rules_have_a_province_fallback() -> None:
    scopes: dict[str, set[str]] = {}
    for rule in ROUTING_RULES:
        scopes.setdefault(rule.category_code, set()).add(rule.area_scope)
    for code, category_scopes in scopes.items():
        assert "province" in category_scopes, code


def test_most_specific_area_wins_is_exercised() -> None:
    province_lead = {r.category_code: r.lead for r in ROUTING_RULES if r.area_scope == "province"}
    overriding = [
        r
        for r in ROUTING_RULES
        if r.area_scope != "province" and r.lead != province_lead.get(r.category_code)
    ]
    assert overriding
    assert {r.area_scope for r in ROUTING_RULES} == VALID_SCOPES
    special_zone = [r for r in ROUTING_RULES if r.area_scope == "special_zone"]
    assert any(r.lead == cat.COMMUNE for r in special_zone)


def test_at_least_one_category_without_any_rule() -> None:
    unrouted = [
        c.code
        for c in CATEGORIES
        if c.code not in RULED_CATEGORIES
        and (c.parent_code is None or c.parent_code not in RULED_CATEGORIES)
    ]
    assert unrouted, "some category must land in the IOC review queue"
    for code in unrouted:
        assert not CATEGORY_BY_CODE[code].is_auto_dispatch, code


def test_sub_category_falls_back_to_parent_rule() -> None:
    fallbacks = [
        c.code
        for c in CATEGORIES
        if c.parent_code is not None
        and c.code not in RULED_CATEGORIES
        and c.parent_code in RULED_CATEGORIES
    ]
    assert fallbacks


def test_auto_dispatch_categories_are_routable() -> None:
    for category in CATEGORIES:
        if category.is_auto_dispatch:
            assert category.code in RULED_CATEGORIES or category.parent_code in RULED_CATEGORIES, (
                category.code
            )


def test_every_non_root_agency_is_used_in_routing() -> None:
    used = {r.lead for r in ROUTING_RULES} | {s for r in ROUTING_RULES for s in r.supporting}
    unused = AGENCY_CODES - used - {cat.ROOT_AGENCY_CODE}
    assert not unused


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------


def test_vietnamese_names_have_diacritics() -> None:
    for item in (*CATEGORY_GROUPS, *CATEGORIES, *AGENCIES):
        assert has_vietnamese_diacritics(item.name_vi), item.code
    for category in CATEGORIES:
        assert has_vietnamese_diacritics(category.description_vi), category.code
        for attribute in category.attributes:
            for key, name_vi, _ in attribute.values:
                assert has_vietnamese_diacritics(name_vi), f"{category.code}.{key}"


def test_english_names_are_ascii() -> None:
    for item in (*CATEGORY_GROUPS, *CATEGORIES, *AGENCIES):
        assert item.name_en.isascii(), item.code
    for category in CATEGORIES:
        assert category.description_en.isascii(), category.code


def test_all_strings_are_nfc_and_trimmed() -> None:
    for module_data in (
        CATEGORY_GROUPS,
        CATEGORIES,
        AGENCIES,
        ROUTING_RULES,
        REPORT_SAMPLES,
        ADDRESS_STREETS,
    ):
        for text in all_strings(module_data):
            assert text, "empty string"
            assert unicodedata.normalize("NFC", text) == text, text
            assert text == text.strip(), repr(text)
            assert "  " not in text, repr(text)


# --------------------------------------------------------------------------------------------
# Simulator data
# --------------------------------------------------------------------------------------------


def test_every_category_has_vietnamese_samples() -> None:
    assert set(REPORT_SAMPLES) == set(CATEGORY_BY_CODE)
    for code, texts in REPORT_SAMPLES.items():
        assert 4 <= len(texts) <= 6, code
        assert not duplicates(texts), code
        for text in texts:
            assert has_vietnamese_diacritics(text), text
            assert 20 <= len(text) <= 200, text
            assert text[0].isupper(), text
            assert text.endswith((".", "!", "?")), text


def test_address_streets() -> None:
    assert 20 <= len(ADDRESS_STREETS) <= 30
    assert not duplicates(ADDRESS_STREETS)
    for street in ADDRESS_STREETS:
        assert street.startswith("Đường "), street
