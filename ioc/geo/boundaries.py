"""Reading boundary files: GeoJSON features ► validated, repaired MultiPolygons with codes.

Parsing is pure (no database); :mod:`ioc.geo.importer` writes the result in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from ioc.errors import InvalidInput

_WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
}

# The lengths of the area columns (ioc.geo.models.Area): longer values are refused here, with
# the feature named, instead of failing mid-import on PostgreSQL (SQLite would store them).
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 200
MAX_LEVEL_LENGTH = 32


@dataclass(frozen=True)
class PropertyMapping:
    """Which feature properties hold the code, names and parent code of each area."""

    level: str
    code_prop: str
    name_prop: str
    name_en_prop: str | None = None
    parent_code_prop: str | None = None
    parent_code: str | None = None


@dataclass(frozen=True)
class ParsedArea:
    index: int
    code: str
    level: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    geom: MultiPolygon
    was_repaired: bool

    @property
    def fingerprint(self) -> str:
        """Equal for the same shape, names and parent, whatever the ring order or start point."""
        digest = hashlib.sha256(shapely.to_wkb(shapely.normalize(self.geom)))
        for part in (self.level, self.name_vi, self.name_en or "", self.parent_code or ""):
            digest.update(b"\x00" + part.encode())
        return digest.hexdigest()


class BoundaryFileError(InvalidInput):
    """A boundary file cannot be imported; ``problems`` lists (feature index, reason)."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [
            f"{source}: feature {index}: {reason}" if index is not None else f"{source}: {reason}"
            for index, reason in problems
        ]
        super().__init__(
            "\n".join(lines),
            details={
                "source": source,
                "problems": [{"feature": i, "reason": r} for i, r in problems],
            },
        )


def read_geojson(path: Path) -> Any:
    """Load a GeoJSON file, turning I/O and syntax errors into a :class:`BoundaryFileError`."""
    try:
        with path.open("rb") as handle:
            return json.load(handle)
    except OSError as exc:
        raise BoundaryFileError(str(path), [(None, f"cannot read file: {exc.strerror}")]) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BoundaryFileError(str(path), [(None, f"not valid JSON: {exc}")]) from exc


def parse_areas(data: Any, mapping: PropertyMapping, *, source: str) -> list[ParsedArea]:
    """Validate every feature and return them all, or raise with every problem found.

    Raises:
        BoundaryFileError: the document is not a FeatureCollection, or any feature lacks a
            code or name, repeats a code, or has no usable polygon.
    """
    problems: list[tuple[int | None, str]] = []
    if not 0 < len(mapping.level) <= MAX_LEVEL_LENGTH:
        raise BoundaryFileError(
            source, [(None, f"the level name must be 1 to {MAX_LEVEL_LENGTH} characters")]
        )
    if mapping.parent_code is not None and not 0 < len(mapping.parent_code) <= MAX_CODE_LENGTH:
        raise BoundaryFileError(
            source, [(None, f"the parent code must be 1 to {MAX_CODE_LENGTH} characters")]
        )
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise BoundaryFileError(source, [(None, "expected a GeoJSON FeatureCollection")])
    crs_problem = _crs_problem(data.get("crs"))
    if crs_problem:
        raise BoundaryFileError(source, [(None, crs_problem)])
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryFileError(source, [(None, "the FeatureCollection has no features")])

    parsed: list[ParsedArea] = []
    first_index_of: dict[str, int] = {}
    for index, feature in enumerate(features):
        try:
            area = _parse_feature(index, feature, mapping)
        except _FeatureError as problem:
            problems.append((index, str(problem)))
            continue
        if area.code in first_index_of:
            problems.append(
                (index, f"code {area.code!r} repeats feature {first_index_of[area.code]}")
            )
            continue
        first_index_of[area.code] = index
        parsed.append(area)
    if problems:
        raise BoundaryFileError(source, problems)
    return parsed


class _FeatureError(Exception):
    pass


def _parse_feature(index: int, feature: Any, mapping: PropertyMapping) -> ParsedArea:
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise _FeatureError("not a GeoJSON Feature")
    props = feature.get("properties") or {}
    code = _text_property(props, mapping.code_prop, required=True, max_length=MAX_CODE_LENGTH)
    name = _text_property(props, mapping.name_prop, required=True, max_length=MAX_NAME_LENGTH)
    name_en = _text_property(
        props, mapping.name_en_prop, required=False, max_length=MAX_NAME_LENGTH
    )
    parent_code = mapping.parent_code
    if mapping.parent_code_prop:
        parent_code = _text_property(
            props, mapping.parent_code_prop, required=False, max_length=MAX_CODE_LENGTH
        )
    if parent_code == code:
        raise _FeatureError(f"area {code!r} names itself as its parent")
    geom, was_repaired = _polygonal(feature.get("geometry"))
    return ParsedArea(
        index=index,
        code=code,
        level=mapping.level,
        name_vi=name,
        name_en=name_en,
        parent_code=parent_code,
        geom=geom,
        was_repaired=was_repaired,
    )


def _text_property(
    props: Mapping[str, Any], name: str | None, *, required: bool, max_length: int
) -> Any:
    if name is None:
        return None
    value = props.get(name)
    if isinstance(value, bool) or (value is not None and not isinstance(value, str | int)):
        raise _FeatureError(f"property {name!r} must be text or a whole number")
    # Codes often arrive as numbers (GADM's ID_3); names must keep their diacritics exactly, so
    # nothing is normalised beyond trimming surrounding spaces.
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise _FeatureError(f"property {name!r} is missing or empty")
        return None
    if len(text) > max_length:
        raise _FeatureError(f"property {name!r} is longer than {max_length} characters")
    return text


def _polygonal(geometry: Any) -> tuple[MultiPolygon, bool]:
    if not isinstance(geometry, Mapping):
        raise _FeatureError("has no geometry")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        raise _FeatureError(f"geometry must be Polygon or MultiPolygon, not {kind}")
    try:
        geom = shapely.force_2d(shape(dict(geometry)))
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise _FeatureError(f"malformed {kind} coordinates ({exc})") from exc
    if geom.is_empty:
        raise _FeatureError("geometry is empty")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        raise _FeatureError(
            "coordinates are outside longitude/latitude range: the file must be WGS84 "
            "(EPSG:4326), longitude first"
        )
    was_repaired = not geom.is_valid
    if was_repaired:
        geom = shapely.make_valid(geom)
    polygons = _polygons_of(geom)
    if not polygons:
        raise _FeatureError("no area is left after repairing the rings")
    return MultiPolygon(polygons), was_repaired


def _polygons_of(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty or geom.area == 0 else [geom]
    parts: list[Polygon] = []
    for part in getattr(geom, "geoms", ()):
        parts.extend(_polygons_of(part))
    return parts


def _crs_problem(crs: Any) -> str | None:
    if crs is None:
        return None
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, Mapping) else None
    if name in _WGS84_NAMES:
        return None
    return f"unsupported coordinate reference system {name!r}: reproject to WGS84 (EPSG:4326)"
