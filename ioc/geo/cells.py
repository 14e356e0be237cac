"""Aggregation cells: slippy-map tiles, so rollups at any coarser zoom are integer divisions."""

from __future__ import annotations

import math

#: Zoom of the cell stored on each report (~600 m tiles at Vietnam's latitudes).
CELL_ZOOM = 16


def cell_for(lon: float, lat: float, zoom: int = CELL_ZOOM) -> tuple[int, int]:
    """The (x, y) Web Mercator tile holding a WGS84 point."""
    n = 1 << zoom
    lat_rad = math.radians(max(min(lat, 85.05112878), -85.05112878))
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(lat_rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
