"""Administrative areas: a versioned tree of any depth."""

from __future__ import annotations

from datetime import datetime

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ioc.db import Base, UtcDateTime, utcnow
from ioc.geo.types import MultiPolygonColumn


class Area(Base):
    """One version of one administrative area.

    Areas point to their parent by *code*, not by row id: a parent redrawn in a later version
    keeps its code, so children need no new version of their own. ``valid_to`` is exclusive and
    ``None`` while the version is current.
    """

    __tablename__ = "area"
    __table_args__ = (
        UniqueConstraint("code", "valid_from"),
        Index("ix_area_current_code", "code", "valid_to"),
        Index("ix_area_bbox", "min_lon", "max_lon", "min_lat", "max_lat"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(32))
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(64), index=True)
    # Deferred: most reads (routing chains, report areas) want names and codes, not polygons.
    geom: Mapped[BaseGeometry] = mapped_column(MultiPolygonColumn(), deferred=True)
    # The bounding box lets the portable (SQLite) path pre-filter candidates with plain indexes.
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    geom_hash: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UtcDateTime())
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AreaRevision(Base):
    """A single-row stamp bumped by every boundary change, so each process can tell that its
    in-process index is stale."""

    __tablename__ = "area_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, default=1)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
