"""Writing boundaries: import a parsed file as area versions, close abolished areas."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput, NotFound
from ioc.geo.boundaries import BoundaryFileError, ParsedArea
from ioc.geo.models import Area
from ioc.geo.queries import bump_area_revision, find_current_area

log = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.closed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
            "closed": len(self.closed),
            "repaired": self.repaired,
        }


def import_areas(
    session: Session,
    areas: list[ParsedArea],
    *,
    source: str,
    valid_from: datetime | None = None,
    close_missing: bool = False,
) -> ImportSummary:
    """Write parsed areas as new versions where they differ from the current ones.

    The same file twice is a no-op. A changed area closes its current version at
    ``valid_from`` (default: now) and opens a new one. With ``close_missing``, current areas
    of the same level under the same parents that the file no longer lists are closed too
    (merged or abolished units). Never commits.

    Raises:
        BoundaryFileError: a parent code is unknown, or a new version (or a closing) would not
            come after the current version's start.
    """
    starts = valid_from or utcnow()
    summary = ImportSummary()
    problems: list[tuple[int | None, str]] = []
    codes_in_file = {area.code for area in areas}
    for area in areas:
        if (
            area.parent_code
            and area.parent_code not in codes_in_file
            and find_current_area(session, area.parent_code) is None
        ):
            problems.append((area.index, f"parent area {area.parent_code!r} does not exist"))
            continue
        current = find_current_area(session, area.code)
        if current is not None and current.geom_hash == area.fingerprint:
            summary.unchanged.append(area.code)
            continue
        if current is not None:
            if current.valid_from >= starts:
                problems.append(
                    (
                        area.index,
                        f"area {area.code!r} already has a version from "
                        f"{current.valid_from.isoformat()}; the new one must start later "
                        "(use --valid-from)",
                    )
                )
                continue
            current.valid_to = starts
            summary.replaced.append(area.code)
        else:
            summary.created.append(area.code)
        if area.was_repaired:
            summary.repaired.append(area.code)
        session.add(_new_version(area, starts))
    if close_missing and areas:
        problems.extend(_close_missing(session, areas, starts, summary))
    if problems:
        raise BoundaryFileError(source, problems)
    if summary.changed:
        session.flush()
        bump_area_revision(session)
    log.info("area import from %s: %s", source, summary.to_dict())
    return summary


def _close_missing(
    session: Session, areas: list[ParsedArea], starts: datetime, summary: ImportSummary
) -> list[tuple[int | None, str]]:
    """Close same-level areas of the same tree(s) that the file no longer lists.

    "Same tree" is by root, not by parent: a 2025 commune file names the province as parent,
    while the communes it replaces hung under districts of that province.
    """
    listed = {area.code: area for area in areas}
    parent_of = {code: area.parent_code for code, area in listed.items()}
    roots = {_root_code(session, code, parent_of) for code in listed}
    # Top-level areas (provinces) form one tree each; a file of them covers all top levels.
    covers_top_level = None in parent_of.values()
    candidates = session.scalars(
        select(Area)
        .where(Area.level == areas[0].level, Area.valid_to.is_(None))
        .order_by(Area.code)
    ).all()
    stale = [
        area
        for area in candidates
        if area.code not in listed
        and (
            (covers_top_level and area.parent_code is None)
            or _root_code(session, area.code, parent_of) in roots
        )
    ]
    problems = _close(stale, starts)
    if not problems:
        summary.closed.extend(area.code for area in stale)
    return problems


def _root_code(session: Session, code: str, parent_of: dict[str, str | None]) -> str:
    """The root of ``code``'s tree, following the file's parents first, then current areas."""
    seen = {code}
    while True:
        if code in parent_of:
            parent = parent_of[code]
        else:
            current = find_current_area(session, code)
            parent = current.parent_code if current else None
        if parent is None or parent in seen:
            return code
        seen.add(parent)
        code = parent


def _close(areas: list[Area], at: datetime) -> list[tuple[int | None, str]]:
    """Close every area at ``at``, or none of them if any started at or after it."""
    problems: list[tuple[int | None, str]] = [
        (
            None,
            f"area {area.code!r} started {area.valid_from.isoformat()}; it cannot be "
            "closed before that (use --valid-from)",
        )
        for area in areas
        if area.valid_from >= at
    ]
    if not problems:
        for area in areas:
            area.valid_to = at
    return problems


def close_areas(
    session: Session, *, level: str, within: str | None, at: datetime | None = None
) -> list[str]:
    """Close every current area of ``level`` (in the tree under ``within``, if given).

    For units a reform abolishes, such as districts on 1 July 2025. Never commits.

    Raises:
        NotFound: ``within`` is not a current area.
        InvalidInput: an area to close started at or after ``at``.
    """
    ends = at or utcnow()
    if within is not None and find_current_area(session, within) is None:
        raise NotFound(f"no current area {within!r}")
    candidates = session.scalars(
        select(Area).where(Area.level == level, Area.valid_to.is_(None)).order_by(Area.code)
    ).all()
    targets = [
        area
        for area in candidates
        if within is None or within in _ancestor_codes(session, area.code)
    ]
    problems = _close(targets, ends)
    if problems:
        raise InvalidInput(
            "cannot close these areas", details={"problems": [p for _, p in problems]}
        )
    if targets:
        session.flush()
        bump_area_revision(session)
    return [area.code for area in targets]


def _ancestor_codes(session: Session, code: str) -> set[str]:
    ancestors: set[str] = set()
    current = find_current_area(session, code)
    while current is not None and current.parent_code and current.parent_code not in ancestors:
        ancestors.add(current.parent_code)
        current = find_current_area(session, current.parent_code)
    return ancestors


def _new_version(area: ParsedArea, starts: datetime) -> Area:
    min_lon, min_lat, max_lon, max_lat = area.geom.bounds
    return Area(
        code=area.code,
        level=area.level,
        name_vi=area.name_vi,
        name_en=area.name_en,
        parent_code=area.parent_code,
        geom=area.geom,
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        geom_hash=area.fingerprint,
        valid_from=starts,
    )
