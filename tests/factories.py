"""Plain factory functions for tests: they flush, never commit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shapely.geometry import box, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, Category, CategoryGroup, RoutingRule, User
from ioc.feedback.report_models import Attachment
from ioc.feedback.sla.calendar import WorkingCalendar
from ioc.feedback.sla.policy import DEFAULT_POLICY_FILE, SlaPolicy, read_policy_file
from ioc.feedback.states import Role
from ioc.geo.boundaries import PropertyMapping, parse_areas
from ioc.geo.importer import ImportSummary, import_areas

EPOCH = datetime(2025, 7, 1, tzinfo=UTC)


VN = ZoneInfo("Asia/Ho_Chi_Minh")


def make_policy(**sections: dict[str, Any]) -> SlaPolicy:
    """The shipped SLA policy (office hours, targets, caps) without public holidays, with
    ``sections`` merged over it, e.g. ``make_policy(reopen={"max_count": 2})``."""
    rules = read_policy_file(DEFAULT_POLICY_FILE)
    if sections:
        document = rules.model_dump()
        for name, values in sections.items():
            document[name] = {**document[name], **values}
        rules = type(rules).model_validate(document)
    return SlaPolicy(
        calendar=WorkingCalendar(timezone=VN, week=rules.office_hours.week()), rules=rules
    )


def feature(code: str, name: str, geom: BaseGeometry, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, **props},
        "geometry": mapping(geom),
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def make_areas(
    session: Session,
    features: list[dict[str, Any]],
    *,
    level: str,
    parent_code: str | None = None,
    valid_from: datetime = EPOCH,
) -> ImportSummary:
    """Import features through the real parser and importer."""
    parsed = parse_areas(
        collection(*features),
        PropertyMapping(level=level, code_prop="code", name_prop="name", parent_code=parent_code),
        source="test",
    )
    return import_areas(session, parsed, source="test", valid_from=valid_from)


def make_agency(session: Session, code: str, **overrides: Any) -> Agency:
    agency = Agency(code=code, name_vi=overrides.pop("name_vi", f"Cơ quan {code}"), **overrides)
    session.add(agency)
    session.flush()
    return agency


def make_user(session: Session, role: Role, name: str, agency: Agency | None = None) -> User:
    """A citizen (signed in with Firebase as ``uid-<name>``) or a staff account ``name``."""
    if role is Role.CITIZEN:
        user = User(role=role, firebase_uid=f"uid-{name}", display_name=name)
    else:
        user = User(role=role, username=name, agency=agency)
    session.add(user)
    session.flush()
    return user


def make_category(session: Session, code: str, **overrides: Any) -> Category:
    group = session.query(CategoryGroup).filter_by(code="test").one_or_none()
    if group is None:
        group = CategoryGroup(code="test", name_vi="Nhóm thử")
        session.add(group)
    values: dict[str, Any] = {
        "name_vi": f"Lĩnh vực {code}",
        "sla_tier": "normal",
        "sla_target_hours": 24,
        "is_auto_dispatch": True,
        "is_photo_required": False,
        "is_after_photo_required": False,
    }
    values.update(overrides)
    category = Category(code=code, group=group, **values)
    session.add(category)
    session.flush()
    return category


def make_rule(
    session: Session,
    category: Category,
    area_code: str,
    lead: Agency,
    supporting: list[Agency] | None = None,
    **overrides: Any,
) -> RoutingRule:
    rule = RoutingRule(
        category=category,
        area_code=area_code,
        lead_agency=lead,
        supporting_agencies=supporting or [],
        **overrides,
    )
    session.add(rule)
    session.flush()
    return rule


def make_province_with_two_communes(session: Session) -> None:
    """Province ``P`` split down the middle into communes ``A`` (west) and ``B`` (east)."""
    make_areas(session, [feature("P", "Tỉnh Thử", box(108.0, 16.0, 108.2, 16.1))], level="province")
    make_areas(
        session,
        [
            feature("A", "Xã An Hòa", box(108.0, 16.0, 108.1, 16.1)),
            feature("B", "Phường Bình Minh", box(108.1, 16.0, 108.2, 16.1)),
        ],
        level="commune",
        parent_code="P",
    )


def make_photo(
    storage_key: str, *, purpose: str = "before", hidden: bool = False, **overrides: Any
) -> Attachment:
    """A JPEG attachment row (the file itself is not written)."""
    fields: dict[str, Any] = {
        "purpose": purpose,
        "storage_key": storage_key,
        "content_type": "image/jpeg",
        "width": 10,
        "height": 10,
        "byte_size": 100,
        "sha256": "0" * 64,
        "is_hidden": hidden,
    }
    return Attachment(**(fields | overrides))
