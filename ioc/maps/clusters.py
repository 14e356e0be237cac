"""Report counts per map tile, for the wall map's low zooms.

A tile of the requested grouping zoom is an integer division of the cells stored on reports,
so counts come straight from a GROUP BY. With category and status filters only, the counts are
read from the rollup table (``ioc.feedback.reads.rollups``: a few rows per cell, kept current
in each report's transaction), which stays fast at a million reports. Filters the rollups do
not carry (agency, area, time window) group the ``report`` table itself instead: exact, and
fast enough for the narrower views those filters make.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from ioc.feedback.models import Agency, Category
from ioc.feedback.reads.rollups import ROLLUP_ZOOM, ReportCellCount
from ioc.feedback.report_models import Report, ReportArea
from ioc.feedback.states import PUBLISHED_STATES
from ioc.geo.cells import CELL_ZOOM, cell_for
from ioc.geo.models import Area

#: Clusters are tiles two zooms finer than the map's: about 64 screen pixels across.
CLUSTER_ZOOM_OFFSET = 2

Columns = TypeVarTuple("Columns")


@dataclass(frozen=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    @classmethod
    def parse(cls, value: str) -> BBox:
        """``min_lon,min_lat,max_lon,max_lat`` as a box (a ValueError says what is wrong)."""
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
        except ValueError:
            raise ValueError("must be four numbers: min_lon,min_lat,max_lon,max_lat") from None
        if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
            raise ValueError("must have min < max, longitudes within ±180 and latitudes within ±90")
        return cls(min_lon, min_lat, max_lon, max_lat)


@dataclass(frozen=True)
class MapFilter:
    """What the map shows. Empty tuples and ``None`` mean "no restriction"."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    agency: str | None = None
    area: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: The public's view: published results of non-private categories only.
    published_only: bool = False

    @property
    def needs_reports(self) -> bool:
        """Whether the rollup table cannot answer (it has no agency, area or time)."""
        return bool(self.agency or self.area or self.since or self.until)

    @property
    def status_set(self) -> tuple[str, ...] | None:
        """The statuses shown (None: every status); for the public, published ones only."""
        if not self.published_only:
            return self.statuses or None
        published = sorted(s.value for s in PUBLISHED_STATES)
        return tuple(s for s in published if not self.statuses or s in self.statuses)


@dataclass(frozen=True)
class Cluster:
    x: int
    y: int
    zoom: int
    count: int
    lon: float  # the reports' centre of mass in the tile, where the cluster is drawn
    lat: float
    statuses: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "x": self.x,
            "y": self.y,
            "zoom": self.zoom,
            "count": self.count,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "statuses": self.statuses,
        }


def cluster_zoom(map_zoom: int) -> int:
    """The tile zoom that groups reports for a map shown at ``map_zoom``."""
    return max(0, min(map_zoom + CLUSTER_ZOOM_OFFSET, CELL_ZOOM))


def count_clusters(
    session: Session, *, map_zoom: int, bbox: BBox, criteria: MapFilter
) -> tuple[str, list[Cluster]]:
    """Report counts per tile inside ``bbox``; also says which table answered
    (``"rollups"`` or ``"reports"``). Tiles finer than the rollups' (a street-level view too
    dense for points) group the reports in the box, which the (lon, lat) index keeps small."""
    zoom = cluster_zoom(map_zoom)
    if criteria.needs_reports or zoom > ROLLUP_ZOOM:
        return "reports", _from_reports(session, zoom, bbox, criteria)
    return "rollups", _from_rollups(session, zoom, bbox, criteria)


def _from_rollups(session: Session, zoom: int, bbox: BBox, criteria: MapFilter) -> list[Cluster]:
    table = ReportCellCount
    divisor = 1 << (ROLLUP_ZOOM - zoom)
    tile_x, tile_y = table.cell_x // divisor, table.cell_y // divisor
    (x0, y0), (x1, y1) = _cell_range(bbox, ROLLUP_ZOOM)
    query = (
        select(
            tile_x,
            tile_y,
            table.status,
            func.sum(table.count),
            func.sum(table.count * table.cell_x),
            func.sum(table.count * table.cell_y),
        )
        .where(table.cell_x.between(x0, x1), table.cell_y.between(y0, y1))
        .group_by(tile_x, tile_y, table.status)
        .having(func.sum(table.count) > 0)
    )
    statuses = criteria.status_set
    if statuses is not None:
        query = query.where(table.status.in_(statuses))
    if criteria.categories or criteria.published_only:
        query = query.join(Category, Category.id == table.category_id)
    if criteria.categories:
        query = query.where(Category.code.in_(criteria.categories))
    if criteria.published_only:
        query = query.where(Category.is_private.is_(False))
    rows = list(session.execute(query))
    # The centre of mass comes out in rollup-cell units.
    return _merge(rows, zoom, centre=lambda n, cx, cy: _cell_centre(cx / n, cy / n, ROLLUP_ZOOM))


