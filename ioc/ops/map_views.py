"""The wall map's data: report counts per tile at low zoom, report points at high zoom."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from spectree import Response

from ioc.feedback.states import OPS_READERS, ReportStatus
from ioc.maps.clusters import BBox, MapFilter, count_clusters
from ioc.maps.points import POINT_CAP, list_map_points
from ioc.web.openapi import api
from ioc.web.staff_access import STAFF_ERRORS, STAFF_SECURITY, admit_only, staff_unit_of_work
from ioc.web.validated import validated_query

bp = Blueprint("ops_map_api", __name__, url_prefix="/api/ops/v1/map")
admit_only(bp, OPS_READERS)

TAGS = ["operations"]


class MapQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bbox: str = Field(description="min_lon,min_lat,max_lon,max_lat (WGS84)")
    category: str | None = Field(default=None, description="category codes, comma-separated")
    status: str | None = Field(default=None, description="statuses, comma-separated")
    agency: str | None = Field(default=None, description="lead agency code")
    area: str | None = Field(default=None, description="area code (reports filed under it)")
    since: AwareDatetime | None = Field(default=None, description="received at or after")
    until: AwareDatetime | None = Field(default=None, description="received before")

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: str) -> str:
        BBox.parse(value)
        return value

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: str | None) -> str | None:
        for status in _split(value):
            if status not in ReportStatus.__members__.values():
                raise ValueError(f"unknown status {status!r}")
        return value

    def criteria(self) -> MapFilter:
        return MapFilter(
            categories=_split(self.category),
            statuses=_split(self.status),
            agency=self.agency or None,
            area=self.area or None,
            since=self.since,
            until=self.until,
        )


class CellsQuery(MapQuery):
    zoom: int = Field(ge=0, le=24, description="the map's zoom level")


class PointsQuery(MapQuery):
    limit: int = Field(default=POINT_CAP, ge=1, le=POINT_CAP)


class CellsOut(BaseModel):
    zoom: int
    source: str
    total: int
    cells: list[dict[str, Any]]


class PointsOut(BaseModel):
    truncated: bool
    reports: list[dict[str, Any]]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


@bp.get("/cells")
@api.validate(
    query=CellsQuery,
    resp=Response(HTTP_200=CellsOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def cells() -> dict[str, Any]:
    """Report counts per map tile (with a count per status): the wall map's low zooms, and any
    view holding more reports than `/reports` returns. Tiles are two zooms finer than the map.
    Category and status filters read the rollup table; agency, area and time filters, and
    tiles finer than the rollups' (map zoom 13 and up), group the reports themselves."""
    query = validated_query(CellsQuery)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        source, clusters = count_clusters(
            session, map_zoom=query.zoom, bbox=BBox.parse(query.bbox), criteria=query.criteria()
        )
        return {
            "zoom": clusters[0].zoom if clusters else query.zoom,
            "source": source,
            "total": sum(c.count for c in clusters),
            "cells": [c.to_dict() for c in clusters],
        }


@bp.get("/reports")
@api.validate(
    query=PointsQuery,
    resp=Response(HTTP_200=PointsOut, **STAFF_ERRORS),
    tags=TAGS,
    security=STAFF_SECURITY,
)
def reports() -> dict[str, Any]:
    """The newest reports inside the box (at most 5,000; `truncated` says there are more, and
    the wall map then draws the box's clusters from `/cells` instead, so nothing is missing)."""
    query = validated_query(PointsQuery)
    with staff_unit_of_work(OPS_READERS) as (session, _):
        page = list_map_points(
            session, bbox=BBox.parse(query.bbox), criteria=query.criteria(), limit=query.limit
        )
        return {"truncated": page.truncated, "reports": page.points}
