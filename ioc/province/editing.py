"""The admin console's edits of the catalogue: each one changes a row of the current pack and
loads the result, so the console and a pack file obey the same checks and the same loader."""

from __future__ import annotations

import dataclasses
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ioc.errors import Conflict, InvalidInput, NotFound
from ioc.feedback.models import Agency, Category, RoutingRule, User
from ioc.province.changes import rule_key
from ioc.province.checks import check_pack
from ioc.province.current import current_pack, local_date, local_midnight, rule_row
from ioc.province.loading import LoadResult, apply_edit, load_pack
from ioc.province.pack import (
    AgencyRow,
    AttributeRow,
    CategoryRow,
    GroupRow,
    PackRefused,
    Problem,
    ProvincePack,
    RuleRow,
    Severity,
)

#: The largest pack archive the console accepts (boundary files included).
MAX_PACK_BYTES = 50 * 1024 * 1024


def _matches(q: str | None, *texts: str | None) -> bool:
    if not q:
        return True
    needle = q.casefold()
    return any(needle in text.casefold() for text in texts if text)


def list_agencies(session: Session, *, q: str | None, active: bool | None) -> list[Agency]:
    agencies = session.scalars(select(Agency).order_by(Agency.code)).all()
    return [
        a
        for a in agencies
        if (active is None or a.is_active == active) and _matches(q, a.code, a.name_vi, a.name_en)
    ]


def get_agency(session: Session, code: str) -> Agency:
    """Raises: NotFound."""
    agency = session.scalar(select(Agency).where(Agency.code == code))
    if agency is None:
        raise NotFound(f"no agency {code!r}")
    return agency


def save_agency(
    session: Session, *, actor: User, at: datetime, row: AgencyRow, create: bool
) -> LoadResult:
    """Add (``create``) or change an agency.

    Raises:
        Conflict: a new agency's code is taken. NotFound: the agency to change does not
            exist. PackRefused: the configuration would break a check.
    """
    exists = session.scalar(select(Agency.id).where(Agency.code == row.code)) is not None
    if create and exists:
        raise Conflict(
            "an agency with this code exists already",
            details={"fields": {"code": "this code is taken"}, "code": row.code},
        )
    if not create and not exists:
        raise NotFound(f"no agency {row.code!r}")

    def edit(pack: ProvincePack) -> ProvincePack:
        others = tuple(a for a in pack.agencies if a.code != row.code)
        return dataclasses.replace(pack, agencies=(*others, row))

    return apply_edit(session, actor=actor, at=at, edit=edit)


def deactivate_agency(session: Session, *, actor: User, at: datetime, code: str) -> LoadResult:
    """Raises: NotFound, PackRefused."""
    get_agency(session, code)

    def edit(pack: ProvincePack) -> ProvincePack:
        return dataclasses.replace(
            pack,
            agencies=tuple(
                dataclasses.replace(a, active=False) if a.code == code else a for a in pack.agencies
            ),
        )

    return apply_edit(session, actor=actor, at=at, edit=edit)


def list_categories(session: Session, *, q: str | None, active: bool | None) -> list[Category]:
    categories = session.scalars(select(Category).order_by(Category.sort_order, Category.code))
    return [
        c
        for c in categories
        if (active is None or c.is_active == active) and _matches(q, c.code, c.name_vi, c.name_en)
    ]


def get_category(session: Session, code: str) -> Category:
    """Raises: NotFound."""
    category = session.scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(f"no category {code!r}")
    return category


def save_category(
    session: Session,
    *,
    actor: User,
    at: datetime,
    row: CategoryRow,
    group: GroupRow,
    attributes: Sequence[AttributeRow],
    create: bool,
) -> LoadResult:
    """Add (``create``) or change a category with its attributes; its group is added when new
    (an existing group keeps its names unless they are given).

    Raises:
        Conflict, NotFound, PackRefused: as :func:`save_agency`.
    """
    found = session.scalar(select(Category).where(Category.code == row.code))
    if create and found is not None and found.is_active:
        raise Conflict(
            "a category with this code exists already",
            details={"fields": {"code": "this code is taken"}, "code": row.code},
        )
    if not create and (found is None or not found.is_active):
        raise NotFound(f"no category {row.code!r}")

    def edit(pack: ProvincePack) -> ProvincePack:
        categories = [c for c in pack.categories if c.code != row.code]
        position = next(
            (c.sort_order for c in pack.categories if c.code == row.code),
            max((c.sort_order for c in pack.categories), default=-1) + 1,
        )
        groups = {g.code: g for g in pack.groups}
        old = groups.get(group.code)
        groups[group.code] = dataclasses.replace(
            group,
            name_vi=group.name_vi or (old.name_vi if old else group.code),
            name_en=group.name_en or (old.name_en if old else None),
            sort_order=old.sort_order if old else len(groups),
        )
        return dataclasses.replace(
            pack,
            groups=tuple(groups.values()),
            categories=(*categories, dataclasses.replace(row, sort_order=position)),
            attributes=(
                *(a for a in pack.attributes if a.category_code != row.code),
                *attributes,
            ),
        )

    return apply_edit(session, actor=actor, at=at, edit=edit)


