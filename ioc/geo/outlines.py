"""Simplified boundaries for drawing: the offline base layer of the maps.

Drawing needs far fewer vertices than routing, so geometries are simplified (topology kept)
once per boundary revision and level, and kept in process until the next import bumps the
revision stamp.
"""

from __future__ import annotations

import threading
from typing import Any

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from ioc.geo.models import Area
from ioc.geo.service import area_feature

#: About 30 m at Vietnam's latitudes: invisible at the zooms that show a whole commune.
DRAWING_TOLERANCE_DEG = 0.0003
#: Five decimals are about a metre; more only makes the document bigger.
_DECIMALS = 5

_cache: dict[tuple[int, str | None], dict[str, Any]] = {}
_cache_lock = threading.Lock()


def area_outlines(session: Session, *, level: str | None, revision: int) -> dict[str, Any]:
    """The current areas (of ``level``, or all) as a GeoJSON FeatureCollection with
    simplified geometry, as of boundary ``revision``."""
    key = (revision, level)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    query = select(Area).where(Area.valid_to.is_(None)).options(undefer(Area.geom))
    if level:
        query = query.where(Area.level == level)
    features = [
        area_feature(area, _simplified(area.geom))
        for area in session.scalars(query.order_by(Area.code))
    ]
    document = {"type": "FeatureCollection", "features": features}
    with _cache_lock:
        # Older revisions are never asked for again once a newer one exists.
        for stale in [k for k in _cache if k[0] != revision]:
            del _cache[stale]
        _cache[key] = document
    return document


def _simplified(geometry: Any) -> Any:
    simple = shapely.simplify(geometry, DRAWING_TOLERANCE_DEG, preserve_topology=True)
    return shapely.set_precision(simple, 10**-_DECIMALS)
