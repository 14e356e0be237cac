"""Province packs built in memory: a small province of two communes, ready to load."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from shapely.geometry import box

from ioc.geo.boundaries import ParsedArea, PropertyMapping, parse_areas
from ioc.province.pack import (
    AgencyRow,
    AreaRow,
    AreaSource,
    AttributeRow,
    CategoryRow,
    GroupRow,
    ProvinceInfo,
    ProvincePack,
    RuleRow,
    UserRow,
    ValueItem,
)
from tests.factories import collection, feature

PROVINCE = box(108.0, 16.0, 108.2, 16.1)
WEST = box(108.0, 16.0, 108.1, 16.1)
EAST = box(108.1, 16.0, 108.2, 16.1)
IN_WEST = (108.05, 16.05)
IN_EAST = (108.15, 16.05)

AREAS_FROM = date(2025, 7, 1)


def parsed_areas() -> list[ParsedArea]:
    province = parse_areas(
        collection(feature("P", "Tỉnh Thử", PROVINCE, name_en="Test Province")),
        PropertyMapping(
            level="province", code_prop="code", name_prop="name", name_en_prop="name_en"
        ),
        source="areas/province.geojson",
    )
    communes = parse_areas(
        collection(
            feature("P-W", "Xã Tây", WEST, parent="P"),
            feature("P-E", "Phường Đông", EAST, parent="P"),
        ),
        PropertyMapping(
            level="commune", code_prop="code", name_prop="name", parent_code_prop="parent"
        ),
        source="areas/commune.geojson",
    )
    return province + communes


def area_rows(parsed: list[ParsedArea]) -> tuple[AreaRow, ...]:
    return tuple(
        AreaRow(
            code=a.code,
            level=a.level,
            name_vi=a.name_vi,
            name_en=a.name_en,
            parent_code=a.parent_code,
            parsed=a,
        )
        for a in parsed
    )


def agency(code: str, **overrides: Any) -> AgencyRow:
    values: dict[str, Any] = {
        "name_vi": f"Cơ quan {code}",
        "name_en": f"Agency {code}",
        "parent_code": None,
        "area_code": "P",
        "kind": "department",
        "email": f"{code.lower()}@example.vn",
        "phone": None,
    }
    values.update(overrides)
    return AgencyRow(code=code, **values)


def category(code: str, group_code: str = "HT", **overrides: Any) -> CategoryRow:
    values: dict[str, Any] = {
        "name_vi": f"Lĩnh vực {code}",
        "name_en": f"Category {code}",
        "description_vi": None,
        "description_en": None,
        "tier": "normal",
        "target_hours": 24,
        "auto_dispatch": True,
        "photo_required": False,
        "after_photo_required": True,
        "private": False,
        "duplicate_radius_m": 50,
    }
    values.update(overrides)
    return CategoryRow(code=code, group_code=group_code, **values)


def make_pack(**overrides: Any) -> ProvincePack:
    """The test province: two communes each with its People's Committee, two departments,
    one group of two categories (one with a list attribute), rules and three staff."""
    values: dict[str, Any] = {
        "province": ProvinceInfo(
            code="P",
            name_vi="Tỉnh Thử",
            name_en="Test Province",
            time_zone="Asia/Ho_Chi_Minh",
            sla_policy_toml=None,
            holidays_toml=None,
        ),
        "area_sources": (
            AreaSource(
                file="areas/province.geojson",
                level="province",
                code_prop="code",
                name_prop="name",
                valid_from=AREAS_FROM,
            ),
            AreaSource(
                file="areas/commune.geojson",
                level="commune",
                code_prop="code",
                name_prop="name",
                parent_code_prop="parent",
                valid_from=AREAS_FROM,
            ),
        ),
        "areas": area_rows(parsed_areas()),
        "agencies": (
            agency("UBND-P", kind="other"),
            agency("SXD", parent_code="UBND-P"),
            agency("CTN", parent_code="UBND-P", kind="company"),
            agency("UBND-P-W", area_code="P-W", kind="commune_committee", parent_code="UBND-P"),
            agency("UBND-P-E", area_code="P-E", kind="commune_committee", parent_code="UBND-P"),
        ),
        "groups": (GroupRow(code="HT", name_vi="Hạ tầng", name_en="Infrastructure"),),
        "categories": (
            category("POTHOLE", name_vi="Ổ gà", name_en="Pothole", sort_order=0),
            category("WATER", name_vi="Mất nước", name_en="No water", sort_order=1),
        ),
        "attributes": (
            AttributeRow(
                category_code="POTHOLE",
                code="size",
                datatype="singlevaluelist",
                required=True,
                order=1,
                description_vi="Kích thước",
                description_en="Size",
                values=(
                    ValueItem("small", "Nhỏ", "Small"),
                    ValueItem("large", "Lớn", "Large"),
                ),
            ),
        ),
        "rules": (
            RuleRow("POTHOLE", "P", "SXD", ("UBND-P-E",)),
            RuleRow("POTHOLE", "P-W", "UBND-P-W"),
            RuleRow("HT", "P", "CTN"),
        ),
        "users": (
            UserRow("quantri", "Quản trị", "admin", None, "admin@example.vn"),
            UserRow("sxd.canbo", "Cán bộ SXD", "agency_officer", "SXD", None),
            UserRow("dieuhanh", "Điều hành", "ioc_operator", None, None),
        ),
    }
    values.update(overrides)
    return ProvincePack(**values)


def replace_row(rows: tuple[Any, ...], key: str, attribute: str = "code", **changes: Any) -> Any:
    """``rows`` with the one whose ``attribute`` is ``key`` changed."""
    return tuple(
        dataclasses.replace(row, **changes) if getattr(row, attribute) == key else row
        for row in rows
    )
