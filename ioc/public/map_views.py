"""The public map's data: boundaries for the offline base layer, and published results by
viewport (counts per tile at low zoom, points at high zoom). Only published results of
non-private categories, and never anything that names a reporter."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from ioc.extensions import services
from ioc.geo.outlines import area_outlines
from ioc.geo.queries import area_revision
from ioc.maps.clusters import BBox, MapFilter, count_clusters
from ioc.maps.points import POINT_CAP, list_map_points
from ioc.web.errors import REQUEST_ERRORS
from ioc.web.openapi import api
from ioc.web.validated import validated_query

bp = Blueprint("public_map_api", __name__, url_prefix="/api/public/v1")


class AreasQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str | None = Field(
        default=None, max_length=32, description="only this level (e.g. province, commune)"
    )


@bp.get("/areas.geojson")
@api.validate(
    query=AreasQuery, resp=Response("HTTP_200", "HTTP_304", **REQUEST_ERRORS), tags=["public"]
)
def areas() -> Any:
    """Current administrative areas as GeoJSON with simplified geometry, for drawing. Cached:
    the ETag changes only when new boundaries are imported."""
    query = validated_query(AreasQuery)
    with services().unit_of_work() as session:
        revision = area_revision(session)
        etag = f"areas-{revision}-{query.level or 'all'}"
        if request.if_none_match.contains(etag):
            return current_app.response_class(status=304, headers={"ETag": f'"{etag}"'})
        document = area_outlines(session, level=query.level, revision=revision)
    response = current_app.json.response(document)
    response.mimetype = "application/geo+json"
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.no_cache = True  # revalidate with the ETag: imports are rare
    return response


class PublicMapQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bbox: str = Field(description="min_lon,min_lat,max_lon,max_lat (WGS84)")
    category: str | None = Field(
        default=None, max_length=400, description="category codes, comma-separated"
    )

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str) -> str:
        BBox.parse(value)
        return value

    def criteria(self) -> MapFilter:
        codes = tuple(c.strip() for c in (self.category or "").split(",") if c.strip())
        return MapFilter(categories=codes, published_only=True)


class PublicCellsQuery(PublicMapQuery):
    zoom: int = Field(ge=0, le=24, description="the map's zoom level")


class PublicPointsQuery(PublicMapQuery):
    limit: int = Field(default=POINT_CAP, ge=1, le=POINT_CAP)


class PublicCellsOut(BaseModel):
    zoom: int
    total: int
    cells: list[dict[str, Any]]


class PublicPointsOut(BaseModel):
    truncated: bool
    reports: list[dict[str, Any]]


@bp.get("/map/cells")
@api.validate(
    query=PublicCellsQuery,
    resp=Response(HTTP_200=PublicCellsOut, **REQUEST_ERRORS),
    tags=["public"],
)
def cells() -> dict[str, Any]:
    """Published results per map tile (with a count per status), for the public map's low
    zooms and for any view holding more results than `/map/reports` returns."""
    query = validated_query(PublicCellsQuery)
    with services().unit_of_work() as session:
        _, clusters = count_clusters(
            session, map_zoom=query.zoom, bbox=BBox.parse(query.bbox), criteria=query.criteria()
        )
        return {
            "zoom": clusters[0].zoom if clusters else query.zoom,
            "total": sum(c.count for c in clusters),
            "cells": [c.to_dict() for c in clusters],
        }


@bp.get("/map/reports")
@api.validate(
    query=PublicPointsQuery,
    resp=Response(HTTP_200=PublicPointsOut, **REQUEST_ERRORS),
    tags=["public"],
)
def reports() -> dict[str, Any]:
    """The newest published results inside the box (at most 5,000; `truncated` says there are
    more, and the public map then draws `/map/cells` instead)."""
    query = validated_query(PublicPointsQuery)
    with services().unit_of_work() as session:
        page = list_map_points(
            session, bbox=BBox.parse(query.bbox), criteria=query.criteria(), limit=query.limit
        )
        return {"truncated": page.truncated, "reports": page.points}
