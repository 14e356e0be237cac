"""The in-process spatial index: point ► area chain in microseconds, on every backend.

Built from the area rows of the database (the source of truth); an instance is immutable, and
:class:`ioc.geo.service.AreaLocator` swaps in a new one when the area revision changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class AreaRef:
    """What routing and the API need to know about one area version."""

    id: int
    code: str
    level: str
    name_vi: str
    name_en: str | None
    parent_code: str | None
    valid_from: datetime
    valid_to: datetime | None

    def is_valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "name": self.name_vi,
            "name_en": self.name_en,
            "level": self.level,
        }


VersionLookup = Callable[[str, datetime], AreaRef | None]


def chain_from_covering(
    covering: Iterable[AreaRef], at: datetime, find_version: VersionLookup
) -> list[AreaRef] | None:
    """Pick the leaf among the areas covering a point and walk up to the root.

    The leaf is the deepest area valid at ``at``; on a shared border (two leaves cover the
    point) the smallest code wins, so every process and both backends give the same answer.
    Shared by the in-process index and the database path so they cannot drift apart.
    """
    candidates = [area for area in covering if area.is_valid_at(at)]
    if not candidates:
        return None
    chains = [_walk_up(area, at, find_version) for area in candidates]
    chains.sort(key=lambda chain: (-len(chain), chain[0].code))
    return chains[0]


def _walk_up(leaf: AreaRef, at: datetime, find_version: VersionLookup) -> list[AreaRef]:
    chain = [leaf]
    seen = {leaf.code}
    parent_code = leaf.parent_code
    while parent_code and parent_code not in seen:
        parent = find_version(parent_code, at)
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent.code)
        parent_code = parent.parent_code
    return chain


class AreaIndex:
    """An STRtree over prepared geometries of every area version."""

    def __init__(self, areas: Sequence[tuple[AreaRef, BaseGeometry]], revision: int) -> None:
        self.revision = revision
        self._refs = [ref for ref, _ in areas]
        self._geoms = np.array([geom for _, geom in areas], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = STRtree(self._geoms)
        self._versions: dict[str, list[AreaRef]] = defaultdict(list)
        for ref in self._refs:
            self._versions[ref.code].append(ref)
        self._by_id = {ref.id: ref for ref in self._refs}

    def __len__(self) -> int:
        return len(self._refs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of every area in the index."""
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(self._geoms)
        return float(min_lon), float(min_lat), float(max_lon), float(max_lat)

    def area(self, area_id: int) -> AreaRef | None:
        """The area version with this id, if the index holds it."""
        return self._by_id.get(area_id)

    def find_version(self, code: str, at: datetime) -> AreaRef | None:
        for ref in self._versions.get(code, ()):
            if ref.is_valid_at(at):
                return ref
        return None

    def locate(self, lon: float, lat: float, at: datetime) -> list[AreaRef] | None:
        """The chain of areas (leaf first) covering the point at time ``at``; ``None`` outside.

        A point on a border counts as inside (covers, not contains).
        """
        point = shapely.Point(lon, lat)
        candidates = self._tree.query(point)
        if len(candidates) == 0:
            return None
        hits = candidates[shapely.covers(self._geoms[candidates], point)]
        return chain_from_covering((self._refs[i] for i in hits), at, self.find_version)