def deactivate_category(session: Session, *, actor: User, at: datetime, code: str) -> LoadResult:
    """Close a category and the rules that name it. Raises: NotFound, PackRefused."""
    get_category(session, code)

    def edit(pack: ProvincePack) -> ProvincePack:
        return dataclasses.replace(
            pack,
            categories=tuple(c for c in pack.categories if c.code != code),
            attributes=tuple(a for a in pack.attributes if a.category_code != code),
            rules=tuple(r for r in pack.rules if r.category_code != code),
        )

    return apply_edit(session, actor=actor, at=at, edit=edit)


@dataclass(frozen=True)
class RuleVersion:
    row: RuleRow
    valid_to: date | None


def list_rules(
    session: Session,
    *,
    category: str | None,
    area: str | None,
    agency: str | None,
    at: datetime | None,
    zone: ZoneInfo,
) -> list[RuleVersion]:
    """Current rule versions, or those valid at ``at``, filtered by category or group code,
    area code and lead or supporting agency code."""
    query = select(RoutingRule)
    if at is None:
        query = query.where(RoutingRule.valid_to.is_(None))
    else:
        query = query.where(
            RoutingRule.valid_from <= at,
            or_(RoutingRule.valid_to.is_(None), RoutingRule.valid_to > at),
        )
    if area:
        query = query.where(RoutingRule.area_code == area)
    versions = []
    for rule in session.scalars(query):
        row = rule_row(rule, zone)
        if category and row.category_code != category:
            continue
        if agency and agency != row.lead_agency_code and agency not in row.supporting_agency_codes:
            continue
        ends = local_date(rule.valid_to, zone) if rule.valid_to else None
        versions.append(RuleVersion(row, ends))
    return sorted(versions, key=lambda v: v.row.key)


def save_rule(session: Session, *, actor: User, at: datetime, row: RuleRow) -> LoadResult:
    """A new rule, or a new version of the rule of its key. Raises: PackRefused."""

    def edit(pack: ProvincePack) -> ProvincePack:
        others = tuple(r for r in pack.rules if r.key != row.key)
        return dataclasses.replace(pack, rules=(*others, row))

    return apply_edit(session, actor=actor, at=at, edit=edit)


def close_rule(
    session: Session,
    *,
    actor: User,
    at: datetime,
    category_code: str,
    area_code: str,
    valid_to: date | None,
) -> LoadResult:
    """End the rule of a key at 00:00 of ``valid_to`` (else at ``at``).

    Raises:
        NotFound: no current rule has that key. PackRefused: as :func:`save_rule`.
    """
    key = f"{category_code}@{area_code}"
    pack = current_pack(session, at=at)
    if key not in {rule_key(r) for r in pack.rules}:
        raise NotFound(f"no current rule for {category_code} in {area_code}")
    ends = at
    if valid_to is not None:
        ends = local_midnight(valid_to, ZoneInfo(pack.province.time_zone)).astimezone(UTC)

    def edit(pack: ProvincePack) -> ProvincePack:
        return dataclasses.replace(pack, rules=tuple(r for r in pack.rules if rule_key(r) != key))

    return apply_edit(session, actor=actor, at=ends, edit=edit)


def configuration_warnings(session: Session, *, at: datetime) -> list[Problem]:
    """The warnings of the checks on the current configuration."""
    return [p for p in check_pack(current_pack(session, at=at)) if p.severity is Severity.WARNING]


def load_uploaded_pack(
    session: Session, *, actor: User, at: datetime, archive: bytes, dry_run: bool
) -> tuple[LoadResult, bool]:
    """Load a pack sent as a zip; with ``dry_run`` the changes are made inside a savepoint and
    rolled back, so the difference shown is exactly what loading would do.

    Raises:
        InvalidInput: not a zip, or too large. PackRefused: the pack has errors.
    """
    from ioc.province.reading import read_pack

    if len(archive) > MAX_PACK_BYTES:
        raise InvalidInput("the pack is too large", details={"fields": {"file": "too large"}})
    try:
        zipped = zipfile.ZipFile(BytesIO(archive))
    except zipfile.BadZipFile as exc:
        raise InvalidInput("not a zip file", details={"fields": {"file": "not a zip"}}) from exc
    with tempfile.TemporaryDirectory() as folder, zipped:
        # extractall drops absolute paths and ".." parts, so nothing lands outside ``folder``.
        zipped.extractall(folder)
        root = _pack_root(Path(folder))
        pack, problems = read_pack(root)
    if any(p.severity is Severity.ERROR for p in problems):
        raise PackRefused(problems)
    savepoint = session.begin_nested()
    result = load_pack(session, pack, actor=actor, at=at, source="upload")
    result.problems[:0] = problems
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result, not dry_run


def _pack_root(folder: Path) -> Path:
    """The folder holding ``province.toml``: the archive's root or its only sub-folder."""
    if (folder / "province.toml").exists():
        return folder
    found = sorted(folder.glob("*/province.toml"))
    return found[0].parent if len(found) == 1 else folder


def agency_item(agency: Agency) -> dict[str, Any]:
    return {
        "code": agency.code,
        "name_vi": agency.name_vi,
        "name_en": agency.name_en,
        "parent_code": agency.parent.code if agency.parent else None,
        "area_code": agency.area_code,
        "kind": agency.kind,
        "email": agency.email,
        "phone": agency.phone,
        "active": agency.is_active,
        "sign_off": agency.requires_sign_off,
        "closed_at": agency.closed_at,
    }
