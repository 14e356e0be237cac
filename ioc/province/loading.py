"""Loading a province pack: check it, compare it with the database, apply the difference.

One path for every way a configuration comes in: ``ioc province load``, the demo seed and
each edit in the admin console (:func:`apply_edit`). The caller owns the transaction, so a
refused pack, or one that fails half-way, writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.feedback.models import ProvinceProfile, User
from ioc.feedback.people import audit
from ioc.feedback.states import Role
from ioc.geo.boundaries import BoundaryFileError
from ioc.geo.importer import import_areas
from ioc.geo.queries import bump_area_revision, find_current_area
from ioc.province import applying
from ioc.province.auditing import audit_changes
from ioc.province.changes import PackChanges, compare, province_dict, rule_key
from ioc.province.checks import check_pack
from ioc.province.current import current_pack, local_date, local_midnight
from ioc.province.pack import (
    RULES,
    USERS,
    Origin,
    PackRefused,
    Problem,
    ProvincePack,
    Severity,
)
from ioc.province.staff import PasswordLink, apply_users

log = logging.getLogger(__name__)


@dataclass
class LoadResult:
    changes: PackChanges
    #: The warnings of the checks (errors refuse the pack before anything is written).
    problems: list[Problem] = field(default_factory=list)
    #: One per new staff account: the token goes into its set-password link, once.
    password_links: list[PasswordLink] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.changes.is_empty


def load_pack(
    session: Session, pack: ProvincePack, *, actor: User | None, at: datetime, source: str
) -> LoadResult:
    """Make the database say what ``pack`` says, in the caller's transaction (never commits).

    Rows absent from the pack are closed at ``at``, never deleted; a rule whose agencies
    change gets a new version from its ``valid_from`` date (else from ``at``); every change is
    audited with before and after. Loading the same pack twice changes nothing.

    Raises:
        PackRefused: the checks found errors, a rule's new version would not start after the
            current one, the pack leaves no active admin, or a boundary file cannot be
            imported. Nothing is written in the first three cases; the caller rolls back in
            the last.
    """
    problems = check_pack(pack)
    if any(p.severity is Severity.ERROR for p in problems):
        raise PackRefused(problems)
    current = current_pack(session, at=at)
    changes = compare(current, pack)
    refusals = _refusals(session, pack, changes, at=at)
    if refusals:
        raise PackRefused(refusals + problems)
    actor_id = actor.id if actor else None
    zone = ZoneInfo(pack.province.time_zone)
    _apply_province(session, pack, changes, actor_id=actor_id, at=at)
    _apply_areas(session, pack, changes, actor_id=actor_id, at=at, zone=zone, source=source)
    applying.apply_agencies(session, pack, changes["agencies"], actor_id=actor_id, at=at)
    applying.apply_groups(session, pack, changes["groups"], actor_id=actor_id, at=at)
    applying.apply_categories(session, pack, changes["categories"], actor_id=actor_id, at=at)
    applying.apply_rules(session, pack, changes["rules"], actor_id=actor_id, at=at, zone=zone)
    links = apply_users(session, pack, changes["users"], actor_id=actor_id, at=at)
    session.flush()
    log.info("province pack from %s: %s", source, "; ".join(changes.summary("en")))
    return LoadResult(changes=changes, problems=problems, password_links=links)


def apply_edit(
    session: Session,
    *,
    actor: User | None,
    at: datetime,
    edit: Callable[[ProvincePack], ProvincePack],
) -> LoadResult:
    """Load the current configuration with one edit made to it (the admin console's writes
    go through the same checks and the same loader as a pack).

    Raises:
        PackRefused: as :func:`load_pack`.
    """
    return load_pack(
        session, edit(current_pack(session, at=at)), actor=actor, at=at, source="console"
    )


def _refusals(
    session: Session, pack: ProvincePack, changes: PackChanges, *, at: datetime
) -> list[Problem]:
    """What the loader itself cannot do, found before anything is written."""
    refusals = []
    zone = ZoneInfo(pack.province.time_zone)
    wanted = {rule_key(row): row for row in pack.rules}
    for change in changes["rules"].changed:
        row = wanted[change.key]
        version = applying.current_rule_version(session, row.category_code, row.area_code)
        if version is None:
            continue
        starts = applying.new_version_start(row, version, at=at, zone=zone)
        if starts <= version.valid_from:
            day = local_date(version.valid_from, zone)
            refusals.append(
                Problem(
                    Severity.ERROR,
                    f"quy tắc {row.category_code}/{row.area_code} đang áp dụng từ {day}; "
                    "phiên bản mới phải bắt đầu sau ngày đó",
                    f"rule {row.category_code}/{row.area_code} applies from {day}; the new "
                    "version must start after that",
                    (row.origin or Origin(f"{RULES}.csv")).at("valid_from"),
                )
            )
    admins_now = session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    ).first()
    if admins_now is not None and not any(u.role == Role.ADMIN for u in pack.users):
        refusals.append(
            Problem(
                Severity.ERROR,
                "cấu hình phải giữ ít nhất một tài khoản quản trị (admin) đang hoạt động",
                "the configuration must keep at least one active admin account",
                Origin(f"{USERS}.csv", column="role"),
            )
        )
    return refusals


def _apply_province(
    session: Session,
    pack: ProvincePack,
    changes: PackChanges,
    *,
    actor_id: int | None,
    at: datetime,
) -> None:
    kind = changes["province"]
    if kind.is_empty:
        return
    info = pack.province
    profile = session.get(ProvinceProfile, 1)
    before = None
    if profile is None:
        profile = ProvinceProfile(id=1, revision=0)
        session.add(profile)
    else:
        before = kind.changed[0].before if kind.changed else None
    policy_moved = (
        before is None
        or before["sla_policy_toml"] != info.sla_policy_toml
        or before["holidays_toml"] != info.holidays_toml
    )
    profile.code = info.code
    profile.name_vi = info.name_vi
    profile.name_en = info.name_en
    profile.time_zone = info.time_zone
    profile.sla_policy_toml = info.sla_policy_toml
    profile.holidays_toml = info.holidays_toml
    profile.channels = info.channels.as_dict() or None
    profile.updated_at = at
    if policy_moved:
        profile.revision = (profile.revision or 0) + 1
    audit.record(
        session,
        actor_id=actor_id,
        action="province.profile.add" if before is None else "province.profile.change",
        target_type="province",
        target_ref=info.code,
        before=before,
        after=province_dict(pack),
    )


def _apply_areas(
    session: Session,
    pack: ProvincePack,
    changes: PackChanges,
    *,
    actor_id: int | None,
    at: datetime,
    zone: ZoneInfo,
    source: str,
) -> None:
    kind = changes["areas"]
    if kind.is_empty:
        return
    levels = [s.level for s in pack.area_sources]
    levels += sorted({a.level for a in pack.areas} - set(levels))
    starts_of = {
        s.level: local_midnight(s.valid_from, zone).astimezone(UTC)
        for s in pack.area_sources
        if s.valid_from is not None
    }
    file_of = {s.level: s.file for s in pack.area_sources}
    for level in levels:
        parsed = [a.parsed for a in pack.areas if a.level == level and a.parsed is not None]
        if not parsed:
            continue
        name = file_of.get(level, level)
        try:
            import_areas(
                session, parsed, source=f"{source}: {name}", valid_from=starts_of.get(level, at)
            )
        except BoundaryFileError as exc:
            raise PackRefused(
                [
                    Problem(Severity.ERROR, reason, reason, Origin(name, feature=index))
                    for index, reason in exc.problems
                ]
            ) from exc
    for code in kind.closed:
        area = find_current_area(session, code)
        if area is not None:
            area.valid_to = max(at, area.valid_from)
    if kind.closed:
        session.flush()
        bump_area_revision(session)
    audit_changes(session, kind, kind="area", actor_id=actor_id)
