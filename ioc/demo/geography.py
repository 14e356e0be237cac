"""Synthetic geography of the fictional coastal province "Tỉnh Hải Minh" (code ``HM``).

The demo and the tests need a province that looks like a real central-Vietnam coastal
province (irregular eastern coast, islands, dense urban wards around the provincial city)
without shipping or copying any third-party boundary data.  Everything here is generated
from a seed, so the same seed always yields byte-identical GeoJSON.

All overlay operations run on a fixed 1e-6 degree grid (the precision of the output
coordinates).  Rounding coordinates *after* the overlays could open slivers or overlaps
between neighbouring communes; snapping inside the overlays keeps the communes an exact
tiling of the mainland.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

__all__ = ["PROVINCE_CODE", "DemoGeography", "province_geography"]

PROVINCE_CODE = "HM"
PROVINCE_NAME = "Tỉnh Hải Minh"
PROVINCE_NAME_EN = "Hai Minh Province"

_GRID = 1e-6
_NORTH = 15.86
_SOUTH = 15.24
_WEST = 108.34
# Local equirectangular scale, good enough to reason about "km offshore" at this latitude.
_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON = 111.32 * math.cos(math.radians(15.55))

#: amplitude, frequency and phase of one sine term of a wavy border
_Wave = tuple[float, float, float]
#: one commune being built: its shape, its kind and its seed point
_Unit = tuple[BaseGeometry, str, tuple[float, float]]

_WARD_SEEDS = 12  # plus the provincial city itself and the small ward carved inside it
_RURAL_SEEDS = 33

_KINDS = {
    "phường": ("Phường", "ward"),
    "xã": ("Xã", "commune"),
    "đặc khu": ("Đặc khu", "special zone"),
}
_KIND_ORDER = ("phường", "xã", "đặc khu")
_CENTRAL_WARD = "Trung Tâm"
_SPECIAL_ZONE = "Cù Lao Minh"
_WARD_NAMES = (
    "Hải Châu",
    "Thanh Khê",
    "An Hải",
    "Hòa Minh",
    "Hòa Xuân",
    "Minh An",
    "Cẩm Phô",
    "Tân Thạnh",
    "Phước Hòa",
    "An Mỹ",
    "Trường Xuân",
    "Hòa Thuận",
    "Sơn Phong",
    "Cẩm Nam",
    "Thạch Thang",
    "Nam Dương",
    "Bình Hiên",
    "Phước Ninh",
    "Thuận Phước",
    "Hòa Cường",
)
_COMMUNE_NAMES = (
    "Duy Hải",
    "Bình Minh",
    "Tam Thanh",
    "Phước Sơn",
    "Trà My",
    "Điện Bàn Bắc",
    "Duy Xuyên",
    "Quế Sơn",
    "Thăng Bình",
    "Tiên Phước",
    "Hiệp Đức",
    "Nông Sơn",
    "Đại Lộc",
    "Tam Hiệp",
    "Tam Anh",
    "Bình Sa",
    "Bình Đào",
    "Duy Nghĩa",
    "Điện Ngọc",
    "Quế Trung",
    "Tiên Lãnh",
    "Trà Đốc",
    "Sơn Viên",
    "Phú Ninh",
    "Tam Xuân",
    "Bình Triều",
    "Đại Hồng",
    "Hòa Tiến",
    "Hòa Phong",
    "Tam Lãnh",
    "Quế Phong",
    "Trà Giang",
    "Phước Thành",
    "Bình Lâm",
    "Duy Thu",
    "Tam Dân",
    "Tiên Cảnh",
    "Đại Quang",
    "Quế Lộc",
    "Sơn Long",
    "Trà Tân",
    "Phước Kim",
    "Tam Sơn",
    "Bình Quế",
    "Hương An",
    "Thạnh Mỹ",
    "Cẩm Kim",
    "Tân Hiệp",
)


@dataclass(frozen=True)
class DemoGeography:
    """Generated boundaries of the demo province.

    ``province`` is a FeatureCollection with one MultiPolygon feature (the union of all
    communes), ``communes`` a FeatureCollection of the communes/wards/special zone, and
    ``city_center`` the (lon, lat) of the provincial city, for simulators.
    """

    province: dict[str, Any]
    communes: dict[str, Any]
    city_center: tuple[float, float]


def province_geography(seed: int = 2025) -> DemoGeography:
    """Generate the demo province deterministically from ``seed``."""
    rng = random.Random(seed)
    coast = _Coast(rng)
    outline = _mainland_outline(rng, coast)

    city_lat = coast.river_lat + rng.uniform(0.015, 0.025)  # on the north bank of the river
    city = (round(coast.lon_at(city_lat) - 0.028, 6), round(city_lat, 6))
    wards = _scatter(rng, outline, [city], _WARD_SEEDS, spacing=0.02, around=(city, 0.0, 0.07))
    seeds = _scatter(rng, outline, wards, _RURAL_SEEDS, spacing=0.075, around=(city, 0.1, None))

    # (geometry, kind, seed point); kinds follow the seed group, so wards cluster at the city.
    units: list[_Unit] = []
    for i, cell in enumerate(_voronoi_cells(seeds, outline)):
        units.append((cell, "phường" if i < len(wards) else "xã", seeds[i]))

    # Carve the central ward out of the city's cell: the city ward keeps a hole it fills.
    city_cell = units[0][0]
    radius = min(0.006, 0.45 * city_cell.boundary.distance(Point(city)))
    inner = _blob(rng, city, radius, vertices=9)
    units[0] = (shapely.difference(city_cell, inner, grid_size=_GRID), "phường", city)
    units.insert(0, (inner, "phường", city))

    islet_owner, islet = _coastal_islet(rng, coast, outline, units)
    geom, kind, point = units[islet_owner]
    units[islet_owner] = (_polygonal(shapely.union(geom, islet, grid_size=_GRID)), kind, point)

    archipelago = _archipelago(rng, coast, outline)
    units.append((archipelago, "đặc khu", _xy(archipelago.centroid)))

    # Stable sort: the central ward precedes the city ward it sits in (same seed point).
    units.sort(key=lambda u: (_KIND_ORDER.index(u[1]), math.dist(u[2], city)))
    ward_names = list(_WARD_NAMES)
    commune_names = list(_COMMUNE_NAMES)
    rng.shuffle(ward_names)
    rng.shuffle(commune_names)
    pools = {
        "phường": iter(ward_names),
        "xã": iter(commune_names),
        "đặc khu": iter([_SPECIAL_ZONE]),
    }

    features = []
    for number, (geom, kind, _point) in enumerate(units, start=1):
        base = _CENTRAL_WARD if number == 1 else next(pools[kind])
        prefix, kind_en = _KINDS[kind]
        features.append(
            _feature(
                geom,
                {
                    "code": f"{PROVINCE_CODE}-{number:03d}",
                    "name": f"{prefix} {base}",
                    "name_en": f"{_ascii(base)} {kind_en.title()}",
                    "kind": kind,
                    "kind_en": kind_en,
                    "parent_code": PROVINCE_CODE,
                },
            )
        )

    union = shapely.union_all([u[0] for u in units], grid_size=_GRID)
    province = _feature(
        MultiPolygon(_polygon_parts(union)),
        {
            "code": PROVINCE_CODE,
            "name": PROVINCE_NAME,
            "name_en": PROVINCE_NAME_EN,
        },
    )
    return DemoGeography(
        province={"type": "FeatureCollection", "features": [province]},
        communes={"type": "FeatureCollection", "features": features},
        city_center=city,
    )


class _Coast:
    """East coast as longitude-of-latitude, so the coastline can never cross itself."""

    def __init__(self, rng: random.Random) -> None:
        self.river_lat = rng.uniform(15.50, 15.60)
        self.north_bay_lat = rng.uniform(15.68, 15.76)
        self.south_bay_lat = rng.uniform(15.40, 15.46)
        self.headland_lat = rng.uniform(15.30, 15.36)
        # (centre, sigma, amplitude in degrees of longitude; negative = bay)
        self._bumps = (
            (self.north_bay_lat, 0.035, -0.04),
            (self.south_bay_lat, 0.025, -0.025),
            (self.headland_lat, 0.01, 0.035),
        )
        # Long swells shape the coast at province scale; sines alone look too regular up
        # close, so value noise on finer lattices adds the ragged shoreline detail.
        self._waves = [
            (rng.uniform(0.002, 0.005), rng.uniform(3.0, 25.0), rng.uniform(0.0, math.tau))
            for _ in range(4)
        ]
        self._octaves = [
            (step, amplitude, [rng.uniform(-1.0, 1.0) for _ in range(round(0.8 / step) + 2)])
            for step, amplitude in ((0.03, 0.005), (0.012, 0.0025), (0.004, 0.001))
        ]

    def lon_at(self, lat: float) -> float:
        # The central-Vietnam coast runs NNW-SSE, hence the negative slope.
        lon = 108.78 - 0.35 * (lat - 15.55)
        for centre, sigma, amplitude in self._bumps:
            lon += amplitude * math.exp(-(((lat - centre) / sigma) ** 2) / 2)
        for amplitude, freq, phase in self._waves:
            lon += amplitude * math.sin(math.tau * freq * lat + phase)
        for step, amplitude, values in self._octaves:
            i, t = divmod((lat - (_SOUTH - 0.05)) / step, 1.0)
            smooth = (1.0 - math.cos(math.pi * t)) / 2
            lon += amplitude * (values[int(i)] * (1.0 - smooth) + values[int(i) + 1] * smooth)
        # A sharp V-shaped notch where the river meets the sea.
        lon -= 0.02 * max(0.0, 1.0 - abs(lat - self.river_lat) / 0.005)
        return lon


def _mainland_outline(rng: random.Random, coast: _Coast) -> Polygon:
    west_waves = _waves(rng, 3, 0.012, (2.0, 9.0))
    north_waves = _waves(rng, 3, 0.01, (1.0, 4.0))
    south_waves = _waves(rng, 3, 0.01, (1.0, 4.0))

    def west_lon(lat: float) -> float:
        return _WEST + _wave_sum(west_waves, lat)

    def land_border(
        lat: float, lon_a: float, lon_b: float, waves: list[_Wave]
    ) -> list[tuple[float, float]]:
        # Tapered noise keeps the corners fixed where the border meets coast / west side.
        steps = 40
        pts = []
        for k in range(1, steps):
            t = k / steps
            pts.append(
                (lon_a + t * (lon_b - lon_a), lat + math.sin(math.pi * t) * _wave_sum(waves, t))
            )
        return pts

    nw, ne = (west_lon(_NORTH), _NORTH), (coast.lon_at(_NORTH), _NORTH)
    se, sw = (coast.lon_at(_SOUTH), _SOUTH), (west_lon(_SOUTH), _SOUTH)
    coast_lats = [_NORTH - k * 0.001 for k in range(1, round((_NORTH - _SOUTH) / 0.001))]
    coast_lats += [coast.river_lat + d for d in (-0.005, 0.0, 0.005)]  # exact notch vertices
    coast_lats = sorted(set(coast_lats), reverse=True)
    west_lats = [_SOUTH + k * 0.005 for k in range(1, round((_NORTH - _SOUTH) / 0.005))]

    ring = [nw, *land_border(_NORTH, nw[0], ne[0], north_waves), ne]
    ring += [(coast.lon_at(lat), lat) for lat in coast_lats]
    ring += [se, *land_border(_SOUTH, se[0], sw[0], south_waves), sw]
    ring += [(west_lon(lat), lat) for lat in west_lats]
    valid = shapely.make_valid(Polygon(ring))
    snapped = shapely.set_precision(_largest(valid), _GRID)
    return _largest(snapped)


def _scatter(
    rng: random.Random,
    outline: Polygon,
    existing: list[tuple[float, float]],
    count: int,
    spacing: float,
    around: tuple[tuple[float, float], float, float | None],
) -> list[tuple[float, float]]:
    """Append ``count`` points inside ``outline`` and the annulus ``around`` to ``existing``.

    Dart throwing with a minimum spacing that shrinks when darts keep missing, so the
    count is always reached.  ``r_max=None`` means the whole outline beyond ``r_min``.
    """
    centre, r_min, r_max = around
    minx, miny, maxx, maxy = outline.bounds
    shapely.prepare(outline)
    points = list(existing)
    added, misses = 0, 0
    while added < count:
        if r_max is None:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        else:  # a small disc: sample it directly rather than the whole bounding box
            r, a = r_max * math.sqrt(rng.random()), rng.uniform(0.0, math.tau)
            x, y = centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)
        x, y = round(x, 6), round(y, 6)
        ok = (
            math.dist((x, y), centre) >= r_min
            and shapely.contains_xy(outline, x, y)
            and all(math.dist((x, y), p) >= spacing for p in points)
        )
        if ok:
            points.append((x, y))
            added, misses = added + 1, 0
        else:
            misses += 1
            if misses > 300:
                spacing, misses = spacing * 0.93, 0
    return points


def _voronoi_cells(seeds: list[tuple[float, float]], outline: Polygon) -> list[BaseGeometry]:
    frame = box(*outline.buffer(0.5).bounds)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame, ordered=True)
    )
    clipped = shapely.intersection(cells, outline, grid_size=_GRID)
    return [_polygonal(c) for c in clipped]


def _coastal_islet(
    rng: random.Random, coast: _Coast, outline: Polygon, units: list[_Unit]
) -> tuple[int, Polygon]:
    """A small islet in the northern bay, owned by the nearest mainland commune."""
    lat = coast.north_bay_lat + rng.uniform(-0.01, 0.01)
    lon = coast.lon_at(lat) + 0.015
    islet = _blob(rng, (lon, lat), 0.004, vertices=12)
    while islet.distance(outline) < 0.006:  # ~600 m of open water, never touching
        lon += 0.002
        islet = _blob(rng, (lon, lat), 0.004, vertices=12)
    distances = [geom.distance(islet) for geom, _kind, _p in units]
    return distances.index(min(distances)), islet


def _archipelago(rng: random.Random, coast: _Coast, outline: Polygon) -> MultiPolygon:
    """2-3 islands about 10-30 km off the coast, forming the special zone."""
    lat = rng.uniform(15.40, 15.47)
    count = rng.choice((2, 3))
    offsets: list[tuple[float, float, float]] = [(0.0, 0.0, 0.018)]
    while len(offsets) < count:
        a, d = rng.uniform(0.0, math.tau), rng.uniform(0.035, 0.05)
        candidate = (d * math.cos(a), d * math.sin(a), rng.uniform(0.006, 0.01))
        if all(math.dist(candidate[:2], o[:2]) > candidate[2] + o[2] + 0.01 for o in offsets):
            offsets.append(candidate)
    shapes = [(dx, dy, r, _blob_shape(rng, 20)) for dx, dy, r in offsets]
    lon = coast.lon_at(lat) + 0.17
    while True:
        islands = [_blob_from(shape, (lon + dx, lat + dy), r) for dx, dy, r, shape in shapes]
        group = MultiPolygon(islands)
        if _km(group).distance(_km(outline)) >= 10.5:
            return group
        lon += 0.01


def _blob(rng: random.Random, centre: tuple[float, float], radius: float, vertices: int) -> Polygon:
    return _blob_from(_blob_shape(rng, vertices), centre, radius)


def _blob_shape(rng: random.Random, vertices: int) -> list[float]:
    """Radial noise around a circle: a star-shaped, hence always simple, ring."""
    harmonics = [(k, rng.uniform(0.0, 0.3 / k), rng.uniform(0.0, math.tau)) for k in (2, 3, 5)]
    return [
        1.0 + sum(a * math.cos(k * math.tau * i / vertices + p) for k, a, p in harmonics)
        for i in range(vertices)
    ]


def _blob_from(shape: list[float], centre: tuple[float, float], radius: float) -> Polygon:
    aspect = math.cos(math.radians(centre[1]))  # keep the blob round on the ground
    ring = []
    for i, scale in enumerate(shape):
        angle = math.tau * i / len(shape)
        x = centre[0] + radius * scale * math.cos(angle) / aspect
        y = centre[1] + radius * scale * math.sin(angle)
        ring.append((round(x, 6), round(y, 6)))
    return Polygon(ring)


def _waves(
    rng: random.Random, count: int, amplitude: float, freq: tuple[float, float]
) -> list[_Wave]:
    return [
        (rng.uniform(0.3, 1.0) * amplitude, rng.uniform(*freq), rng.uniform(0.0, math.tau))
        for _ in range(count)
    ]


def _wave_sum(waves: list[_Wave], x: float) -> float:
    return sum(a * math.sin(math.tau * f * x + p) for a, f, p in waves)


def _km(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c * [_KM_PER_DEG_LON, _KM_PER_DEG_LAT])


def _polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    return [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]


def _polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    parts = _polygon_parts(geom)
    if not parts:
        raise ValueError("overlay produced no polygonal geometry")
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _largest(geom: BaseGeometry) -> Polygon:
    return max(_polygon_parts(geom), key=lambda p: p.area)


def _xy(point: Point) -> tuple[float, float]:
    return (round(point.x, 6), round(point.y, 6))


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _feature(geom: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    # RFC 7946: exterior rings counter-clockwise, holes clockwise.
    geometry = mapping(shapely.orient_polygons(geom))
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": geometry["type"], "coordinates": _lists(geometry["coordinates"])},
    }


def _lists(coords: Any) -> Any:
    if isinstance(coords, float | int):
        return round(float(coords), 6)
    return [_lists(c) for c in coords]
