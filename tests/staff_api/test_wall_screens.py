"""Live screens stay complete at any size: exact KPIs, viewports drawn as points or clusters
with nothing left out, duplicate candidates by distance, the public map's published results.

Thousands of reports are written in bulk (as a province's history would be imported) and the
map rollups rebuilt, more than the 5,000 the screens used to stop at.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from ioc.db import utcnow
from ioc.feedback.models import Category
from ioc.feedback.reads.rollups import rebuild_rollups
from ioc.feedback.report_models import Report
from ioc.geo.cells import cell_for
from ioc.maps.points import POINT_CAP
from ioc.realtime import socketio
from ioc.realtime.publisher import publish_pending
from tests.factories import make_category
from tests.staff_api.conftest import IN_A, IN_B

_refs = itertools.count(1)


def _bulk(
    world,
    count: int,
    *,
    status: str,
    category: Category | None = None,
    near: tuple[float, float] = IN_A,
    step: float = 0.00002,
    received_at: datetime | None = None,
    **columns: Any,
) -> list[tuple[float, float]]:
    """``count`` reports on a 100-wide grid of ``step`` degrees from ``near``; their places."""
    rows, places = [], []
    for i in range(count):
        lon, lat = near[0] + (i % 100) * step, near[1] + (i // 100) * step
        cell_x, cell_y = cell_for(lon, lat)
        places.append((lon, lat))
        rows.append(
            {
                "ref": f"PA-BULK-{next(_refs):07d}",
                "category_id": (category or world.lighting).id,
                "status": status,
                "sla_tier": "normal",
                "lon": lon,
                "lat": lat,
                "cell_x": cell_x,
                "cell_y": cell_y,
                "channel": "web",
                "attributes": {},
                "received_at": received_at or utcnow() - timedelta(days=3),
                **columns,
            }
        )
    world.session.execute(insert(Report), rows)
    return places


def _loaded(world) -> None:
    rebuild_rollups(world.session)
    world.session.flush()


def _get(client, world, path: str, caller: str = "viewer", **query: Any) -> dict[str, Any]:
    response = client.get(path, query_string=query, headers=world.headers.get(caller, {}))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# ---------------------------------------------------------------- KPIs


def test_kpis_count_every_open_report_beyond_the_old_snapshot_cap(client, world):
    passed, ahead = utcnow() - timedelta(hours=2), utcnow() + timedelta(days=2)
    _bulk(world, 2600, status="pending_review", receipt_due_at=passed)
    _bulk(world, 2500, status="assigned", due_at=ahead, received_at=utcnow())
    _bulk(world, 150, status="in_progress", due_at=passed)
    _bulk(world, 50, status="in_progress", due_at=passed, paused_at=passed)  # waiting
    _bulk(world, 40, status="returned", receipt_due_at=ahead)
    _bulk(world, 30, status="resolved", due_at=passed)  # finished: never overdue
    _loaded(world)
    world.new_report()  # filed through the use case: the rollups follow in its transaction

    kpis = _get(client, world, "/api/ops/v1/kpis")

    assert kpis["by_status"] == {
        "pending_review": 2601,
        "assigned": 2500,
        "in_progress": 200,
        "returned": 40,
    }
    assert kpis["open"] == 5341
    assert kpis["in_progress"] == 200
    assert kpis["overdue"] == {"receipt": 2600, "resolution": 150, "total": 2750}
    assert kpis["received_today"] == 2501


def test_the_snapshot_carries_the_published_seq_and_the_kpis_but_no_report_list(app, client, world):
    world.new_report()
    world.assigned()
    # Not yet published: a screen starting from it would hear them live, never skip them.
    assert _get(client, world, "/api/ops/v1/snapshot")["seq"] == 0
    publish_pending(app.extensions["ioc"].session_factory, socketio)

    snapshot = _get(client, world, "/api/ops/v1/snapshot")

    assert snapshot["seq"] > 0
    assert "reports" not in snapshot
    assert snapshot["kpis"]["by_status"]["pending_review"] == 1
    assert snapshot["kpis"]["by_status"]["assigned"] == 1
    kpis = _get(client, world, "/api/ops/v1/kpis")
    assert {**snapshot["kpis"], "at": None} == {**kpis, "at": None}  # the clock ticks


def test_a_report_waiting_for_the_citizen_is_never_overdue(client, world):
    passed = utcnow() - timedelta(hours=5)
    _bulk(world, 3, status="pending_review", receipt_due_at=passed, paused_at=passed)
    _bulk(world, 2, status="pending_review", receipt_due_at=passed)
    _loaded(world)

    assert _get(client, world, "/api/ops/v1/kpis")["overdue"]["receipt"] == 2


def test_agency_staff_and_citizens_cannot_read_the_wall_map_kpis(client, world):
    for caller, status in (("sxd_officer", 403), ("citizen", 401), ("anonymous", 401)):
        response = client.get("/api/ops/v1/kpis", headers=world.headers[caller])
        assert response.status_code == status, caller


# ---------------------------------------------------------------- viewports

VIEW = {"min_lon": 108.04, "min_lat": 16.04, "max_lon": 108.06, "max_lat": 16.06}
VIEW_BBOX = "108.04,16.04,108.06,16.06"


def _in_view(world, *, bbox: dict[str, float] = VIEW) -> int:
    return world.session.scalar(
        select(func.count(Report.id)).where(
            Report.lon.between(bbox["min_lon"], bbox["max_lon"]),
            Report.lat.between(bbox["min_lat"], bbox["max_lat"]),
        )
    )


def _what_the_wall_map_draws(client, world, *, zoom: int, bbox: str) -> tuple[list, list]:
    """The screen's rule: the box's points, or its clusters when the points would be cut."""
    points = _get(client, world, "/api/ops/v1/map/reports", bbox=bbox)
    if not points["truncated"]:
        return points["reports"], []
    return [], _get(client, world, "/api/ops/v1/map/cells", zoom=zoom, bbox=bbox)["cells"]


def test_a_dense_view_is_drawn_as_clusters_counting_every_report(client, world):
    _bulk(world, POINT_CAP + 100, status="in_progress", near=(108.045, 16.045))
    _loaded(world)

    points, clusters = _what_the_wall_map_draws(client, world, zoom=15, bbox=VIEW_BBOX)

    assert points == []
    assert sum(c["count"] for c in clusters) == _in_view(world) == POINT_CAP + 100
    assert {c["zoom"] for c in clusters} == {16}  # finer than the rollups' tiles
    assert len(clusters) > 1


def test_a_sparse_view_is_drawn_as_every_point_in_it(client, world):
    _bulk(world, 300, status="assigned", near=(108.045, 16.045))
    world.new_report(at=IN_B)  # outside the view
    _loaded(world)

    points, clusters = _what_the_wall_map_draws(client, world, zoom=15, bbox=VIEW_BBOX)

    assert clusters == []
    assert len({p["ref"] for p in points}) == len(points) == _in_view(world) == 300


def test_points_carry_the_running_clock_and_deadline(client, world):
    passed = utcnow() - timedelta(hours=1)
    _bulk(world, 1, status="pending_review", receipt_due_at=passed, due_at=None)
    _loaded(world)

    [point] = _get(client, world, "/api/ops/v1/map/reports", bbox=VIEW_BBOX)["reports"]

    assert point["clock"] == "receipt"
    assert datetime.fromisoformat(point["deadline"]) == passed


# ---------------------------------------------------------------- duplicate candidates


def test_candidates_are_every_open_report_of_the_category_within_the_radius(client, world):
    world.lighting.duplicate_radius_m = 100
    report = world.new_report(at=IN_A)
    metre = 1 / 111_320
    near = (IN_A[0], IN_A[1] + 2 * metre)
    _bulk(world, 40, status="pending_review", near=near, step=0)  # 2 m to 2 m…
    _bulk(world, 40, status="assigned", near=(IN_A[0], IN_A[1] + 90 * metre), step=0)
    _bulk(world, 10, status="assigned", near=(IN_A[0], IN_A[1] + 150 * metre), step=0)
    _bulk(world, 10, status="resolved", near=near, step=0)
    _bulk(world, 10, status="pending_review", category=world.potholes, near=near, step=0)
    _loaded(world)

    answer = _get(
        client, world, f"/api/ops/v1/reports/{report.ref}/candidates", caller="ioc_operator"
    )

    assert answer["radius_m"] == 100
    items = answer["items"]
    assert len(items) == 80  # none of the far, finished or other-category ones
    assert report.ref not in {c["ref"] for c in items}
    distances = [c["distance_m"] for c in items]
    assert distances == sorted(distances)
    assert distances[0] < 3
    assert distances[-1] < 100
    assert {c["status"] for c in items} == {"pending_review", "assigned"}


# ---------------------------------------------------------------- the public map


def _a_public_province(world) -> Category:
    tips = make_category(world.session, "an_ninh", name_vi="Tin báo an ninh", is_private=True)
    _bulk(world, 20, status="resolved", near=(108.045, 16.045))
    _bulk(world, 5, status="rejected", near=(108.045, 16.046))
    _bulk(world, 7, status="in_progress", near=(108.045, 16.047))
    _bulk(world, 3, status="resolved", category=tips, near=(108.046, 16.045))
    _loaded(world)
    return tips


def test_the_public_snapshot_counts_published_results_only(client, world):
    _a_public_province(world)

    snapshot = _get(client, world, "/api/public/v1/snapshot", caller="anonymous")

    assert snapshot["by_status"] == {"resolved": 20, "closed": 0, "rejected": 5}
    assert snapshot["published"] == 25
    assert "reports" not in snapshot


def test_the_public_map_shows_published_results_without_identity(client, world):
    _a_public_province(world)

    points = _get(client, world, "/api/public/v1/map/reports", "anonymous", bbox=VIEW_BBOX)
    low = _get(client, world, "/api/public/v1/map/cells", "anonymous", bbox=VIEW_BBOX, zoom=9)
    street = _get(client, world, "/api/public/v1/map/cells", "anonymous", bbox=VIEW_BBOX, zoom=15)

    assert points["truncated"] is False
    assert len(points["reports"]) == 25
    assert {p["status"] for p in points["reports"]} == {"resolved", "rejected"}
    assert {p["category"] for p in points["reports"]} == {world.lighting.code}
    assert not any("reporter" in key for p in points["reports"] for key in p)
    for cells in (low, street):
        statuses: dict[str, int] = {}
        for cell in cells["cells"]:
            for status, n in cell["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        assert statuses == {"resolved": 20, "rejected": 5}
        assert cells["total"] == 25
