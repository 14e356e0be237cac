"""Writing parsed boundaries as area versions, and exporting them again (both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import MultiPolygon, Polygon, box
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ioc.db import unit_of_work
from ioc.errors import InvalidInput, NotFound
from ioc.geo.boundaries import (
    MAX_CODE_LENGTH,
    MAX_NAME_LENGTH,
    BoundaryFileError,
    PropertyMapping,
    parse_areas,
)
from ioc.geo.importer import close_areas, import_areas
from ioc.geo.models import Area
from ioc.geo.queries import area_revision, find_current_area
from ioc.geo.service import export_areas
from tests.factories import EPOCH, collection, feature, make_areas

LATER = EPOCH + timedelta(days=184)  # 2026-01-01

PROVINCE = box(106.0, 20.0, 107.0, 20.5)
WEST = box(106.0, 20.0, 106.5, 20.5)
EAST = box(106.5, 20.0, 107.0, 20.5)
WEST_SHRUNK = box(106.0, 20.0, 106.25, 20.5)
ISLAND = box(107.25, 20.0, 107.375, 20.125)


def communes() -> list[dict[str, Any]]:
    return [feature("001", "Xã Tây Sơn", WEST), feature("002", "Xã Đông Hải", EAST)]


def make_world(session: Session) -> None:
    make_areas(session, [feature("P", "Tỉnh Hải Minh", PROVINCE)], level="province")
    make_areas(session, communes(), level="commune", parent_code="P")


def rows(session: Session, code: str) -> list[Area]:
    return list(session.scalars(select(Area).where(Area.code == code).order_by(Area.valid_from)))


def area_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Area)) or 0


def parsed(*features: dict[str, Any], parent_code: str | None = "P", **mapping: Any) -> list:
    mapping.setdefault("level", "commune")
    return parse_areas(
        collection(*features),
        PropertyMapping(code_prop="code", name_prop="name", parent_code=parent_code, **mapping),
        source="test.geojson",
    )


# --- creating and re-importing ---------------------------------------------------------------


def test_first_import_creates_one_current_version_per_code(session: Session) -> None:
    summary = make_areas(session, communes(), level="commune")
    assert summary.created == ["001", "002"]
    assert summary.replaced == summary.unchanged == []
    for code in ("001", "002"):
        [version] = rows(session, code)
        assert version.valid_from == EPOCH
        assert version.valid_to is None


def test_first_import_stores_names_levels_parent_and_geometry(session: Session) -> None:
    make_world(session)
    [west] = rows(session, "001")
    assert (west.name_vi, west.level, west.parent_code) == ("Xã Tây Sơn", "commune", "P")
    assert west.geom.equals(MultiPolygon([WEST]))
    assert (west.min_lon, west.min_lat, west.max_lon, west.max_lat) == WEST.bounds


def test_first_import_bumps_the_area_revision(session: Session) -> None:
    before = area_revision(session)
    make_areas(session, communes(), level="commune")
    assert area_revision(session) == before + 1


def test_reimporting_the_same_features_is_a_no_op(session: Session) -> None:
    make_world(session)
    summary = make_areas(session, communes(), level="commune", parent_code="P", valid_from=LATER)
    assert summary.unchanged == ["001", "002"]
    assert summary.created == summary.replaced == []
    assert not summary.changed


def test_reimporting_the_same_features_keeps_one_row_per_code(session: Session) -> None:
    make_world(session)
    make_areas(session, communes(), level="commune", parent_code="P", valid_from=LATER)
    assert [len(rows(session, code)) for code in ("001", "002")] == [1, 1]
    assert rows(session, "001")[0].valid_to is None


def test_reimporting_the_same_features_does_not_bump_the_revision(session: Session) -> None:
    make_world(session)
    before = area_revision(session)
    make_areas(session, communes(), level="commune", parent_code="P", valid_from=LATER)
    assert area_revision(session) == before


def test_same_polygon_with_rotated_ring_is_unchanged(session: Session) -> None:
    make_world(session)
    ring = list(WEST.exterior.coords)[:-1]
    rotated = Polygon(list(reversed(ring[1:] + ring[:1])))
    summary = make_areas(
        session,
        [feature("001", "Xã Tây Sơn", rotated)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    assert summary.unchanged == ["001"]


def test_code_and_name_at_the_column_limits_are_stored_whole(session: Session) -> None:
    code, name = "9" * MAX_CODE_LENGTH, "Xã " + "ệ" * (MAX_NAME_LENGTH - 3)
    make_areas(session, [feature(code, name, WEST)], level="commune")
    [area] = rows(session, code)
    assert area.name_vi == name


# --- new versions ----------------------------------------------------------------------------


def test_changed_shape_closes_the_old_version_when_the_new_one_starts(session: Session) -> None:
    make_world(session)
    summary = make_areas(
        session,
        [feature("001", "Xã Tây Sơn", WEST_SHRUNK)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    assert summary.replaced == ["001"]
    old, new = rows(session, "001")
    assert old.valid_to == new.valid_from == LATER
    assert new.valid_to is None
    assert old.geom.equals(MultiPolygon([WEST]))
    assert new.geom.equals(MultiPolygon([WEST_SHRUNK]))


def test_changed_shape_becomes_the_current_version(session: Session) -> None:
    make_world(session)
    make_areas(
        session,
        [feature("001", "Xã Tây Sơn", WEST_SHRUNK)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    current = find_current_area(session, "001")
    assert current is not None
    assert current.geom.equals(MultiPolygon([WEST_SHRUNK]))


def test_changed_shape_leaves_other_codes_untouched(session: Session) -> None:
    make_world(session)
    [east_before] = rows(session, "002")
    make_areas(
        session,
        [feature("001", "Xã Tây Sơn", WEST_SHRUNK), feature("002", "Xã Đông Hải", EAST)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    [east_after] = rows(session, "002")
    assert east_after.id == east_before.id
    assert (east_after.valid_from, east_after.valid_to) == (EPOCH, None)


def test_changed_shape_bumps_the_revision(session: Session) -> None:
    make_world(session)
    before = area_revision(session)
    make_areas(
        session,
        [feature("001", "Xã Tây Sơn", WEST_SHRUNK)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    assert area_revision(session) == before + 1


def test_renamed_area_gets_a_new_version(session: Session) -> None:
    make_world(session)
    summary = make_areas(
        session,
        [feature("001", "Phường Tây Sơn", WEST)],
        level="ward",
        parent_code="P",
        valid_from=LATER,
    )
    assert summary.replaced == ["001"]
    assert [(row.name_vi, row.level) for row in rows(session, "001")] == [
        ("Xã Tây Sơn", "commune"),
        ("Phường Tây Sơn", "ward"),
    ]


@pytest.mark.parametrize(
    "starts", [EPOCH, EPOCH - timedelta(days=1)], ids=["same-moment", "earlier"]
)
def test_new_version_not_after_the_current_one_is_refused(
    session: Session, starts: datetime
) -> None:
    make_world(session)
    with pytest.raises(BoundaryFileError) as caught:
        make_areas(
            session,
            [feature("002", "Xã Đông Hải", EAST), feature("001", "Xã Tây Sơn", WEST_SHRUNK)],
            level="commune",
            parent_code="P",
            valid_from=starts,
        )
    [(index, reason)] = caught.value.problems
    assert index == 1
    assert "'001' already has a version from 2025-07-01" in reason


# --- parents ---------------------------------------------------------------------------------


def test_missing_parent_code_is_refused(session: Session) -> None:
    with pytest.raises(BoundaryFileError) as caught:
        make_areas(session, communes(), level="commune", parent_code="NOWHERE")
    assert caught.value.problems == [
        (0, "parent area 'NOWHERE' does not exist"),
        (1, "parent area 'NOWHERE' does not exist"),
    ]


def test_parent_codes_from_the_same_file_are_accepted(session: Session) -> None:
    areas = parsed(
        feature("P", "Tỉnh Hải Minh", PROVINCE),
        feature("001", "Xã Tây Sơn", WEST, parent="P"),
        parent_code=None,
        parent_code_prop="parent",
    )
    summary = import_areas(session, areas, source="test.geojson", valid_from=EPOCH)
    assert summary.created == ["P", "001"]
    [west] = rows(session, "001")
    assert west.parent_code == "P"


def test_parent_listed_after_its_child_in_the_file_is_accepted(session: Session) -> None:
    areas = parsed(
        feature("001", "Xã Tây Sơn", WEST, parent="P"),
        feature("P", "Tỉnh Hải Minh", PROVINCE),
        parent_code=None,
        parent_code_prop="parent",
    )
    summary = import_areas(session, areas, source="test.geojson", valid_from=EPOCH)
    assert sorted(summary.created) == ["001", "P"]


# --- all or nothing --------------------------------------------------------------------------


def test_refused_import_in_a_unit_of_work_writes_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        make_world(session)
    with pytest.raises(BoundaryFileError), unit_of_work(session_factory) as session:
        import_areas(
            session,
            parsed(
                feature("001", "Xã Tây Sơn", WEST_SHRUNK),
                feature("003", "Xã Đảo", ISLAND, parent="GONE"),
                feature("004", "Xã Mới", box(107.5, 20.0, 107.75, 20.25)),
                parent_code=None,
                parent_code_prop="parent",
            ),
            source="test.geojson",
            valid_from=LATER,
        )
    with session_factory() as fresh:
        assert area_count(fresh) == 3
        [west] = rows(fresh, "001")
        assert west.valid_to is None
        assert west.geom.equals(MultiPolygon([WEST]))


def test_refused_import_does_not_bump_the_revision(
    session_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(session_factory) as session:
        make_world(session)
        before = area_revision(session)
    with pytest.raises(BoundaryFileError), unit_of_work(session_factory) as session:
        make_areas(session, communes(), level="commune", parent_code="GONE", valid_from=LATER)
    with session_factory() as fresh:
        assert area_revision(fresh) == before


# --- export ----------------------------------------------------------------------------------


def read_back(data: dict[str, Any]) -> dict[str, Any]:
    areas = parse_areas(
        data,
        PropertyMapping(
            level="any",
            code_prop="code",
            name_prop="name",
            name_en_prop="name_en",
            parent_code_prop="parent_code",
        ),
        source="export.geojson",
    )
    return {area.code: area for area in areas}


def test_export_is_a_feature_collection_of_current_areas(session: Session) -> None:
    make_world(session)
    data = export_areas(session, at=LATER)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == ["001", "002", "P"]
    assert data["features"][0]["properties"]["level"] == "commune"
    assert data["features"][0]["properties"]["parent_code"] == "P"


def test_export_reads_back_with_equal_geometries_and_names(session: Session) -> None:
    make_world(session)
    make_areas(
        session,
        [feature("003", "Đặc khu Ðảo Ý", MultiPolygon([box(107.0, 20.0, 107.1, 20.1), ISLAND]))],
        level="commune",
        parent_code="P",
    )
    back = read_back(export_areas(session, at=LATER))
    for area in session.scalars(select(Area)):
        assert back[area.code].name_vi == area.name_vi
        assert back[area.code].parent_code == area.parent_code
        assert back[area.code].geom.equals(area.geom)


def test_export_at_an_earlier_date_gives_the_earlier_version(session: Session) -> None:
    make_world(session)
    make_areas(
        session,
        [feature("001", "Xã Tây Sơn", WEST_SHRUNK)],
        level="commune",
        parent_code="P",
        valid_from=LATER,
    )
    before = read_back(export_areas(session, at=LATER - timedelta(seconds=1)))
    after = read_back(export_areas(session, at=LATER))
    assert before["001"].geom.equals(MultiPolygon([WEST]))
    assert after["001"].geom.equals(MultiPolygon([WEST_SHRUNK]))


def test_export_before_any_version_is_empty(session: Session) -> None:
    make_world(session)
    assert export_areas(session, at=EPOCH - timedelta(seconds=1))["features"] == []


def test_reimporting_an_export_changes_nothing(session: Session) -> None:
    make_world(session)
    exported = export_areas(session, at=LATER)
    for level in ("province", "commune"):
        features = [f for f in exported["features"] if f["properties"]["level"] == level]
        areas = parse_areas(
            {"type": "FeatureCollection", "features": features},
            PropertyMapping(
                level=level, code_prop="code", name_prop="name", parent_code_prop="parent_code"
            ),
            source="export.geojson",
        )
        summary = import_areas(session, areas, source="export.geojson", valid_from=LATER)
        assert summary.created == summary.replaced == []


# --- closing areas a new map no longer has -----------------------------------------------------


def test_close_missing_closes_a_merged_commune_and_keeps_the_listed_one(session: Session) -> None:
    make_world(session)
    merged = feature("001", "Xã Tây Sơn", PROVINCE)
    summary = import_areas(
        session, parsed(merged), source="merge.geojson", valid_from=LATER, close_missing=True
    )
    assert summary.closed == ["002"]
    assert rows(session, "002")[0].valid_to == LATER
    assert find_current_area(session, "001").geom.equals(MultiPolygon([PROVINCE]))


def test_without_close_missing_omitted_areas_stay_current(session: Session) -> None:
    make_world(session)
    import_areas(session, parsed(communes()[0]), source="partial.geojson", valid_from=LATER)
    assert rows(session, "002")[0].valid_to is None


def test_close_missing_leaves_other_levels_and_parents_alone(session: Session) -> None:
    make_world(session)
    make_areas(session, [feature("Q", "Tỉnh Khác", ISLAND)], level="province")
    make_areas(session, [feature("900", "Xã Đảo", ISLAND)], level="commune", parent_code="Q")
    summary = import_areas(
        session, parsed(*communes()), source="p.geojson", valid_from=LATER, close_missing=True
    )
    assert summary.closed == []
    assert find_current_area(session, "900") is not None
    assert find_current_area(session, "P") is not None


def test_closing_bumps_the_revision_so_indexes_rebuild(session: Session) -> None:
    make_world(session)
    before = area_revision(session)
    import_areas(
        session, parsed(communes()[0]), source="m.geojson", valid_from=LATER, close_missing=True
    )
    assert area_revision(session) == before + 1


def test_close_missing_follows_the_tree_when_the_parent_level_goes(session: Session) -> None:
    """The 2025 reform: communes hung under districts; the new file puts them under the
    province and merges two of them."""
    make_areas(session, [feature("P", "Tỉnh Hải Minh", PROVINCE)], level="province")
    make_areas(session, [feature("D1", "Huyện Tây", PROVINCE)], level="district", parent_code="P")
    make_areas(session, communes(), level="commune", parent_code="D1")
    merged = feature("001", "Xã Tây Sơn", PROVINCE)
    summary = import_areas(
        session, parsed(merged), source="2025.geojson", valid_from=LATER, close_missing=True
    )
    assert summary.closed == ["002"]
    assert find_current_area(session, "001").parent_code == "P"


def test_close_areas_retires_a_level_within_a_tree(session: Session) -> None:
    make_areas(session, [feature("P", "Tỉnh Hải Minh", PROVINCE)], level="province")
    make_areas(session, [feature("Q", "Tỉnh Khác", ISLAND)], level="province")
    make_areas(session, [feature("D1", "Huyện Tây", WEST)], level="district", parent_code="P")
    make_areas(session, [feature("D9", "Huyện Đảo", ISLAND)], level="district", parent_code="Q")
    closed = close_areas(session, level="district", within="P", at=LATER)
    assert closed == ["D1"]
    assert rows(session, "D1")[0].valid_to == LATER
    assert find_current_area(session, "D9") is not None


def test_close_areas_before_they_started_is_refused(session: Session) -> None:
    make_world(session)
    with pytest.raises(InvalidInput):
        close_areas(session, level="commune", within="P", at=EPOCH - timedelta(days=1))
    assert rows(session, "001")[0].valid_to is None


def test_close_areas_within_an_unknown_area_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        close_areas(session, level="commune", within="NOPE", at=LATER)
