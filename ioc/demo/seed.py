"""``ioc seed demo``: the generated province, its agencies, categories, rules and accounts.

The demo is a province pack built in memory and loaded through the same loader as a real
province's pack (:func:`ioc.province.loading.load_pack`); only what a pack cannot say (the
agencies' addresses, sub-categories, surge thresholds, the accounts' known passwords) is
written afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.demo import catalogue
from ioc.demo.catalogue import COMMUNE, RuleSpec
from ioc.demo.geography import (
    PROVINCE_CODE,
    PROVINCE_NAME,
    PROVINCE_NAME_EN,
    DemoGeography,
    province_geography,
)
from ioc.feedback.models import Agency, Category, PasswordSetup, User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.states import AgencyKind, Role
from ioc.geo.boundaries import PropertyMapping, parse_areas
from ioc.province.loading import load_pack
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

#: The two-tier administration took effect on 1 July 2025 (00:00 in Vietnam).
REFORM_DATE = datetime(2025, 6, 30, 17, 0, tzinfo=UTC)
REFORM_DAY = date(2025, 7, 1)
TIME_ZONE = "Asia/Ho_Chi_Minh"

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


def seed_demo(session: Session, *, seed: int = 2025, at: datetime | None = None) -> SeedResult:
    """Load the demo province. Running it again changes nothing. Never commits."""
    if session.scalar(select(Agency.id).where(Agency.code == catalogue.ROOT_AGENCY_CODE)):
        return SeedResult(True, 0, 0, 0, 0, DEMO_ACCOUNTS)
    moment = at or utcnow()
    result = load_pack(session, demo_pack(seed), actor=None, at=moment, source="demo")
    _demo_extras(session, at=moment)
    changes = result.changes
    return SeedResult(
        False,
        len(changes["areas"].added),
        len(changes["agencies"].added),
        len(changes["categories"].added),
        len(changes["rules"].added),
        DEMO_ACCOUNTS,
    )


def demo_pack(seed: int = 2025) -> ProvincePack:
    """The demo province as a pack: generated boundaries, the catalogue, its rules expanded
    per commune, and the demo accounts."""
    geography = province_geography(seed)
    communes = [feature["properties"] for feature in geography.communes["features"]]
    return ProvincePack(
        province=ProvinceInfo(
            code=PROVINCE_CODE, name_vi=PROVINCE_NAME, name_en=PROVINCE_NAME_EN, time_zone=TIME_ZONE
        ),
        area_sources=(
            _source("province", parent_code_prop=None),
            _source("commune", parent_code_prop="parent_code"),
        ),
        areas=_areas(geography),
        agencies=_agencies(communes),
        groups=tuple(
            GroupRow(code=spec.code, name_vi=spec.name_vi, name_en=spec.name_en, sort_order=order)
            for order, spec in enumerate(catalogue.CATEGORY_GROUPS)
        ),
        categories=tuple(
            CategoryRow(
                code=spec.code,
                group_code=spec.group_code,
                name_vi=spec.name_vi,
                name_en=spec.name_en,
                description_vi=spec.description_vi,
                description_en=spec.description_en,
                tier=spec.sla_tier,
                target_hours=spec.sla_target_hours,
                auto_dispatch=spec.is_auto_dispatch,
                photo_required=spec.is_photo_required,
                after_photo_required=spec.is_photo_required,
                private=spec.is_private,
                duplicate_radius_m=spec.duplicate_radius_m,
                sort_order=order,
            )
            for order, spec in enumerate(catalogue.CATEGORIES)
        ),
        attributes=tuple(
            AttributeRow(
                category_code=spec.code,
                code=a.code,
                datatype=a.datatype,
                required=a.required,
                order=a.order,
                description_vi=a.description_vi,
                description_en=a.description_en,
                values=tuple(ValueItem(k, vi, en) for k, vi, en in a.values),
            )
            for spec in catalogue.CATEGORIES
            for a in spec.attributes
        ),
        rules=_rules(communes),
        users=tuple(
            UserRow(a.username, a.username, a.role, a.agency_code, None) for a in DEMO_ACCOUNTS
        ),
    )


def _source(level: str, *, parent_code_prop: str | None) -> AreaSource:
    return AreaSource(
        file=f"areas/{level}.geojson",
        level=level,
        code_prop="code",
        name_prop="name",
        name_en_prop="name_en",
        parent_code_prop=parent_code_prop,
        valid_from=REFORM_DAY,
    )


def _areas(geography: DemoGeography) -> tuple[AreaRow, ...]:
    parsed = parse_areas(
        geography.province,
        PropertyMapping(
            level="province", code_prop="code", name_prop="name", name_en_prop="name_en"
        ),
        source="demo province",
    ) + parse_areas(
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


def commune_agency_code(commune_code: str) -> str:
    return f"UBND-{commune_code}"


def _agencies(communes: list[dict[str, Any]]) -> tuple[AgencyRow, ...]:
    rows = [
        AgencyRow(
            code=spec.code,
            name_vi=spec.name_vi,
            name_en=spec.name_en,
            parent_code=spec.parent_code,
            area_code=PROVINCE_CODE,
            kind=AgencyKind.DEPARTMENT,
            email=spec.email,
            phone=spec.phone,
        )
        for spec in catalogue.AGENCIES
    ]
    rows += [
        AgencyRow(
            code=commune_agency_code(commune["code"]),
            name_vi=f"UBND {commune['name']}",
            name_en=f"People's Committee of {commune['name_en']}",
            parent_code=catalogue.ROOT_AGENCY_CODE,
            area_code=commune["code"],
            kind=AgencyKind.COMMUNE_COMMITTEE,
            email=None,
            phone=None,
        )
        for commune in communes
    ]
    return tuple(rows)


def _rules(communes: list[dict[str, Any]]) -> tuple[RuleRow, ...]:
    rules = []
    for spec in catalogue.ROUTING_RULES:
        for area_code in _scope_areas(spec, communes):

            def agency(token: str, area_code: str = area_code) -> str:
                return commune_agency_code(area_code) if token == COMMUNE else token

            rules.append(
                RuleRow(
                    category_code=spec.category_code,
                    area_code=area_code,
                    lead_agency_code=agency(spec.lead),
                    supporting_agency_codes=tuple(agency(token) for token in spec.supporting),
                )
            )
    return tuple(rules)


def _scope_areas(spec: RuleSpec, communes: list[dict[str, Any]]) -> list[str]:
    if spec.area_scope == "province":
        return [PROVINCE_CODE]
    kind = _SCOPE_KINDS[spec.area_scope]
    return [commune["code"] for commune in communes if commune["kind"] == kind]


def _demo_extras(session: Session, *, at: datetime) -> None:
    """What the pack format does not carry: addresses, sub-categories, surge thresholds, and
    the demo accounts' published passwords (demo only: a real province's staff choose theirs
    through their set-password link)."""
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    for agency_spec in catalogue.AGENCIES:
        agencies[agency_spec.code].address = agency_spec.address
    categories = {c.code: c for c in session.scalars(select(Category))}
    for spec in catalogue.CATEGORIES:
        category = categories[spec.code]
        category.parent = categories[spec.parent_code] if spec.parent_code else None
        category.surge_threshold = spec.surge_threshold
        category.surge_window_minutes = spec.surge_window_minutes
    users = {u.username: u for u in session.scalars(select(User))}
    for account in DEMO_ACCOUNTS:
        users[account.username].password_hash = hash_password(account.password)
    session.execute(update(PasswordSetup).where(PasswordSetup.used_at.is_(None)).values(used_at=at))
    session.flush()
