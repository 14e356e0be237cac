"""Writing a pack's catalogue: agencies, category groups, categories and routing rules.

Each function applies one kind of :class:`~ioc.province.changes.KindChanges` (computed by
:func:`~ioc.province.changes.compare`) and audits every row it touches. Nothing is deleted:
rows absent from the pack are closed, rules get a new version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import RULES_EPOCH, Agency, Category, CategoryGroup, RoutingRule
from ioc.province.auditing import audit_changes
from ioc.province.changes import (
    KindChanges,
    agency_dict,
    category_dict,
    rule_dict,
    rule_key,
)
from ioc.province.current import attribute_definition, local_date, local_midnight
from ioc.province.pack import (
    AttributeRow,
    Origin,
    PackRefused,
    Problem,
    ProvincePack,
    RuleRow,
    Severity,
)


def _closed_row(at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before and after of a closed agency, group or category."""
    return {"active": True}, {"active": False, "closed_at": at.isoformat()}


def _unknown(kind_vi: str, kind_en: str, code: str, origin: Origin | None) -> PackRefused:
    """A code the checks should have caught; refused rather than written half-way."""
    return PackRefused(
        [
            Problem(
                Severity.ERROR,
                f"không có {kind_vi} mã {code!r}",
                f"no {kind_en} with code {code!r}",
                origin,
            )
        ]
    )


def apply_agencies(
    session: Session,
    pack: ProvincePack,
    changes: KindChanges,
    *,
    actor_id: int | None,
    at: datetime,
) -> None:
    if changes.is_empty:
        return
    rows = {row.code: row for row in pack.agencies}
    existing = {a.code: a for a in session.scalars(select(Agency))}
    touched = [*changes.added, *(c.key for c in changes.changed)]
    for code in changes.added:
        existing[code] = Agency(code=code, name_vi=rows[code].name_vi)
        session.add(existing[code])
    for code in touched:
        row, agency = rows[code], existing[code]
        agency.name_vi = row.name_vi
        agency.name_en = row.name_en
        agency.area_code = row.area_code
        agency.kind = row.kind
        agency.email = row.email
        agency.phone = row.phone
        agency.is_active = row.active
        agency.requires_sign_off = row.sign_off
        agency.closed_at = None if row.active else (agency.closed_at or at)
        if row.parent_code is None:
            agency.parent = None
        elif row.parent_code in existing:
            agency.parent = existing[row.parent_code]
        else:
            raise _unknown("cơ quan", "agency", row.parent_code, row.origin)
    for code in changes.closed:
        agency = existing[code]
        agency.is_active = False
        agency.closed_at = at
    session.flush()
    audit_changes(
        session,
        changes,
        kind="agency",
        actor_id=actor_id,
        added=lambda code: agency_dict(rows[code]),
        closed=_closed_row(at),
    )


def apply_groups(
    session: Session,
    pack: ProvincePack,
    changes: KindChanges,
    *,
    actor_id: int | None,
    at: datetime,
) -> None:
    if changes.is_empty:
        return
    rows = {row.code: row for row in pack.groups}
    existing = {g.code: g for g in session.scalars(select(CategoryGroup))}
    for code in [*changes.added, *(c.key for c in changes.changed)]:
        row = rows[code]
        group = existing.get(code)
        if group is None:
            group = existing[code] = CategoryGroup(code=code)
            session.add(group)
        group.name_vi = row.name_vi
        group.name_en = row.name_en
        group.sort_order = row.sort_order
        group.is_active = True
        group.closed_at = None
    for code in changes.closed:
        existing[code].is_active = False
        existing[code].closed_at = at
    session.flush()
    audit_changes(session, changes, kind="group", actor_id=actor_id, closed=_closed_row(at))


def apply_categories(
    session: Session,
    pack: ProvincePack,
    changes: KindChanges,
    *,
    actor_id: int | None,
    at: datetime,
) -> None:
    if changes.is_empty:
        return
    rows = {row.code: row for row in pack.categories}
    attributes: dict[str, list[AttributeRow]] = {}
    for attribute in pack.attributes:
        attributes.setdefault(attribute.category_code, []).append(attribute)
    groups = {g.code: g for g in session.scalars(select(CategoryGroup))}
    existing = {c.code: c for c in session.scalars(select(Category))}
    added_after = {}
    for code in [*changes.added, *(c.key for c in changes.changed)]:
        row = rows[code]
        group = groups.get(row.group_code)
        if group is None:
            raise _unknown("nhóm lĩnh vực", "category group", row.group_code, row.origin)
        category = existing.get(code)
        if category is None:
            category = existing[code] = Category(code=code, group=group)
            session.add(category)
        own = sorted(attributes.get(code, ()), key=lambda a: a.order)
        category.group = group
        category.name_vi = row.name_vi
        category.name_en = row.name_en
        category.description_vi = row.description_vi
        category.description_en = row.description_en
        category.attributes = [attribute_definition(a) for a in own]
        category.sla_tier = row.tier
        category.sla_target_hours = row.target_hours
        category.is_auto_dispatch = row.auto_dispatch
        category.is_photo_required = row.photo_required
        category.is_after_photo_required = row.after_photo_required
        category.is_private = row.private
        category.duplicate_radius_m = row.duplicate_radius_m
        category.sort_order = row.sort_order
        category.is_active = True
        category.closed_at = None
        added_after[code] = category_dict(row, own)
    for code in changes.closed:
        existing[code].is_active = False
        existing[code].closed_at = at
    session.flush()
    audit_changes(
        session,
        changes,
        kind="category",
        actor_id=actor_id,
        added=added_after.get,
        closed=_closed_row(at),
    )


