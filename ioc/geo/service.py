"""Reading areas: export them as GeoJSON, locate a point with the in-process index."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ioc.db import utcnow
from ioc.errors import InvalidInput
from ioc.geo.index import AreaIndex, AreaRef
from ioc.geo.models import Area
from ioc.geo.queries import (
    area_revision,
    to_ref,
    valid_at,
)

log = logging.getLogger(__name__)


def export_areas(session: Session, *, at: datetime | None = None) -> dict[str, Any]:
    """The areas valid at ``at`` (default: now) as a GeoJSON FeatureCollection."""
    when = at or utcnow()
    rows = session.scalars(
        select(Area).where(valid_at(when)).order_by(Area.code).options(undefer(Area.geom))
    )
    features = [
        area_feature(
            area,
            area.geom,
            valid_from=area.valid_from.isoformat(),
            valid_to=area.valid_to.isoformat() if area.valid_to else None,
        )
        for area in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def area_feature(area: Area, geometry: Any, **properties: Any) -> dict[str, Any]:
    """One area as a GeoJSON feature with ``geometry`` (its own, or a simplified one)."""
    return {
        "type": "Feature",
        "properties": {
            "code": area.code,
            "name": area.name_vi,
            "name_en": area.name_en,
            "level": area.level,
            "parent_code": area.parent_code,
            **properties,
        },
        "geometry": mapping(geometry),
    }


def build_index(session: Session) -> AreaIndex:
    """Load every area version (history included, for ``--at`` lookups) into a new index."""
    revision = area_revision(session)
    rows = session.scalars(select(Area).options(undefer(Area.geom)))
    areas = [(to_ref(area), area.geom) for area in rows]
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