def _from_reports(session: Session, zoom: int, bbox: BBox, criteria: MapFilter) -> list[Cluster]:
    divisor = 1 << (CELL_ZOOM - zoom)
    tile_x, tile_y = Report.cell_x // divisor, Report.cell_y // divisor
    query = select(
        tile_x,
        tile_y,
        Report.status,
        func.count(),
        func.sum(Report.lon),
        func.sum(Report.lat),
    ).group_by(tile_x, tile_y, Report.status)
    query = filter_reports(query, bbox, criteria)
    rows = list(session.execute(query))
    return _merge(rows, zoom, centre=lambda n, lon, lat: (lon / n, lat / n))


def filter_reports(
    query: Select[*Columns], bbox: BBox | None, criteria: MapFilter
) -> Select[*Columns]:
    """``query`` on ``report`` restricted to ``bbox`` and ``criteria``."""
    conditions: list[ColumnElement[bool]] = []
    if bbox is not None:
        conditions += [
            Report.lon.between(bbox.min_lon, bbox.max_lon),
            Report.lat.between(bbox.min_lat, bbox.max_lat),
        ]
    statuses = criteria.status_set
    if statuses is not None:
        conditions.append(Report.status.in_(statuses))
    if criteria.categories:
        codes = select(Category.id).where(Category.code.in_(criteria.categories))
        conditions.append(Report.category_id.in_(codes.scalar_subquery()))
    if criteria.published_only:
        private = select(Category.id).where(Category.is_private.is_(True))
        conditions.append(Report.category_id.not_in(private.scalar_subquery()))
    if criteria.agency:
        agency = select(Agency.id).where(Agency.code == criteria.agency)
        conditions.append(Report.lead_agency_id.in_(agency.scalar_subquery()))
    if criteria.area:
        # The areas the report was filed under, at any depth (a province takes its communes).
        conditions.append(
            exists().where(
                ReportArea.report_id == Report.id,
                ReportArea.area_id == Area.id,
                Area.code == criteria.area,
            )
        )
    if criteria.since:
        conditions.append(Report.received_at >= criteria.since)
    if criteria.until:
        conditions.append(Report.received_at < criteria.until)
    return query.where(and_(*conditions)) if conditions else query


def _merge(rows: list[Any], zoom: int, *, centre: Any) -> list[Cluster]:
    """One cluster per tile from per-(tile, status) rows of (x, y, status, n, sum_a, sum_b)."""
    tiles: dict[tuple[int, int], list[Any]] = {}
    for x, y, status, n, sum_a, sum_b in rows:
        if not n:
            continue
        tile = tiles.setdefault((int(x), int(y)), [0, 0.0, 0.0, {}])
        tile[0] += int(n)
        tile[1] += float(sum_a)
        tile[2] += float(sum_b)
        tile[3][status] = tile[3].get(status, 0) + int(n)
    clusters = []
    for (x, y), (n, sum_a, sum_b, statuses) in sorted(tiles.items()):
        lon, lat = centre(n, sum_a, sum_b)
        clusters.append(Cluster(x, y, zoom, n, lon, lat, statuses))
    return clusters


def _cell_range(bbox: BBox, zoom: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last cell (x, y) of ``bbox`` at ``zoom`` (y grows southwards)."""
    return cell_for(bbox.min_lon, bbox.max_lat, zoom), cell_for(bbox.max_lon, bbox.min_lat, zoom)


def _cell_centre(x: float, y: float, zoom: int) -> tuple[float, float]:
    """WGS84 position of fractional cell coordinates (the middle of a cell is x + 0.5)."""
    n = 1 << zoom
    lon = (x + 0.5) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n))))
    return lon, lat
