"""Parsing boundary files: pure, no database."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import MultiPolygon, Polygon, box, mapping

from ioc.errors import InvalidInput
from ioc.geo.boundaries import (
    MAX_CODE_LENGTH,
    MAX_NAME_LENGTH,
    BoundaryFileError,
    ParsedArea,
    PropertyMapping,
    parse_areas,
    read_geojson,
)
from ioc.geo.models import Area
from tests.factories import collection, feature

MAPPING = PropertyMapping(level="commune", code_prop="code", name_prop="name")
SOURCE = "communes.geojson"

SQUARE = box(106.0, 20.0, 106.5, 20.5)
LAKE = box(106.1, 20.1, 106.2, 20.2)
WITH_LAKE = Polygon(SQUARE.exterior.coords, [LAKE.exterior.coords])
ISLAND = box(107.0, 20.0, 107.1, 20.1)
# Self-intersecting ring: two triangles touching at (106.5, 20.5); its signed area is zero.
BOW_TIE = Polygon([(106, 20), (107, 21), (107, 20), (106, 21), (106, 20)])
BOW_TIE_LOBES = MultiPolygon(
    [
        Polygon([(106, 20), (106.5, 20.5), (106, 21)]),
        Polygon([(107, 20), (106.5, 20.5), (107, 21)]),
    ]
)


def parse_one(feat: dict[str, Any], mapping: PropertyMapping = MAPPING) -> ParsedArea:
    [area] = parse_areas(collection(feat), mapping, source=SOURCE)
    return area


def raw_feature(properties: dict[str, Any], geometry: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def mapping_of(geom: Any) -> dict[str, Any]:
    return dict(mapping(geom))


def problems_of(data: Any, mapping: PropertyMapping = MAPPING) -> BoundaryFileError:
    with pytest.raises(BoundaryFileError) as caught:
        parse_areas(data, mapping, source=SOURCE)
    return caught.value


# --- geometry ------------------------------------------------------------------------------


def test_polygon_feature_becomes_a_multipolygon() -> None:
    area = parse_one(feature("1", "Xã Một", SQUARE))
    assert isinstance(area.geom, MultiPolygon)
    assert area.geom.equals(MultiPolygon([SQUARE]))


def test_multipolygon_feature_stays_a_multipolygon() -> None:
    area = parse_one(feature("1", "Xã Một", MultiPolygon([SQUARE])))
    assert isinstance(area.geom, MultiPolygon)
    assert area.geom.equals(MultiPolygon([SQUARE]))


def test_hole_is_kept() -> None:
    area = parse_one(feature("1", "Xã Hồ", WITH_LAKE))
    [polygon] = area.geom.geoms
    assert len(polygon.interiors) == 1
    assert Polygon(polygon.interiors[0]).equals(LAKE)
    assert area.geom.equals(WITH_LAKE)


def test_island_keeps_both_parts() -> None:
    area = parse_one(feature("1", "Đặc khu Đảo", MultiPolygon([SQUARE, ISLAND])))
    assert len(area.geom.geoms) == 2
    assert area.geom.equals(MultiPolygon([SQUARE, ISLAND]))


def test_valid_polygon_is_not_marked_repaired() -> None:
    assert parse_one(feature("1", "Xã Một", SQUARE)).was_repaired is False


def test_self_intersecting_bow_tie_is_repaired_keeping_its_area() -> None:
    area = parse_one(feature("1", "Xã Nơ", BOW_TIE))
    assert area.was_repaired is True
    assert area.geom.is_valid
    assert area.geom.area == pytest.approx(0.5)  # two lobes of 0.25, not the zero signed area
    assert area.geom.equals(BOW_TIE_LOBES)


def test_third_coordinate_is_dropped() -> None:
    geometry = {
        "type": "Polygon",
        "coordinates": [[[106, 20, 5], [107, 20, 5], [107, 21, 5], [106, 21, 5], [106, 20, 5]]],
    }
    area = parse_one(raw_feature({"code": "1", "name": "Xã Cao"}, geometry))
    assert not area.geom.has_z
    assert area.geom.equals(MultiPolygon([box(106, 20, 107, 21)]))


# --- names and codes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Phường Hội An",
        "Xã Ý Yên",
        "Đặc khu Côn Đảo",
        "Ðại Lộc",  # Icelandic eth (U+00D0), as in GADM, not Vietnamese Đ (U+0110)
        "Xuân Truờng",  # GADM's misspelling of Trường
    ],
)
def test_name_is_kept_exactly(name: str) -> None:
    area = parse_one(feature("1", name, SQUARE))
    assert area.name_vi.encode() == name.encode()


def test_decomposed_name_stays_decomposed() -> None:
    nfd = unicodedata.normalize("NFD", "Xã Hải Hậu")
    assert nfd != unicodedata.normalize("NFC", nfd)
    area = parse_one(feature("1", nfd, SQUARE))
    assert area.name_vi.encode() == nfd.encode()


def test_english_name_is_read_from_its_property() -> None:
    mapping = PropertyMapping(
        level="commune", code_prop="code", name_prop="name", name_en_prop="name_en"
    )
    area = parse_one(feature("1", "Xã Ý Yên", SQUARE, name_en="Y Yen Commune"), mapping)
    assert area.name_en == "Y Yen Commune"


def test_numeric_code_becomes_text() -> None:
    mapping = PropertyMapping(level="district", code_prop="ID_3", name_prop="NAME_3")
    feat = raw_feature({"ID_3": 203, "NAME_3": "Giao Thủy"}, mapping_of(SQUARE))
    assert parse_one(feat, mapping).code == "203"


def test_level_and_fixed_parent_code_come_from_the_mapping() -> None:
    mapping = PropertyMapping(level="ward", code_prop="code", name_prop="name", parent_code="P")
    area = parse_one(feature("1", "Phường Một", SQUARE), mapping)
    assert (area.level, area.parent_code) == ("ward", "P")


def test_parent_code_is_read_from_its_property() -> None:
    mapping = PropertyMapping(
        level="commune", code_prop="code", name_prop="name", parent_code_prop="parent"
    )
    area = parse_one(feature("1", "Xã Một", SQUARE, parent=42), mapping)
    assert area.parent_code == "42"


def test_code_longer_than_the_code_column_is_refused() -> None:
    error = problems_of(collection(feature("9" * (MAX_CODE_LENGTH + 1), "Xã Một", SQUARE)))
    assert error.problems == [(0, f"property 'code' is longer than {MAX_CODE_LENGTH} characters")]


def test_name_longer_than_the_name_column_is_refused() -> None:
    error = problems_of(collection(feature("1", "Xã " + "a" * MAX_NAME_LENGTH, SQUARE)))
    assert error.problems == [(0, f"property 'name' is longer than {MAX_NAME_LENGTH} characters")]


def test_decomposed_name_is_measured_in_characters_as_stored() -> None:
    # NFD doubles many Vietnamese letters; the database counts code points too.
    name = unicodedata.normalize("NFD", "Ý" * (MAX_NAME_LENGTH // 2 + 1))
    error = problems_of(collection(feature("1", name, SQUARE)))
    assert error.problems == [(0, f"property 'name' is longer than {MAX_NAME_LENGTH} characters")]


def test_length_limits_match_the_area_columns() -> None:
    columns = Area.__table__.c
    assert MAX_CODE_LENGTH == columns.code.type.length == columns.parent_code.type.length
    assert MAX_NAME_LENGTH == columns.name_vi.type.length == columns.name_en.type.length


# --- fingerprint -----------------------------------------------------------------------------


def test_fingerprint_ignores_ring_start_point_and_orientation() -> None:
    ring = [(106.0, 20.0), (106.5, 20.0), (106.5, 20.5), (106.0, 20.5)]
    shifted_and_reversed = list(reversed(ring[2:] + ring[:2]))
    one = parse_one(feature("1", "Xã Một", Polygon(ring)))
    other = parse_one(feature("1", "Xã Một", Polygon(shifted_and_reversed)))
    assert one.fingerprint == other.fingerprint


def test_fingerprint_ignores_the_order_of_parts() -> None:
    one = parse_one(feature("1", "Xã Một", MultiPolygon([SQUARE, ISLAND])))
    other = parse_one(feature("1", "Xã Một", MultiPolygon([ISLAND, SQUARE])))
    assert one.fingerprint == other.fingerprint


def test_fingerprint_changes_with_the_shape() -> None:
    one = parse_one(feature("1", "Xã Một", SQUARE))
    other = parse_one(feature("1", "Xã Một", box(106.0, 20.0, 106.5, 20.6)))
    assert one.fingerprint != other.fingerprint


def test_fingerprint_changes_with_the_name() -> None:
    one = parse_one(feature("1", "Xã Một", SQUARE))
    other = parse_one(feature("1", "Phường Một", SQUARE))
    assert one.fingerprint != other.fingerprint


# --- problems in features --------------------------------------------------------------------


def test_missing_code_names_the_file_feature_and_property() -> None:
    data = collection(
        feature("1", "Xã Một", SQUARE),
        raw_feature({"name": "Xã Hai"}, mapping_of(SQUARE)),
    )
    error = problems_of(data)
    assert error.problems == [(1, "property 'code' is missing or empty")]
    assert f"{SOURCE}: feature 1: property 'code' is missing or empty" in str(error)


def test_empty_name_is_refused() -> None:
    error = problems_of(collection(feature("1", "   ", SQUARE)))
    assert error.problems == [(0, "property 'name' is missing or empty")]


def test_duplicate_code_names_the_first_feature() -> None:
    data = collection(
        feature("7", "Xã Bảy", SQUARE),
        feature("8", "Xã Tám", ISLAND),
        feature("7", "Xã Bảy Mới", ISLAND),
    )
    error = problems_of(data)
    assert error.problems == [(2, "code '7' repeats feature 0")]
    assert f"{SOURCE}: feature 2: code '7' repeats feature 0" in str(error)


def test_point_geometry_is_refused() -> None:
    data = collection(
        raw_feature({"code": "1", "name": "Xã Một"}, {"type": "Point", "coordinates": [106, 20]})
    )
    error = problems_of(data)
    assert error.problems == [(0, "geometry must be Polygon or MultiPolygon, not Point")]


def test_missing_geometry_is_refused() -> None:
    error = problems_of(collection(raw_feature({"code": "1", "name": "Xã Một"}, None)))
    assert error.problems == [(0, "has no geometry")]


def test_malformed_coordinates_are_refused() -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [[[[106, 20], [107, 20]]]]}
    error = problems_of(collection(raw_feature({"code": "1", "name": "Xã Một"}, geometry)))
    [(index, reason)] = error.problems
    assert index == 0
    assert reason.startswith("malformed MultiPolygon coordinates")


def test_flat_ring_with_no_area_is_refused() -> None:
    geometry = {"type": "Polygon", "coordinates": [[[106, 20], [107, 20], [108, 20], [106, 20]]]}
    error = problems_of(collection(raw_feature({"code": "1", "name": "Xã Một"}, geometry)))
    assert error.problems == [(0, "no area is left after repairing the rings")]


def test_projected_coordinates_are_refused() -> None:
    # VN-2000 / UTM zone 48N metres, as a file exported without reprojection would hold them.
    utm = box(588000.0, 2212000.0, 590000.0, 2214000.0)
    error = problems_of(collection(feature("1", "Xã Một", utm)))
    [(index, reason)] = error.problems
    assert index == 0
    assert "outside longitude/latitude range" in reason
    assert "WGS84" in reason


def test_latitude_first_coordinates_beyond_90_are_refused() -> None:
    # lat/lon swapped: 106 is not a latitude.
    error = problems_of(collection(feature("1", "Xã Một", box(20.0, 106.0, 20.5, 106.5))))
    [(index, reason)] = error.problems
    assert index == 0
    assert "outside longitude/latitude range" in reason


def test_non_feature_item_is_refused() -> None:
    data = collection(feature("1", "Xã Một", SQUARE), {"type": "Polygon", "coordinates": []})
    assert problems_of(data).problems == [(1, "not a GeoJSON Feature")]


def test_every_bad_feature_is_reported_in_one_error() -> None:
    data = collection(
        feature("1", "Xã Một", SQUARE),
        raw_feature({"name": "Xã Hai"}, mapping_of(SQUARE)),
        raw_feature({"code": "3", "name": "Xã Ba"}, {"type": "Point", "coordinates": [106, 20]}),
        feature("1", "Xã Một Nữa", ISLAND),
        raw_feature({"code": "5", "name": "Xã Năm"}, None),
    )
    error = problems_of(data)
    assert [index for index, _ in error.problems] == [1, 2, 3, 4]
    lines = str(error).splitlines()
    assert len(lines) == 4
    assert all(
        line.startswith(f"{SOURCE}: feature {i}: ")
        for i, line in zip([1, 2, 3, 4], lines, strict=True)
    )


def test_error_is_invalid_input_with_problems_in_details() -> None:
    error = problems_of(collection(feature("1", "", SQUARE)))
    assert isinstance(error, InvalidInput)
    assert error.details == {
        "source": SOURCE,
        "problems": [{"feature": 0, "reason": "property 'name' is missing or empty"}],
    }


# --- problems with the whole file ------------------------------------------------------------


def test_projected_crs_is_refused() -> None:
    data = collection(feature("1", "Xã Một", SQUARE))
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3405"}}
    error = problems_of(data)
    [(index, reason)] = error.problems
    assert index is None
    assert "unsupported coordinate reference system" in reason
    assert "EPSG::3405" in reason
    assert str(error).startswith(f"{SOURCE}: ")


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326"])
def test_wgs84_crs_is_accepted(name: str) -> None:
    data = collection(feature("1", "Xã Một", SQUARE))
    data["crs"] = {"type": "name", "properties": {"name": name}}
    assert [area.code for area in parse_areas(data, MAPPING, source=SOURCE)] == ["1"]


@pytest.mark.parametrize(
    "data",
    [
        feature("1", "Xã Một", SQUARE),
        [feature("1", "Xã Một", SQUARE)],
        {"type": "Topology", "objects": {}},
    ],
    ids=["feature", "list", "topology"],
)
def test_document_that_is_not_a_feature_collection_is_refused(data: Any) -> None:
    error = problems_of(data)
    assert error.problems == [(None, "expected a GeoJSON FeatureCollection")]
    assert str(error) == f"{SOURCE}: expected a GeoJSON FeatureCollection"


def test_feature_collection_without_features_is_refused() -> None:
    error = problems_of(collection())
    assert error.problems == [(None, "the FeatureCollection has no features")]


# --- reading files ---------------------------------------------------------------------------


def test_read_geojson_returns_the_document(tmp_path: Path) -> None:
    path = tmp_path / "ok.geojson"
    data = collection(feature("1", "Xã Ý Yên", SQUARE))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert read_geojson(path)["features"][0]["properties"]["name"] == "Xã Ý Yên"


def test_read_geojson_of_invalid_json_is_a_boundary_file_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(BoundaryFileError) as caught:
        read_geojson(path)
    [(index, reason)] = caught.value.problems
    assert index is None
    assert reason.startswith("not valid JSON")
    assert caught.value.source == str(path)


def test_read_geojson_of_missing_file_is_a_boundary_file_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.geojson"
    with pytest.raises(BoundaryFileError) as caught:
        read_geojson(path)
    [(index, reason)] = caught.value.problems
    assert index is None
    assert reason.startswith("cannot read file")
    assert str(caught.value).startswith(str(path))


def test_read_geojson_of_non_utf8_file_is_a_boundary_file_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.geojson"
    path.write_bytes(b'{"name": "H\xe0 N\xf4i"}')  # Latin-1 bytes, not UTF-8
    with pytest.raises(BoundaryFileError):
        read_geojson(path)


def test_overlong_level_name_is_refused_before_reading_features() -> None:
    mapping = PropertyMapping(level="x" * 33, code_prop="code", name_prop="name")
    with pytest.raises(BoundaryFileError, match="level name"):
        parse_areas({"type": "FeatureCollection", "features": []}, mapping, source="levels.geojson")