def current_rule_version(session: Session, code: str, area_code: str) -> RoutingRule | None:
    """The open version of the rule of (category or group ``code``, ``area_code``)."""
    return session.scalars(
        select(RoutingRule)
        .outerjoin(Category, Category.id == RoutingRule.category_id)
        .outerjoin(CategoryGroup, CategoryGroup.id == RoutingRule.group_id)
        .where(
            RoutingRule.area_code == area_code,
            RoutingRule.valid_to.is_(None),
            (Category.code == code) | (CategoryGroup.code == code),
        )
        .order_by(RoutingRule.valid_from.desc())
    ).first()


def new_version_start(
    row: RuleRow, version: RoutingRule, *, at: datetime, zone: ZoneInfo
) -> datetime:
    """When a changed rule's new version starts: 00:00 of its date, or ``at`` when it has
    none or keeps the current version's date (an exported pack edited in place)."""
    if row.valid_from is None or row.valid_from == local_date(version.valid_from, zone):
        return at
    return local_midnight(row.valid_from, zone).astimezone(UTC)


def apply_rules(
    session: Session,
    pack: ProvincePack,
    changes: KindChanges,
    *,
    actor_id: int | None,
    at: datetime,
    zone: ZoneInfo,
) -> None:
    if changes.is_empty:
        return
    rows = {rule_key(row): row for row in pack.rules}
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    categories = {c.code: c for c in session.scalars(select(Category))}
    groups = {g.code: g for g in session.scalars(select(CategoryGroup))}
    for key in changes.added:
        row = rows[key]
        starts = RULES_EPOCH
        if row.valid_from is not None:
            starts = local_midnight(row.valid_from, zone).astimezone(UTC)
        elif _has_history(session, row):
            starts = at
        session.add(_version(row, starts, agencies, categories, groups))
    for change in changes.changed:
        row = rows[change.key]
        version = current_rule_version(session, row.category_code, row.area_code)
        starts = at
        if version is not None:
            starts = new_version_start(row, version, at=at, zone=zone)
            version.valid_to = starts
        session.add(_version(row, starts, agencies, categories, groups))
    for key in changes.closed:
        code, area_code = key.rsplit("@", 1)
        version = current_rule_version(session, code, area_code)
        if version is not None:
            version.valid_to = max(at, version.valid_from)
    session.flush()
    audit_changes(
        session,
        changes,
        kind="rule",
        actor_id=actor_id,
        added=lambda key: rule_dict(rows[key]),
        closed=(None, {"valid_to": at.isoformat()}),
    )


def _has_history(session: Session, row: RuleRow) -> bool:
    """Whether the key had versions before (a rule put back applies from now, not always)."""
    return (
        session.scalars(
            select(RoutingRule.id)
            .outerjoin(Category, Category.id == RoutingRule.category_id)
            .outerjoin(CategoryGroup, CategoryGroup.id == RoutingRule.group_id)
            .where(
                RoutingRule.area_code == row.area_code,
                (Category.code == row.category_code) | (CategoryGroup.code == row.category_code),
            )
        ).first()
        is not None
    )


def _version(
    row: RuleRow,
    starts: datetime,
    agencies: dict[str, Agency],
    categories: dict[str, Category],
    groups: dict[str, CategoryGroup],
) -> RoutingRule:
    def agency(code: str, column: str) -> Agency:
        found = agencies.get(code)
        if found is None:
            raise _unknown("cơ quan", "agency", code, row.origin.at(column) if row.origin else None)
        return found

    category = categories.get(row.category_code)
    group = groups.get(row.category_code) if category is None else None
    if category is None and group is None:
        origin = row.origin.at("category_code") if row.origin else None
        raise _unknown("lĩnh vực hay nhóm lĩnh vực", "category or group", row.category_code, origin)
    return RoutingRule(
        category=category,
        group=group,
        area_code=row.area_code,
        lead_agency=agency(row.lead_agency_code, "lead_agency_code"),
        supporting_agencies=[
            agency(code, "supporting_agency_codes") for code in sorted(row.supporting_agency_codes)
        ],
        valid_from=starts,
    )
