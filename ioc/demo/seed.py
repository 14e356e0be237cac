"""``ioc seed demo``: the generated province, its agencies, categories, rules and accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.demo import catalogue
from ioc.demo.catalogue import COMMUNE, AttributeSpec, RuleSpec
from ioc.demo.geography import PROVINCE_CODE, DemoGeography, province_geography
from ioc.feedback.models import Agency, Category, CategoryGroup, RoutingRule
from ioc.feedback.people.accounts import create_staff_user
from ioc.feedback.states import Role
from ioc.geo.boundaries import PropertyMapping, parse_areas
from ioc.geo.importer import import_areas

#: The two-tier administration took effect on 1 July 2025 (00:00 in Vietnam).
REFORM_DATE = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)

_SCOPE_KINDS = {"wards": "phường", "communes": "xã", "special_zone": "đặc khu"}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    agency_code: str | None


DEMO_ACCOUNTS = (
    DemoAccount("admin", "demo-admin", Role.ADMIN, None),
    DemoAccount("giamsat", "demo-giamsat", Role.IOC_SUPERVISOR, None),
    DemoAccount("dieuhanh", "demo-dieuhanh", Role.IOC_OPERATOR, None),
    DemoAccount("sxd.truongphong", "demo-sxd-manager", Role.AGENCY_MANAGER, "SXD"),
    DemoAccount("sxd.canbo", "demo-sxd-officer", Role.AGENCY_OFFICER, "SXD"),
    DemoAccount("lanhdao", "demo-lanhdao", Role.VIEWER, None),
)


@dataclass(frozen=True)
class SeedResult:
    already_seeded: bool
    areas: int
    agencies: int
    categories: int
    rules: int
    accounts: tuple[DemoAccount, ...]


def seed_demo(session: Session, *, seed: int = 2025) -> SeedResult:
    """Load the demo province. Running it again changes nothing. Never commits."""
    if session.scalar(select(Agency.id).where(Agency.code == catalogue.ROOT_AGENCY_CODE)):
        return SeedResult(True, 0, 0, 0, 0, DEMO_ACCOUNTS)
    geography = province_geography(seed)
    areas = _load_areas(session, geography)
    communes = [feature["properties"] for feature in geography.communes["features"]]
    agencies = _load_agencies(session, communes)
    categories = _load_categories(session)
    rules = _load_rules(session, communes, agencies, categories)
    for account in DEMO_ACCOUNTS:
        create_staff_user(
            session,
            username=account.username,
            role=account.role,
            password=account.password,
            agency_code=account.agency_code,
        )
    return SeedResult(False, areas, len(agencies), len(categories), rules, DEMO_ACCOUNTS)


def _load_areas(session: Session, geography: DemoGeography) -> int:
    province = parse_areas(
        geography.province,
        PropertyMapping(
            level="province", code_prop="code", name_prop="name", name_en_prop="name_en"
        ),
        source="demo province",
    )
    communes = parse_areas(
        geography.communes,
        PropertyMapping(
            level="commune",
            code_prop="code",
            name_prop="name",
            name_en_prop="name_en",
            parent_code_prop="parent_code",
        ),
        source="demo communes",
    )
    import_areas(session, province, source="demo province", valid_from=REFORM_DATE)
    import_areas(session, communes, source="demo communes", valid_from=REFORM_DATE)
    return len(province) + len(communes)


def commune_agency_code(commune_code: str) -> str:
    return f"UBND-{commune_code}"


def _load_agencies(session: Session, communes: list[dict[str, Any]]) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for spec in catalogue.AGENCIES:
        agencies[spec.code] = Agency(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            parent=agencies.get(spec.parent_code) if spec.parent_code else None,
            area_code=PROVINCE_CODE,
            email=spec.email,
            phone=spec.phone,
            address=spec.address,
        )
    root = agencies[catalogue.ROOT_AGENCY_CODE]
    for commune in communes:
        code = commune_agency_code(commune["code"])
        agencies[code] = Agency(
            code=code,
            name_vi=f"UBND {commune['name']}",
            name_en=f"People's Committee of {commune['name_en']}",
            parent=root,
            area_code=commune["code"],
        )
    session.add_all(agencies.values())
    session.flush()
    return agencies


def _load_categories(session: Session) -> dict[str, Category]:
    groups = {
        spec.code: CategoryGroup(
            code=spec.code, name_vi=spec.name_vi, name_en=spec.name_en, sort_order=order
        )
        for order, spec in enumerate(catalogue.CATEGORY_GROUPS)
    }
    categories: dict[str, Category] = {}
    for order, spec in enumerate(catalogue.CATEGORIES):
        categories[spec.code] = Category(
            code=spec.code,
            group=groups[spec.group_code],
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            description_vi=spec.description_vi,
            description_en=spec.description_en,
            attributes=[_attribute_definition(a) for a in spec.attributes],
            sla_tier=spec.sla_tier,
            sla_target_hours=spec.sla_target_hours,
            duplicate_radius_m=spec.duplicate_radius_m,
            is_auto_dispatch=spec.is_auto_dispatch,
            is_private=spec.is_private,
            is_photo_required=spec.is_photo_required,
            is_after_photo_required=spec.is_photo_required,
            surge_threshold=spec.surge_threshold,
            surge_window_minutes=spec.surge_window_minutes,
            sort_order=order,
        )
    for spec in catalogue.CATEGORIES:
        if spec.parent_code:
            categories[spec.code].parent = categories[spec.parent_code]
    session.add_all(categories.values())
    session.flush()
    return categories


def _attribute_definition(spec: AttributeSpec) -> dict[str, Any]:
    """An Open311 GeoReport v2 attribute, with the English text beside the Vietnamese."""
    return {
        "code": spec.code,
        "datatype": spec.datatype,
        "required": spec.required,
        "variable": True,
        "order": spec.order,
        "description": spec.description_vi,
        "description_en": spec.description_en,
        "values": [{"key": k, "name": vi, "name_en": en} for k, vi, en in spec.values],
    }


def _load_rules(
    session: Session,
    communes: list[dict[str, Any]],
    agencies: dict[str, Agency],
    categories: dict[str, Category],
) -> int:
    count = 0
    for spec in catalogue.ROUTING_RULES:
        for area_code in _scope_areas(spec, communes):

            def agency(token: str, area_code: str = area_code) -> Agency:
                return agencies[commune_agency_code(area_code) if token == COMMUNE else token]

            session.add(
                RoutingRule(
                    category=categories[spec.category_code],
                    area_code=area_code,
                    lead_agency=agency(spec.lead),
                    supporting_agencies=[agency(token) for token in spec.supporting],
                )
            )
            count += 1
    session.flush()
    return count


def _scope_areas(spec: RuleSpec, communes: list[dict[str, Any]]) -> list[str]:
    if spec.area_scope == "province":
        return [PROVINCE_CODE]
    kind = _SCOPE_KINDS[spec.area_scope]
    return [commune["code"] for commune in communes if commune["kind"] == kind]
