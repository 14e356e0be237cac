"""The configuration in the database, as a province pack (what an export writes, and what a
load compares against)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ioc.feedback.models import (
    RULES_EPOCH,
    Agency,
    Category,
    CategoryGroup,
    ProvinceProfile,
    RoutingRule,
    User,
)
from ioc.feedback.states import Role
from ioc.geo.boundaries import ParsedArea
from ioc.geo.models import Area
from ioc.province.channels import contacts_from
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

#: The province's time zone when none was loaded yet (every Vietnamese province).
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"


def current_pack(session: Session, *, at: datetime, with_geometry: bool = False) -> ProvincePack:
    """The current configuration: profile, areas, agencies, groups, categories with their
    attributes, rules and active staff, in a deterministic order. Reads only.

    Inactive agencies are kept (with ``active=False``: the pack has the column); closed
    groups, categories, rules and disabled users are left out.
    """
    province = _province(session)
    zone = ZoneInfo(province.time_zone)
    areas = _areas(session, at=at, with_geometry=with_geometry)
    categories = session.scalars(
        select(Category).where(Category.is_active.is_(True)).order_by(Category.code)
    ).all()
    return ProvincePack(
        province=province,
        area_sources=_area_sources(areas),
        areas=tuple(areas),
        agencies=_agencies(session),
        groups=tuple(
            GroupRow(code=g.code, name_vi=g.name_vi, name_en=g.name_en, sort_order=g.sort_order)
            for g in session.scalars(
                select(CategoryGroup)
                .where(CategoryGroup.is_active.is_(True))
                .order_by(CategoryGroup.code)
            )
        ),
        categories=tuple(category_row(c) for c in categories),
        attributes=tuple(a for c in categories for a in attribute_rows(c)),
        rules=_rules(session, zone),
        users=_users(session),
    )


def _province(session: Session) -> ProvinceInfo:
    profile = session.get(ProvinceProfile, 1)
    if profile is None:
        return ProvinceInfo(code="", name_vi="", name_en=None, time_zone=DEFAULT_TIME_ZONE)
    return ProvinceInfo(
        code=profile.code,
        name_vi=profile.name_vi,
        name_en=profile.name_en,
        time_zone=profile.time_zone,
        sla_policy_toml=profile.sla_policy_toml,
        holidays_toml=profile.holidays_toml,
        channels=contacts_from(profile.channels),
    )


def _areas(session: Session, *, at: datetime, with_geometry: bool) -> list[AreaRow]:
    query = select(Area).where(Area.valid_to.is_(None)).order_by(Area.level, Area.code)
    if with_geometry:
        query = query.options(undefer(Area.geom))
    rows = []
    for index, area in enumerate(session.scalars(query)):
        parsed = None
        if with_geometry:
            geom = area.geom
            parsed = ParsedArea(
                index=index,
                code=area.code,
                level=area.level,
                name_vi=area.name_vi,
                name_en=area.name_en,
                parent_code=area.parent_code,
                geom=_multipolygon(geom),
                was_repaired=False,
            )
        rows.append(
            AreaRow(
                code=area.code,
                level=area.level,
                name_vi=area.name_vi,
                name_en=area.name_en,
                parent_code=area.parent_code,
                parsed=parsed,
                stored_fingerprint=area.geom_hash,
            )
        )
    return rows


def _multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    assert isinstance(geom, Polygon)  # the column holds multipolygons; older rows polygons
    return MultiPolygon([geom])


def _area_sources(areas: list[AreaRow]) -> tuple[AreaSource, ...]:
    """One boundary file per level, parents' levels first."""
    level_of = {area.code: area.level for area in areas}
    depth: dict[str, int] = {}
    for area in areas:
        steps, parent, seen = 0, area.parent_code, {area.code}
        while parent is not None and parent in level_of and parent not in seen:
            seen.add(parent)
            steps += 1
            parent = next((a.parent_code for a in areas if a.code == parent), None)
        depth[area.level] = max(depth.get(area.level, 0), steps)
    return tuple(
        AreaSource(
            file=f"areas/{level}.geojson",
            level=level,
            code_prop="code",
            name_prop="name",
            name_en_prop="name_en",
            parent_code_prop="parent_code",
        )
        for level in sorted(depth, key=lambda level: (depth[level], level))
    )


