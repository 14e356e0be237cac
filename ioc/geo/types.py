"""A MultiPolygon column that is PostGIS geometry on PostgreSQL and WKB bytes elsewhere.

Python code always sees shapely geometries, whichever backend stores them.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.types import TypeDecorator

SRID = 4326


class MultiPolygonColumn(TypeDecorator[BaseGeometry]):
    impl = LargeBinary
    cache_ok = True
    # Read by GeoAlchemy2's table events: the migration owns the GiST index.
    spatial_index = False
    use_N_D_index = False  # noqa: N815 - the name GeoAlchemy2 reads

    def load_dialect_impl(self, dialect: Any) -> Any:
        # GeoAlchemy2's DDL hooks probe TypeDecorators with no dialect; they need not manage this
        # column (the migration creates the GiST index), so answer "not spatial" then.
        if dialect is not None and dialect.name == "postgresql":
            # The GiST index is created by the migration, not by GeoAlchemy2's table events.
            return dialect.type_descriptor(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
        return LargeBinary()

    def process_bind_param(self, value: BaseGeometry | None, dialect: Any) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return WKBElement(shapely.to_wkb(value, include_srid=False), srid=SRID)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Any) -> BaseGeometry | None:
        if value is None:
            return None
        if isinstance(value, WKBElement):
            data = value.data
            return shapely.from_wkb(bytes(data) if not isinstance(data, str) else data)
        return shapely.from_wkb(bytes(value))
