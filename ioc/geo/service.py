"""Area use cases: import a boundary file, export areas, locate a point."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.geo.boundaries import BoundaryFileError, ParsedArea
from ioc.geo.index import AreaIndex, AreaRef
from ioc.geo.models import Area
from ioc.geo.queries import (
    area_revision,
    bump_area_revision,
    find_current_area,
    to_ref,
    valid_at,
)

log = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "replaced": len(self.replaced),
            "unchanged": len(self.unchanged),
            "repaired": self.repaired,
        }


def import_areas(
    session: Session,
    areas: list[ParsedArea],
    *,
    source: str,
    valid_from: datetime | None = None,
) -> ImportSummary:
    """Write parsed areas as new versions where they differ from the current ones.

    The same file twice is a no-op. A changed area closes its current version at
    ``valid_from`` (default: now) and opens a new one. Never commits.

    Raises:
        BoundaryFileError: a parent code is unknown, or a new version would not start after
            the current one.
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
    if problems:
        raise BoundaryFileError(source, problems)
    if summary.changed:
        session.flush()
        bump_area_revision(session)
    log.info("area import from %s: %s", source, summary.to_dict())
    return summary


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


def export_areas(session: Session, *, at: datetime | None = None) -> dict[str, Any]:
    """The areas valid at ``at`` (default: now) as a GeoJSON FeatureCollection."""
    when = at or utcnow()
    rows = session.scalars(select(Area).where(valid_at(when)).order_by(Area.code))
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": area.code,
                "name": area.name_vi,
                "name_en": area.name_en,
                "level": area.level,
                "parent_code": area.parent_code,
                "valid_from": area.valid_from.isoformat(),
                "valid_to": area.valid_to.isoformat() if area.valid_to else None,
            },
            "geometry": mapping(area.geom),
        }
        for area in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def build_index(session: Session) -> AreaIndex:
    """Load every area version (history included, for ``--at`` lookups) into a new index."""
    revision = area_revision(session)
    areas = [(to_ref(area), area.geom) for area in session.scalars(select(Area))]
    return AreaIndex(areas, revision)


class AreaLocator:
    """The process's area index, rebuilt when another process imports new boundaries.

    It re-reads the revision stamp at most every ``check_seconds``, so a lookup costs one
    small query now and then, and a new boundary version is picked up within that delay.
    """

    def __init__(self, *, check_seconds: float = 2.0) -> None:
        self._check_seconds = check_seconds
        self._index: AreaIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def index(self, session: Session) -> AreaIndex:
        now = time.monotonic()
        index = self._index
        if index is not None and now - self._checked_at < self._check_seconds:
            return index
        with self._lock:
            revision = area_revision(session)
            if self._index is None or self._index.revision != revision:
                started = time.perf_counter()
                self._index = build_index(session)
                log.info(
                    "area index rebuilt: revision %s, %d versions, %.0f ms",
                    self._index.revision,
                    len(self._index),
                    (time.perf_counter() - started) * 1000,
                )
            self._checked_at = now
            return self._index

    def locate(
        self, session: Session, lon: float, lat: float, at: datetime | None = None
    ) -> list[AreaRef] | None:
        """Point ► area chain (leaf first) at ``at`` (default: now), or ``None`` outside.

        Raises:
            InvalidInput: the coordinates are not a WGS84 longitude/latitude.
        """
        check_coordinates(lon, lat)
        return self.index(session).locate(lon, lat, at or utcnow())


def check_coordinates(lon: float, lat: float) -> None:
    """Raises: InvalidInput naming the field when a coordinate is out of range."""
    problems = {}
    if not -180.0 <= lon <= 180.0:
        problems["lon"] = "must be a longitude between -180 and 180"
    if not -90.0 <= lat <= 90.0:
        problems["lat"] = "must be a latitude between -90 and 90"
    if problems:
        raise InvalidInput("invalid coordinates", details={"fields": problems})
