"""The difference between two packs: what a load would add, change and close, per kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from ioc.province.pack import (
    AgencyRow,
    AreaRow,
    AttributeRow,
    CategoryRow,
    GroupRow,
    ProvincePack,
    RuleRow,
    UserRow,
)

#: The kinds of a pack, in the order a load applies and a summary lists them, with their
#: Vietnamese and English names.
KINDS: dict[str, tuple[str, str]] = {
    "province": ("Tỉnh", "Province"),
    "areas": ("Địa bàn", "Areas"),
    "agencies": ("Cơ quan", "Agencies"),
    "groups": ("Nhóm lĩnh vực", "Category groups"),
    "categories": ("Lĩnh vực", "Categories"),
    "rules": ("Quy tắc phân công", "Routing rules"),
    "users": ("Tài khoản", "Users"),
}

PROVINCE_KEY = "province"

Row = TypeVar("Row")


@dataclass(frozen=True)
class Change:
    key: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class KindChanges:
    added: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.closed)

    def to_dict(self) -> dict[str, list[str]]:
        return {
            "added": list(self.added),
            "changed": [change.key for change in self.changed],
            "closed": list(self.closed),
        }


@dataclass
class PackChanges:
    kinds: dict[str, KindChanges] = field(
        default_factory=lambda: {kind: KindChanges() for kind in KINDS}
    )

    def __getitem__(self, kind: str) -> KindChanges:
        return self.kinds[kind]

    @property
    def is_empty(self) -> bool:
        return all(changes.is_empty for changes in self.kinds.values())

    def summary(self, locale: str = "vi") -> list[str]:
        """``Cơ quan: 2 thêm, 1 sửa, 0 đóng`` per kind that changes, or "không có thay đổi"."""
        if self.is_empty:
            return ["no changes" if locale == "en" else "không có thay đổi"]
        words = ("added", "changed", "closed") if locale == "en" else ("thêm", "sửa", "đóng")
        lines = []
        for kind, changes in self.kinds.items():
            if changes.is_empty:
                continue
            name = KINDS[kind][1 if locale == "en" else 0]
            counts = (len(changes.added), len(changes.changed), len(changes.closed))
            lines.append(
                f"{name}: "
                + ", ".join(f"{n} {word}" for n, word in zip(counts, words, strict=True))
            )
        return lines

    def to_dict(self) -> dict[str, dict[str, list[str]]]:
        return {kind: changes.to_dict() for kind, changes in self.kinds.items()}


def rule_key(row: RuleRow) -> str:
    return f"{row.category_code}@{row.area_code}"


def compare(current: ProvincePack, wanted: ProvincePack) -> PackChanges:
    """What loading ``wanted`` over ``current`` would do. Where a row came from, a category's
    place in lists and a rule's start date alone are not changes (a rule's date matters only
    when its agencies change)."""
    changes = PackChanges()
    _province(current, wanted, changes[PROVINCE_KEY])
    _areas(current.areas, wanted.areas, changes["areas"])
    _agencies(current.agencies, wanted.agencies, changes["agencies"])
    _rows(
        {g.code: g for g in current.groups},
        {g.code: g for g in wanted.groups},
        _group_dict,
        changes["groups"],
    )
    _rows(
        _categories(current.categories, current.attributes),
        _categories(wanted.categories, wanted.attributes),
        _category_dict,
        changes["categories"],
    )
    _rows(
        {rule_key(r): r for r in current.rules},
        {rule_key(r): r for r in wanted.rules},
        _rule_dict,
        changes["rules"],
        same=lambda before, after: _rule_agencies(before) == _rule_agencies(after),
    )
    _rows(
        {u.username: u for u in current.users},
        {u.username: u for u in wanted.users},
        _user_dict,
        changes["users"],
    )
    return changes


def _province(current: ProvincePack, wanted: ProvincePack, changes: KindChanges) -> None:
    before, after = province_dict(current), province_dict(wanted)
    if not wanted.province.code:
        return
    if not current.province.code:
        changes.added.append(wanted.province.code)
    elif before != after:
        changes.changed.append(Change(wanted.province.code, before, after))


def province_dict(pack: ProvincePack) -> dict[str, Any]:
    info = pack.province
    return {
        "code": info.code,
        "name_vi": info.name_vi,
        "name_en": info.name_en,
        "time_zone": info.time_zone,
        "sla_policy_toml": info.sla_policy_toml,
        "holidays_toml": info.holidays_toml,
        "channels": info.channels.as_dict(),
    }


def _areas(current: Iterable[AreaRow], wanted: Iterable[AreaRow], changes: KindChanges) -> None:
    """Areas compare by their fingerprint (shape, names, parent), as the importer does; a
    pack without shapes changes no area, and a pack without areas closes none."""
    before = {area.code: area for area in current}
    after = {area.code: area for area in wanted}
    for code, area in after.items():
        old = before.get(code)
        if old is None:
            changes.added.append(code)
        elif area.parsed is not None and area.fingerprint != old.fingerprint:
            changes.changed.append(Change(code, area_dict(old), area_dict(area)))
    if after:
        changes.closed.extend(code for code in before if code not in after)


def area_dict(area: AreaRow) -> dict[str, Any]:
    return {
        "code": area.code,
        "level": area.level,
        "name_vi": area.name_vi,
        "name_en": area.name_en,
        "parent_code": area.parent_code,
        "fingerprint": area.fingerprint,
    }


def _agencies(
    current: Iterable[AgencyRow], wanted: Iterable[AgencyRow], changes: KindChanges
) -> None:
    """An agency absent from the pack is closed, as is one the pack marks inactive; one
    already inactive stays as it is."""
    before = {a.code: a for a in current}
    after = {a.code: a for a in wanted}
    for code, agency in after.items():
        old = before.get(code)
        if old is None:
            changes.added.append(code)
        elif old.active and not agency.active:
            changes.closed.append(code)
        elif agency_dict(old) != agency_dict(agency):
            changes.changed.append(Change(code, agency_dict(old), agency_dict(agency)))
    changes.closed.extend(
        code for code, agency in before.items() if code not in after and agency.active
    )


def agency_dict(row: AgencyRow) -> dict[str, Any]:
    return {column: getattr(row, column) for column in AGENCY_FIELDS}


AGENCY_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "parent_code",
    "area_code",
    "kind",
    "email",
    "phone",
    "active",
    "sign_off",
)


def _rows(
    before: Mapping[str, Row],
    after: Mapping[str, Row],
    as_dict: Callable[[Row], dict[str, Any]],
    changes: KindChanges,
    same: Callable[[Row, Row], bool] | None = None,
) -> None:
    for key, row in after.items():
        old = before.get(key)
        if old is None:
            changes.added.append(key)
            continue
        unchanged = same(old, row) if same else as_dict(old) == as_dict(row)
        if not unchanged:
            changes.changed.append(Change(key, as_dict(old), as_dict(row)))
    changes.closed.extend(key for key in before if key not in after)


def _group_dict(row: GroupRow) -> dict[str, Any]:
    return {"code": row.code, "name_vi": row.name_vi, "name_en": row.name_en}


def _categories(
    categories: Iterable[CategoryRow], attributes: Iterable[AttributeRow]
) -> dict[str, tuple[CategoryRow, tuple[AttributeRow, ...]]]:
    by_category: dict[str, list[AttributeRow]] = {}
    for attribute in attributes:
        by_category.setdefault(attribute.category_code, []).append(attribute)
    return {
        c.code: (
            c,
            tuple(sorted(by_category.get(c.code, ()), key=lambda a: a.order)),
        )
        for c in categories
    }


def _category_dict(entry: tuple[CategoryRow, tuple[AttributeRow, ...]]) -> dict[str, Any]:
    return category_dict(*entry)


def category_dict(row: CategoryRow, attributes: Iterable[AttributeRow]) -> dict[str, Any]:
    return {
        "code": row.code,
        "group_code": row.group_code,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "description_vi": row.description_vi,
        "description_en": row.description_en,
        "tier": row.tier,
        "target_hours": row.target_hours,
        "auto_dispatch": row.auto_dispatch,
        "photo_required": row.photo_required,
        "after_photo_required": row.after_photo_required,
        "private": row.private,
        "duplicate_radius_m": row.duplicate_radius_m,
        "attributes": [attribute_dict(a) for a in attributes],
    }


def attribute_dict(row: AttributeRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "datatype": row.datatype,
        "required": row.required,
        "order": row.order,
        "description_vi": row.description_vi,
        "description_en": row.description_en,
        "values": [{"key": v.key, "name_vi": v.name_vi, "name_en": v.name_en} for v in row.values],
    }


def _rule_agencies(row: RuleRow) -> tuple[str, tuple[str, ...]]:
    return (row.lead_agency_code, tuple(sorted(row.supporting_agency_codes)))


def _rule_dict(row: RuleRow) -> dict[str, Any]:
    return rule_dict(row)


def rule_dict(row: RuleRow) -> dict[str, Any]:
    valid_from: date | None = row.valid_from
    return {
        "category_code": row.category_code,
        "area_code": row.area_code,
        "lead_agency_code": row.lead_agency_code,
        "supporting_agency_codes": sorted(row.supporting_agency_codes),
        "valid_from": valid_from.isoformat() if valid_from else None,
    }


def _user_dict(row: UserRow) -> dict[str, Any]:
    return user_dict(row)


def user_dict(row: UserRow) -> dict[str, Any]:
    return {
        "username": row.username,
        "full_name": row.full_name,
        "role": row.role,
        "agency_code": row.agency_code,
        "email": row.email,
    }
