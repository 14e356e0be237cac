from __future__ import annotations

import json
import math
import re

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from ioc.demo.geography import PROVINCE_CODE, DemoGeography, province_geography

KINDS = {"phường": "ward", "xã": "commune", "đặc khu": "special zone"}
PREFIXES = {"phường": "Phường ", "xã": "Xã ", "đặc khu": "Đặc khu "}


@pytest.fixture(scope="module", params=[2025, 7, 123])
def geo(request: pytest.FixtureRequest) -> DemoGeography:
    return province_geography(request.param)


def _features(geo: DemoGeography) -> list[dict]:
    return geo.communes["features"]


def _shapes(geo: DemoGeography) -> list:
    return [shape(f["geometry"]) for f in _features(geo)]


def _to_km(geom):
    kx = 111.32 * math.cos(math.radians(15.55))
    return shapely.transform(geom, lambda c: c * [kx, 110.57])


def test_commune_properties(geo: DemoGeography) -> None:
    props = [f["properties"] for f in _features(geo)]
    assert len(props) >= 40
    codes = [p["code"] for p in props]
    names = [p["name"] for p in props]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    assert len({p["name_en"] for p in props}) == len(props)
    for p in props:
        assert re.fullmatch(r"HM-\d{3}", p["code"])
        assert p["parent_code"] == PROVINCE_CODE
        assert p["kind_en"] == KINDS[p["kind"]]
        assert p["name"].startswith(PREFIXES[p["kind"]])
        assert p["name_en"].isascii()
        assert p["name_en"].endswith(p["kind_en"].title())
    # Real Vietnamese names: most carry diacritics.
    assert sum(not n.isascii() for n in names) > len(names) // 2
    kinds = [p["kind"] for p in props]
    assert kinds.count("đặc khu") >= 1
    assert kinds.count("phường") >= 5
    assert kinds.count("xã") >= 20


def test_geometries_valid_and_non_overlapping(geo: DemoGeography) -> None:
    geoms = _shapes(geo)
    for g in geoms:
        assert g.is_valid
        assert not g.is_empty
        assert isinstance(g, Polygon | MultiPolygon)
    assert shapely.coverage_is_valid(geoms)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            assert geoms[i].intersection(geoms[j]).area == 0.0


def test_province_is_union_of_communes(geo: DemoGeography) -> None:
    (feature,) = geo.province["features"]
    assert feature["properties"] == {
        "code": "HM",
        "name": "Tỉnh Hải Minh",
        "name_en": "Hai Minh Province",
    }
    province = shape(feature["geometry"])
    assert isinstance(province, MultiPolygon)
    assert province.is_valid
    geoms = _shapes(geo)
    total = sum(g.area for g in geoms)
    assert math.isclose(province.area, total, rel_tol=1e-9)
    assert province.symmetric_difference(shapely.union_all(geoms)).area <= 1e-9 * total
    # The mainland is the one big part; the east coast is irregular, not a box.
    mainland = max(province.geoms, key=lambda p: p.area)
    assert mainland.area < 0.9 * mainland.envelope.area
    assert len(mainland.exterior.coords) > 200


def test_coordinates_in_region_and_rounded(geo: DemoGeography) -> None:
    for g in [*_shapes(geo), shape(geo.province["features"][0]["geometry"])]:
        coords = shapely.get_coordinates(g)
        assert ((coords[:, 0] > 108.25) & (coords[:, 0] < 109.15)).all()
        assert ((coords[:, 1] > 15.15) & (coords[:, 1] < 15.95)).all()
        assert (coords.round(6) == coords).all()
    lon, lat = geo.city_center
    city_ward = [
        f
        for f, g in zip(_features(geo), _shapes(geo), strict=True)
        if g.contains(shapely.Point(lon, lat))
    ]
    assert [f["properties"]["kind"] for f in city_ward] == ["phường"]


def test_special_zone_is_offshore_archipelago(geo: DemoGeography) -> None:
    zones = [
        g
        for f, g in zip(_features(geo), _shapes(geo), strict=True)
        if f["properties"]["kind"] == "đặc khu"
    ]
    assert len(zones) == 1
    zone = zones[0]
    assert isinstance(zone, MultiPolygon)
    assert 2 <= len(zone.geoms) <= 3
    province = shape(geo.province["features"][0]["geometry"])
    mainland = _to_km(max(province.geoms, key=lambda p: p.area))
    for island in zone.geoms:
        assert 10.0 <= _to_km(island).distance(mainland) <= 30.0


def test_mainland_commune_has_an_islet(geo: DemoGeography) -> None:
    province = shape(geo.province["features"][0]["geometry"])
    mainland = max(province.geoms, key=lambda p: p.area)
    with_islet = [
        g
        for f, g in zip(_features(geo), _shapes(geo), strict=True)
        if f["properties"]["kind"] != "đặc khu"
        and isinstance(g, MultiPolygon)
        and any(part.disjoint(mainland) for part in g.geoms)
    ]
    assert with_islet
    for g in with_islet:
        assert any(part.within(mainland) for part in g.geoms)


def test_central_ward_fills_a_hole_in_another_ward(geo: DemoGeography) -> None:
    feats, geoms = _features(geo), _shapes(geo)
    holed = [
        (f, g)
        for f, g in zip(feats, geoms, strict=True)
        if any(len(p.interiors) for p in getattr(g, "geoms", [g]))
    ]
    assert len(holed) == 1
    outer_feature, outer = holed[0]
    assert outer_feature["properties"]["kind"] == "phường"
    (hole,) = [Polygon(r) for p in getattr(outer, "geoms", [outer]) for r in p.interiors]
    inner = [(f, g) for f, g in zip(feats, geoms, strict=True) if g.equals(hole)]
    assert len(inner) == 1
    assert inner[0][0]["properties"]["kind"] == "phường"
    assert inner[0][1].touches(outer)


def test_deterministic_and_json_round_trip() -> None:
    first, second = province_geography(42), province_geography(42)
    dump = json.dumps([first.province, first.communes, first.city_center], ensure_ascii=False)
    assert dump == json.dumps(
        [second.province, second.communes, second.city_center], ensure_ascii=False
    )
    assert json.loads(json.dumps(first.communes)) == first.communes
    assert json.loads(json.dumps(first.province)) == first.province
    other = province_geography(43)
    assert json.dumps(other.communes) != json.dumps(first.communes)
