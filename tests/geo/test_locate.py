"""Point ► area chain, in process and in the database, which must always agree (both backends).

The world (all coordinates are binary fractions, so points on borders are exactly on them)::

    20.5 +-----------------+-----------------+          province P = A ∪ B ∪ C
         |  A              |  B     +----+   |
         |   +---+         |        | C  |   |   +--+  B's offshore island
         |   |lake (no one)|        +----+   |   +--+
    20.0 +---+---+---------+-----------------+
       106.0           106.5             107.0  107.25
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.ops import unary_union
from sqlalchemy.orm import Session

from ioc.errors import InvalidInput
from ioc.geo.index import AreaRef
from ioc.geo.queries import area_revision, locate_in_database
from ioc.geo.service import AreaLocator, build_index
from tests.factories import EPOCH, feature, make_areas

AT = EPOCH + timedelta(days=30)
CHANGE = EPOCH + timedelta(days=184)  # 2026-01-01: A and B are redrawn

LAKE = box(106.125, 20.125, 106.25, 20.25)
POND = box(106.75, 20.25, 106.875, 20.375)
ISLAND = box(107.25, 20.0, 107.375, 20.125)
A = Polygon(box(106.0, 20.0, 106.5, 20.5).exterior.coords, [LAKE.exterior.coords])
B = MultiPolygon(
    [Polygon(box(106.5, 20.0, 107.0, 20.5).exterior.coords, [POND.exterior.coords]), ISLAND]
)
C = POND
P = unary_union([A, B, C])

# After CHANGE the A|B border moves west from 106.5 to 106.375.
A_REDRAWN = Polygon(box(106.0, 20.0, 106.375, 20.5).exterior.coords, [LAKE.exterior.coords])
B_REDRAWN = MultiPolygon(
    [Polygon(box(106.375, 20.0, 107.0, 20.5).exterior.coords, [POND.exterior.coords]), ISLAND]
)
MOVED = (106.4375, 20.3125)  # in A before CHANGE, in B after


def make_world(session: Session) -> None:
    make_areas(session, [feature("P", "Tỉnh Hải Minh", P)], level="province")
    make_areas(
        session,
        [
            feature("A", "Xã An Bình", A),
            feature("B", "Xã Bình Hải", B),
            feature("C", "Phường Cồn Ao", C),
        ],
        level="commune",
        parent_code="P",
    )


def redraw_a_and_b(session: Session) -> None:
    make_areas(
        session,
        [feature("A", "Xã An Bình", A_REDRAWN), feature("B", "Xã Bình Hải", B_REDRAWN)],
        level="commune",
        parent_code="P",
        valid_from=CHANGE,
    )


@pytest.fixture
def world(session: Session) -> Session:
    make_world(session)
    return session


def codes(chain: list[AreaRef] | None) -> list[str] | None:
    return None if chain is None else [area.code for area in chain]


def both(
    session: Session, locator: AreaLocator, lon: float, lat: float, at: datetime = AT
) -> list[AreaRef] | None:
    """Locate with the index and the database, check they agree, return the chain."""
    in_process = locator.locate(session, lon, lat, at)
    in_database = locate_in_database(session, lon, lat, at)
    assert in_process == in_database, (lon, lat, at)
    return in_process


# --- where points land -----------------------------------------------------------------------


def test_point_inside_a_commune_gives_commune_then_province(
    world: Session, locator: AreaLocator
) -> None:
    chain = both(world, locator, 106.0625, 20.4375)
    assert codes(chain) == ["A", "P"]
    assert [area.level for area in chain] == ["commune", "province"]


def test_chain_carries_the_vietnamese_names(world: Session, locator: AreaLocator) -> None:
    chain = both(world, locator, 106.0625, 20.4375)
    assert [area.name_vi for area in chain] == ["Xã An Bình", "Tỉnh Hải Minh"]


def test_point_outside_every_area_gives_none(world: Session, locator: AreaLocator) -> None:
    assert both(world, locator, 105.5, 20.25) is None


def test_point_between_mainland_and_island_gives_none(world: Session, locator: AreaLocator) -> None:
    assert both(world, locator, 107.125, 20.0625) is None


def test_point_on_shared_border_goes_to_the_smaller_code(
    world: Session, locator: AreaLocator
) -> None:
    assert codes(both(world, locator, 106.5, 20.25)) == ["A", "P"]


def test_point_on_vertex_shared_by_two_communes_goes_to_the_smaller_code(
    world: Session, locator: AreaLocator
) -> None:
    assert codes(both(world, locator, 106.5, 20.0)) == ["A", "P"]


def test_point_on_the_rim_of_a_filled_hole_goes_to_the_smaller_code(
    world: Session, locator: AreaLocator
) -> None:
    assert codes(both(world, locator, 106.75, 20.3125)) == ["B", "P"]


def test_point_in_a_commune_filling_a_hole_gives_that_commune(
    world: Session, locator: AreaLocator
) -> None:
    assert codes(both(world, locator, 106.8125, 20.3125)) == ["C", "P"]


def test_point_in_the_lake_hole_gives_none(world: Session, locator: AreaLocator) -> None:
    assert both(world, locator, 106.1875, 20.1875) is None


def test_point_on_the_lake_shore_is_located(world: Session, locator: AreaLocator) -> None:
    assert codes(both(world, locator, 106.125, 20.1875)) == ["A", "P"]


def test_point_on_the_island_gives_its_commune(world: Session, locator: AreaLocator) -> None:
    assert codes(both(world, locator, 107.3125, 20.0625)) == ["B", "P"]


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(106.0, 20.25), (106.75, 20.5), (106.0, 20.0), (107.0, 20.5), (107.375, 20.125)],
    ids=["west-edge", "north-edge", "corner", "north-east-corner", "island-corner"],
)
def test_point_on_the_province_outer_boundary_is_located(
    world: Session, locator: AreaLocator, lon: float, lat: float
) -> None:
    chain = both(world, locator, lon, lat)
    assert chain is not None
    assert codes(chain)[-1] == "P"
    assert len(chain) == 2


def test_index_and_database_agree_on_a_grid_over_the_world(
    world: Session, locator: AreaLocator
) -> None:
    # A step of 1/16 degree puts many points exactly on borders, vertices and hole rims.
    step = 0.0625
    lons = np.arange(105.875, 107.625 + step / 2, step)
    lats = np.arange(19.8125, 20.6875 + step / 2, step)
    answers = {}
    for lon in lons:
        for lat in lats:
            answers[float(lon), float(lat)] = codes(both(world, locator, float(lon), float(lat)))
    assert len(answers) >= 400
    # The grid really crosses every case: each commune, the lake, the sea.
    assert {tuple(chain) if chain else None for chain in answers.values()} == {
        ("A", "P"),
        ("B", "P"),
        ("C", "P"),
        None,
    }


# --- versions --------------------------------------------------------------------------------


def test_point_is_located_in_the_version_valid_before_a_change(
    world: Session, locator: AreaLocator
) -> None:
    redraw_a_and_b(world)
    assert codes(both(world, locator, *MOVED, at=CHANGE - timedelta(seconds=1))) == ["A", "P"]


def test_point_is_located_in_the_version_valid_after_a_change(
    world: Session, locator: AreaLocator
) -> None:
    redraw_a_and_b(world)
    assert codes(both(world, locator, *MOVED, at=CHANGE + timedelta(days=1))) == ["B", "P"]


def test_new_version_applies_from_the_moment_it_starts(
    world: Session, locator: AreaLocator
) -> None:
    redraw_a_and_b(world)
    assert codes(both(world, locator, *MOVED, at=CHANGE)) == ["B", "P"]


def test_located_version_is_the_one_valid_at_the_moment_asked(
    world: Session, locator: AreaLocator
) -> None:
    redraw_a_and_b(world)
    before = both(world, locator, 106.0625, 20.4375, at=CHANGE - timedelta(seconds=1))
    after = both(world, locator, 106.0625, 20.4375, at=CHANGE)
    assert before is not None
    assert after is not None
    assert before[0].code == after[0].code == "A"
    assert before[0].valid_to == after[0].valid_from == CHANGE
    assert before[0].id != after[0].id
    assert before[1].id == after[1].id  # the province was not redrawn


def test_point_before_the_first_version_gives_none(world: Session, locator: AreaLocator) -> None:
    assert both(world, locator, 106.0625, 20.4375, at=EPOCH - timedelta(seconds=1)) is None


@pytest.mark.parametrize(
    "at",
    [CHANGE - timedelta(days=1), CHANGE, CHANGE + timedelta(days=1)],
    ids=["before", "at", "after"],
)
def test_index_and_database_agree_across_versions(
    world: Session, locator: AreaLocator, at: datetime
) -> None:
    redraw_a_and_b(world)
    step = 0.0625
    for lon in np.arange(105.875, 107.5 + step / 2, step):
        for lat in (20.0, 20.3125, 20.5):
            both(world, locator, float(lon), lat, at=at)


# --- rebuilding the index --------------------------------------------------------------------


def test_locator_notices_a_new_import(world: Session, locator: AreaLocator) -> None:
    far = (107.5625, 20.0625)
    assert locator.locate(world, *far, AT) is None
    make_areas(
        world, [feature("D", "Xã Đảo Mới", box(107.5, 20.0, 107.75, 20.25))], level="commune"
    )
    assert codes(locator.locate(world, *far, AT)) == ["D"]


def test_locator_notices_a_redrawn_border(world: Session, locator: AreaLocator) -> None:
    at = CHANGE + timedelta(days=1)
    assert codes(locator.locate(world, *MOVED, at)) == ["A", "P"]
    redraw_a_and_b(world)
    assert codes(locator.locate(world, *MOVED, at)) == ["B", "P"]


def test_locator_keeps_its_index_while_the_revision_is_unchanged(
    world: Session, locator: AreaLocator
) -> None:
    first = locator.index(world)
    assert locator.index(world) is first


def test_index_carries_the_current_revision(world: Session, locator: AreaLocator) -> None:
    redraw_a_and_b(world)
    assert locator.index(world).revision == area_revision(world)


def test_built_index_holds_every_version(world: Session) -> None:
    redraw_a_and_b(world)
    index = build_index(world)
    assert len(index) == 6  # P, A, B, C, then A and B again
    old = index.find_version("A", CHANGE - timedelta(seconds=1))
    new = index.find_version("A", CHANGE)
    assert old is not None
    assert new is not None
    assert (old.valid_to, new.valid_from, new.valid_to) == (CHANGE, CHANGE, None)


def test_built_index_locates_in_past_versions(world: Session) -> None:
    redraw_a_and_b(world)
    index = build_index(world)
    assert codes(index.locate(*MOVED, CHANGE - timedelta(seconds=1))) == ["A", "P"]
    assert codes(index.locate(*MOVED, CHANGE)) == ["B", "P"]


def test_empty_database_locates_nothing(session: Session, locator: AreaLocator) -> None:
    assert locator.locate(session, 106.0625, 20.4375, AT) is None


# --- bad coordinates -------------------------------------------------------------------------


def test_longitude_out_of_range_is_invalid_input_naming_the_field(
    world: Session, locator: AreaLocator
) -> None:
    with pytest.raises(InvalidInput) as caught:
        locator.locate(world, 200.0, 20.0, AT)
    assert set(caught.value.details["fields"]) == {"lon"}


def test_latitude_out_of_range_is_invalid_input_naming_the_field(
    world: Session, locator: AreaLocator
) -> None:
    with pytest.raises(InvalidInput) as caught:
        locator.locate(world, 106.0, -91.0, AT)
    assert set(caught.value.details["fields"]) == {"lat"}


def test_not_a_number_coordinate_is_invalid_input(world: Session, locator: AreaLocator) -> None:
    with pytest.raises(InvalidInput) as caught:
        locator.locate(world, float("nan"), 20.0, AT)
    assert set(caught.value.details["fields"]) == {"lon"}
