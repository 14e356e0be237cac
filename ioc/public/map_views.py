"""Administrative boundaries for the maps' offline base layer."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from ioc.extensions import services
from ioc.geo.outlines import area_outlines
from ioc.geo.queries import area_revision
from ioc.web.openapi import api
from ioc.web.validated import validated_query

bp = Blueprint("public_map_api", __name__, url_prefix="/api/public/v1")


class AreasQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: str | None = Field(
        default=None, max_length=32, description="only this level (e.g. province, commune)"
    )


@bp.get("/areas.geojson")
@api.validate(query=AreasQuery, resp=Response("HTTP_200", "HTTP_304"), tags=["public"])
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
