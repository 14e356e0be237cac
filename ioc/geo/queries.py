"""Area reads against the database, with a PostGIS and a portable implementation each."""

from __future__ import annotations

from datetime import datetime

import shapely
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, undefer

from ioc.geo.index import AreaRef, chain_from_covering
from ioc.geo.models import Area, AreaRevision
from ioc.geo.types import SRID


def to_ref(area: Area) -> AreaRef:
    return AreaRef(
        id=area.id,
        code=area.code,
        level=area.level,
        name_vi=area.name_vi,
        name_en=area.name_en,
        parent_code=area.parent_code,
        valid_from=area.valid_from,
        valid_to=area.valid_to,
    )


def valid_at(at: datetime) -> ColumnElement[bool]:
    return and_(Area.valid_from <= at, or_(Area.valid_to.is_(None), Area.valid_to > at))


def find_area_version(session: Session, code: str, at: datetime) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code, valid_at(at)))


def _find_area_ref(session: Session, code: str, at: datetime) -> AreaRef | None:
    area = find_area_version(session, code, at)
    return to_ref(area) if area else None


def find_current_area(session: Session, code: str) -> Area | None:
    return session.scalar(select(Area).where(Area.code == code, Area.valid_to.is_(None)))


def area_revision(session: Session) -> int:
    return session.scalar(select(AreaRevision.revision).where(AreaRevision.id == 1)) or 0


def bump_area_revision(session: Session) -> int:
    stamp = session.get(AreaRevision, 1, with_for_update=True)
    if stamp is None:
        stamp = AreaRevision(id=1, revision=0)
        session.add(stamp)
    stamp.revision += 1
    stamp.changed_at = func.now()
    session.flush()
    return stamp.revision


def covering_areas(session: Session, lon: float, lat: float, at: datetime) -> list[Area]:
    """Area versions valid at ``at`` whose polygon covers the point (borders included).

    The geometry stays deferred on PostGIS (ask for ``area.geom`` and it is fetched).
    """
    query = select(Area).where(valid_at(at))
    if session.get_bind().dialect.name == "postgresql":
        spot = func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)
        return list(session.scalars(query.where(func.ST_Covers(Area.geom, spot))))
    # Portable path: the bounding-box columns narrow it down, shapely decides.
    query = query.where(
        Area.min_lon <= lon, Area.max_lon >= lon, Area.min_lat <= lat, Area.max_lat >= lat
    )
    point = shapely.Point(lon, lat)
    candidates = session.scalars(query.options(undefer(Area.geom)))
    return [area for area in candidates if area.geom.covers(point)]


def locate_in_database(
    session: Session, lon: float, lat: float, at: datetime
) -> list[AreaRef] | None:
    """The same answer as :meth:`AreaIndex.locate`, computed by the database."""

    covering = [to_ref(area) for area in covering_areas(session, lon, lat, at)]
    return chain_from_covering(covering, at, lambda code, when: _find_area_ref(session, code, when))