def _agencies(session: Session) -> tuple[AgencyRow, ...]:
    agencies = session.scalars(select(Agency).order_by(Agency.code)).all()
    code_of = {agency.id: agency.code for agency in agencies}
    return tuple(
        AgencyRow(
            code=agency.code,
            name_vi=agency.name_vi,
            name_en=agency.name_en,
            parent_code=code_of.get(agency.parent_id) if agency.parent_id else None,
            area_code=agency.area_code,
            kind=agency.kind,
            email=agency.email,
            phone=agency.phone,
            active=agency.is_active,
            sign_off=agency.requires_sign_off,
        )
        for agency in agencies
    )


def category_row(category: Category) -> CategoryRow:
    return CategoryRow(
        code=category.code,
        group_code=category.group.code,
        name_vi=category.name_vi,
        name_en=category.name_en,
        description_vi=category.description_vi,
        description_en=category.description_en,
        tier=category.sla_tier,
        target_hours=category.sla_target_hours,
        auto_dispatch=category.is_auto_dispatch,
        photo_required=category.is_photo_required,
        after_photo_required=category.is_after_photo_required,
        private=category.is_private,
        duplicate_radius_m=category.duplicate_radius_m,
        sort_order=category.sort_order,
    )


def attribute_rows(category: Category) -> list[AttributeRow]:
    """The category's Open311 attribute definitions (JSON) as pack rows, in their order."""
    rows = [
        AttributeRow(
            category_code=category.code,
            code=str(item["code"]),
            datatype=str(item.get("datatype", "string")),
            required=bool(item.get("required", False)),
            order=int(item.get("order", 0)),
            description_vi=str(item.get("description", "")),
            description_en=item.get("description_en"),
            values=tuple(
                ValueItem(key=str(v["key"]), name_vi=str(v["name"]), name_en=v.get("name_en"))
                for v in item.get("values") or ()
            ),
        )
        for item in category.attributes or ()
    ]
    return sorted(rows, key=lambda row: row.order)


def attribute_definition(row: AttributeRow) -> dict[str, Any]:
    """An Open311 GeoReport v2 attribute, with the English text beside the Vietnamese."""
    return {
        "code": row.code,
        "datatype": row.datatype,
        "required": row.required,
        "variable": True,
        "order": row.order,
        "description": row.description_vi,
        "description_en": row.description_en,
        "values": [{"key": v.key, "name": v.name_vi, "name_en": v.name_en} for v in row.values],
    }


def _rules(session: Session, zone: ZoneInfo) -> tuple[RuleRow, ...]:
    rules = [
        rule_row(rule, zone)
        for rule in session.scalars(select(RoutingRule).where(RoutingRule.valid_to.is_(None)))
    ]
    return tuple(sorted(rules, key=lambda rule: rule.key))


def rule_row(rule: RoutingRule, zone: ZoneInfo) -> RuleRow:
    return RuleRow(
        category_code=rule.category.code if rule.category else rule_group_code(rule),
        area_code=rule.area_code,
        lead_agency_code=rule.lead_agency.code,
        supporting_agency_codes=tuple(sorted(a.code for a in rule.supporting_agencies)),
        valid_from=local_date(rule.valid_from, zone),
    )


def rule_group_code(rule: RoutingRule) -> str:
    assert rule.group is not None  # a rule names a category or a group (a table constraint)
    return rule.group.code


def local_date(moment: datetime, zone: ZoneInfo) -> date | None:
    """The local date a rule starts, ``None`` for the start of time."""
    if moment <= RULES_EPOCH:
        return None
    return moment.astimezone(zone).date()


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _users(session: Session) -> tuple[UserRow, ...]:
    users = session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.role != Role.CITIZEN, User.username.is_not(None))
        .order_by(User.username)
    )
    return tuple(
        UserRow(
            username=user.username or "",
            full_name=user.display_name or user.username or "",
            role=user.role,
            agency_code=user.agency.code if user.agency else None,
            email=user.email,
        )
        for user in users
    )
