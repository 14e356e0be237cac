"""Boundaries from the admin console: preview an uploaded GeoJSON file against the current
areas, then apply it as new area versions from a date.

The file goes through the same parser and importer as ``ioc areas import`` and the province
pack; the preview runs the import inside a savepoint and rolls it back, so the difference it
shows is exactly what applying would do. Applying bumps the area revision (in
:func:`ioc.geo.importer.import_areas`), so every process's area index reloads by itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import mapping as geojson_of
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.geo.boundaries import BoundaryFileError, ParsedArea, PropertyMapping, parse_areas
from ioc.geo.importer import ImportSummary, import_areas
from ioc.geo.queries import find_current_area
from ioc.province.current import DEFAULT_TIME_ZONE, local_midnight
from ioc.province.pack import Origin, PackRefused, Problem, Severity
from ioc.province.profile import find_profile
from ioc.province.tables import error

DEFAULT_SOURCE = "boundaries.geojson"
#: About 11 m at Vietnam's latitudes: a commune stays recognisable on the map.
BASE_TOLERANCE = 0.0001
#: About 5.5 km: past it a district file is hardly worth looking at; the answer is sent anyway.
MAX_TOLERANCE = 0.05
#: The map's FeatureCollection aims below this many bytes of JSON; features are simplified
#: harder to fit, never left out.
MAX_PREVIEW_BYTES = 2_000_000
#: Coordinates on the map keep 5 decimals (about 1 m).
MAP_DECIMALS = 5

STATUS_OF = {"created": "added", "replaced": "changed", "unchanged": "unchanged"}


@dataclass(frozen=True)
class BoundaryPreview:
    """What applying the file would do, and the file simplified for the map.

    ``summary.closed`` lists the current areas ``close_missing`` would close; ``features``
    holds them too, with status ``closed``, before the file's own features.
    """

    properties: list[str]
    features: dict[str, Any]
    summary: ImportSummary
    problems: list[Problem] = field(default_factory=list)
    tolerance: float = BASE_TOLERANCE


def preview_boundaries(
    session: Session,
    *,
    data: bytes,
    mapping: PropertyMapping,
    at: datetime,
    valid_from: date | None = None,
    source: str = DEFAULT_SOURCE,
) -> BoundaryPreview:
    """Compare a GeoJSON file with the current areas; nothing is written.

    Raises:
        PackRefused: the file is not a usable FeatureCollection, a mapped property is in no
            feature, a feature is broken, or a parent code is unknown; each problem names the
            file and the feature index (or the form field in ``column``).
    """
    document, parsed = _parse(data, mapping, source)
    starts = _starts(session, valid_from, at)
    savepoint = session.begin_nested()
    try:
        summary = import_areas(
            session, parsed, source=source, valid_from=starts, close_missing=True
        )
    except BoundaryFileError as exc:
        raise PackRefused(_problems(exc, source)) from exc
    finally:
        savepoint.rollback()
    status_of = {
        code: STATUS_OF[kind]
        for kind in STATUS_OF
        for code in getattr(summary, kind)  # created, replaced, unchanged
    }
    shapes: list[tuple[dict[str, Any], BaseGeometry]] = []
    for code in summary.closed:
        area = find_current_area(session, code)
        if area is not None:
            shapes.append((_properties(area, "closed", None), area.geom))
    for parsed_area in parsed:
        shapes.append(
            (
                _properties(parsed_area, status_of[parsed_area.code], parsed_area.index),
                parsed_area.geom,
            )
        )
    features, tolerance = _map_collection(shapes)
    problems = [
        Problem(
            Severity.WARNING,
            "hình bị lỗi (vòng tự cắt...) đã được tự sửa: hãy xem lại trên bản đồ",
            "the shape was invalid (self-intersecting rings...) and was repaired: check it "
            "on the map",
            Origin(source, feature=area.index),
        )
        for area in parsed
        if area.was_repaired
    ]
    return BoundaryPreview(
        properties=_property_names(document),
        features=features,
        summary=summary,
        problems=problems,
        tolerance=tolerance,
    )


def apply_boundaries(
    session: Session,
    *,
    data: bytes,
    mapping: PropertyMapping,
    valid_from: date | None,
    close_missing: bool,
    actor: User | None,
    at: datetime,
    source: str = DEFAULT_SOURCE,
) -> ImportSummary:
    """Write the file's areas as new versions from ``valid_from`` (local midnight in the
    province's time zone; ``None``: ``at``), closing the omitted areas of the same level and
    tree with ``close_missing``. Audited when something changed. Never commits.

    Raises:
        PackRefused: as :func:`preview_boundaries`, or a new version (or a closing) would not
            come after the current version's start.
    """
    _, parsed = _parse(data, mapping, source)
    starts = _starts(session, valid_from, at)
    try:
        summary = import_areas(
            session, parsed, source=source, valid_from=starts, close_missing=close_missing
        )
    except BoundaryFileError as exc:
        raise PackRefused(_problems(exc, source)) from exc
    if summary.changed:
        audit.record(
            session,
            actor_id=actor.id if actor else None,
            action="province.boundaries.apply",
            target_type="area_level",
            target_ref=mapping.level,
            after={
                **summary.to_dict(),
                "file": source,
                "valid_from": starts.isoformat(),
                "close_missing": close_missing,
                "created_codes": summary.created,
                "replaced_codes": summary.replaced,
                "closed_codes": summary.closed,
            },
        )
    return summary


def _parse(
    data: bytes, mapping: PropertyMapping, source: str
) -> tuple[dict[str, Any], list[ParsedArea]]:
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PackRefused(
            [error(Origin(source), f"tệp không phải JSON hợp lệ: {exc}", f"not valid JSON: {exc}")]
        ) from exc
    _check_mapped_properties(document, mapping, source)
    try:
        parsed = parse_areas(document, mapping, source=source)
    except BoundaryFileError as exc:
        raise PackRefused(_problems(exc, source)) from exc
    return document, parsed


def _check_mapped_properties(document: Any, mapping: PropertyMapping, source: str) -> None:
    """A property named in the form but held by no feature is one problem naming the form
    field, rather than the same problem repeated for every feature."""
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        return  # parse_areas says what is wrong with the document
    if not document["features"]:
        return
    seen = set(_property_names(document))
    fields = {
        "code_prop": mapping.code_prop,
        "name_prop": mapping.name_prop,
        "name_en_prop": mapping.name_en_prop,
        "parent_code_prop": mapping.parent_code_prop,
    }
    problems = [
        error(
            Origin(source, column=name),
            f"không đối tượng nào có thuộc tính {prop!r}",
            f"no feature has the property {prop!r}",
        )
        for name, prop in fields.items()
        if prop and prop not in seen
    ]
    if problems:
        raise PackRefused(problems)


def _property_names(document: Any) -> list[str]:
    """The property names the features use, in the order they first appear."""
    names: dict[str, None] = {}
    features = document.get("features") if isinstance(document, dict) else None
    for feature in features if isinstance(features, list) else []:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            names.update(dict.fromkeys(str(name) for name in properties))
    return list(names)


def _problems(exc: BoundaryFileError, source: str) -> list[Problem]:
    return [
        error(
            Origin(source, feature=index),
            f"ranh giới không dùng được: {reason}",
            f"unusable boundary: {reason}",
        )
        for index, reason in exc.problems
    ]


def _starts(session: Session, valid_from: date | None, at: datetime) -> datetime:
    if valid_from is None:
        return at
    profile = find_profile(session)
    zone = ZoneInfo(profile.time_zone if profile is not None else DEFAULT_TIME_ZONE)
    return local_midnight(valid_from, zone).astimezone(UTC)


def _properties(area: Any, status: str, index: int | None) -> dict[str, Any]:
    return {
        "code": area.code,
        "name": area.name_vi,
        "name_vi": area.name_vi,
        "name_en": area.name_en,
        "level": area.level,
        "parent_code": area.parent_code,
        "status": status,
        "feature": index,
    }


def _map_collection(
    shapes: list[tuple[dict[str, Any], BaseGeometry]],
) -> tuple[dict[str, Any], float]:
    """The features simplified enough to stay under :data:`MAX_PREVIEW_BYTES`: the tolerance
    doubles until they fit (or reaches :data:`MAX_TOLERANCE`); no feature is ever left out."""
    tolerance = BASE_TOLERANCE
    while True:
        collection = {
            "type": "FeatureCollection",
            "features": list(_features(shapes, tolerance)),
        }
        size = len(json.dumps(collection, separators=(",", ":"), ensure_ascii=False))
        if size <= MAX_PREVIEW_BYTES or tolerance >= MAX_TOLERANCE:
            return collection, tolerance
        tolerance = min(tolerance * 2, MAX_TOLERANCE)


def _features(
    shapes: list[tuple[dict[str, Any], BaseGeometry]], tolerance: float
) -> Iterable[dict[str, Any]]:
    for properties, geom in shapes:
        # Topology is kept, so a polygon never collapses to nothing however hard it is
        # simplified; rounding comes after, for the map only.
        simple = shapely.simplify(geom, tolerance, preserve_topology=True)
        rounded = shapely.transform(simple, lambda xy: xy.round(MAP_DECIMALS))
        yield {"type": "Feature", "properties": properties, "geometry": geojson_of(rounded)}
