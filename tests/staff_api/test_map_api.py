"""The wall map's data endpoints and the boundaries base layer, on SQLite and PostGIS."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from shapely.geometry import box, shape
from sqlalchemy import func, select

from ioc.db import utcnow
from ioc.feedback.report_models import Report
from ioc.geo.queries import bump_area_revision
from tests.staff_api.conftest import IN_A, IN_B

PROVINCE = "108.0,16.0,108.2,16.1"
WEST_HALF = "108.0,16.0,108.1,16.1"


def _cells(client, world, **params):
    query = {"zoom": 9, "bbox": PROVINCE, **params}
    response = client.get(
        "/api/ops/v1/map/cells", query_string=query, headers=world.headers["viewer"]
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _a_mixed_province(world):
    """Reports in both communes and in several states, two categories, two agencies."""
    world.new_report(at=IN_A)
    world.new_report(world.potholes, at=IN_B)
    world.assigned()
    world.in_progress()
    world.resolved()
    world.rejected()
    world.assigned(lead="MTDT")


def test_cell_counts_equal_a_direct_count_of_the_reports(client, world):
    _a_mixed_province(world)

    body = _cells(client, world)

    assert body["source"] == "rollups"
    rows = world.session.execute(select(Report.status, func.count()).group_by(Report.status))
    direct = Counter({status: n for status, n in rows})
    drawn = Counter()
    for cell in body["cells"]:
        drawn.update(cell["statuses"])
        assert cell["count"] == sum(cell["statuses"].values())
    assert drawn == direct
    assert body["total"] == sum(direct.values())


def test_clusters_sit_among_their_reports(client, world):
    _a_mixed_province(world)

    for cell in _cells(client, world, zoom=12)["cells"]:
        assert box(108.0, 16.0, 108.2, 16.1).contains(
            shape({"type": "Point", "coordinates": [cell["lon"], cell["lat"]]})
        )


def test_category_and_status_filters_are_honoured_from_the_rollups(client, world):
    _a_mixed_province(world)

    potholes = _cells(client, world, category="o_ga")
    waiting = _cells(client, world, status="pending_review,rejected")

    assert potholes["source"] == waiting["source"] == "rollups"
    assert potholes["total"] == 1
    assert waiting["total"] == 3
    statuses = {s for cell in waiting["cells"] for s in cell["statuses"]}
    assert statuses == {"pending_review", "rejected"}


def test_agency_area_and_time_filters_count_the_reports_themselves(client, world):
    _a_mixed_province(world)
    world.new_report(at=IN_B, received_at=utcnow() - timedelta(days=40))

    by_agency = _cells(client, world, agency="MTDT")
    in_b = _cells(client, world, area="B")
    recent = _cells(client, world, since=(utcnow() - timedelta(days=7)).isoformat())

    assert by_agency["source"] == in_b["source"] == recent["source"] == "reports"
    assert by_agency["total"] == 1
    assert in_b["total"] == 2
    assert recent["total"] == world.session.scalar(select(func.count(Report.id))) - 1


def test_report_points_stay_inside_the_box(client, world):
    west = world.new_report(at=IN_A)
    world.new_report(at=IN_B)

    response = client.get(
        "/api/ops/v1/map/reports",
        query_string={"bbox": WEST_HALF},
        headers=world.headers["ioc_operator"],
    )

    body = response.get_json()
    assert [p["ref"] for p in body["reports"]] == [west.ref]
    assert body["reports"][0]["status"] == "pending_review"
    assert body["truncated"] is False


def test_report_points_are_capped_and_say_so(client, world):
    refs = [world.new_report(at=IN_A).ref for _ in range(3)]

    response = client.get(
        "/api/ops/v1/map/reports",
        query_string={"bbox": PROVINCE, "limit": 2},
        headers=world.headers["viewer"],
    )

    body = response.get_json()
    assert body["truncated"] is True
    assert [p["ref"] for p in body["reports"]] == refs[::-1][:2]  # newest first


def test_a_malformed_box_is_refused_naming_the_field(client, world):
    response = client.get(
        "/api/ops/v1/map/cells",
        query_string={"zoom": 9, "bbox": "108.2,16.0,108.0"},
        headers=world.headers["viewer"],
    )

    assert response.status_code == 422
    assert "bbox" in response.get_json()["error"]["details"]["fields"]


def test_agency_staff_and_citizens_cannot_read_the_wall_map(client, world):
    for caller, status in (("sxd_officer", 403), ("citizen", 401), ("anonymous", 401)):
        response = client.get(
            "/api/ops/v1/map/reports",
            query_string={"bbox": PROVINCE},
            headers=world.headers[caller],
        )
        assert response.status_code == status, caller


def test_boundaries_are_served_per_level_with_simplified_geometry(client, world):
    response = client.get("/api/public/v1/areas.geojson", query_string={"level": "commune"})

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    features = {f["properties"]["code"]: f for f in response.get_json()["features"]}
    assert set(features) == {"A", "B"}
    assert shape(features["A"]["geometry"]).equals(box(108.0, 16.0, 108.1, 16.1))


def test_boundaries_revalidate_with_an_etag_that_changes_on_import(client, world):
    first = client.get("/api/public/v1/areas.geojson")
    etag = first.headers["ETag"]

    again = client.get("/api/public/v1/areas.geojson", headers={"If-None-Match": etag})
    bump_area_revision(world.session)
    after_import = client.get("/api/public/v1/areas.geojson", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert after_import.status_code == 200
    assert after_import.headers["ETag"] != etag
