"""Boundary files over the admin API: preview against the current areas, then apply as new
versions from a date.

The world's province P holds communes A (west half) and B (east half) since 1 July 2025.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from shapely.geometry import box, shape
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from ioc.admin import boundaries as views
from ioc.feedback.report_models import AuditEntry
from ioc.geo.models import Area, AreaRevision
from ioc.geo.queries import find_current_area
from ioc.province import boundaries
from tests.factories import collection, feature

API = "/api/admin/v1"
DISTRICTS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vn-districts"
#: What a district file's preview may weigh at most (Quảng Nam's 17 districts: about 280 kB).
MAX_DISTRICT_ANSWER = 600_000

A = feature("A", "Xã An Hòa", box(108.0, 16.0, 108.1, 16.1))
B = feature("B", "Phường Bình Minh", box(108.1, 16.0, 108.2, 16.1))
B_RENAMED = feature("B", "Phường Bình Minh Mới", box(108.1, 16.0, 108.2, 16.1))
B_SHRUNK = feature("B", "Phường Bình Minh", box(108.1, 16.0, 108.15, 16.1))
C = feature("C", "Xã Cẩm Châu", box(108.15, 16.0, 108.2, 16.1))
IN_C = (108.17, 16.05)


def _send(client, world, path: str, document, caller: str = "admin", **fields):
    data = json.dumps(document).encode() if not isinstance(document, bytes) else document
    form = {"level": "commune", "code_prop": "code", "name_prop": "name", "parent_code": "P"}
    form.update({key: str(value) for key, value in fields.items()})
    # Encoded here in memory: the test client would spool a large body to a temporary file
    # and never close it.
    body, _, boundary = stream_encode_multipart(
        {**form, "file": FileStorage(io.BytesIO(data), "xa.geojson")}, use_tempfile=False
    )
    return client.post(
        f"{API}{path}",
        input_stream=body,
        headers=world.headers[caller],
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )


def _preview(client, world, document, **fields):
    return _send(client, world, "/boundaries/preview", document, **fields)


def _apply(client, world, document, **fields):
    fields.setdefault("valid_from", "2026-03-11")
    return _send(client, world, "/boundaries", document, **fields)


def _status_of(answer) -> dict[str, str]:
    return {
        f["properties"]["code"]: f["properties"]["status"]
        for f in answer.get_json()["features"]["features"]
    }


def _area_rows(world) -> int:
    world.session.expire_all()
    return world.session.scalar(select(func.count()).select_from(Area))


def _revision(world) -> int | None:
    stamp = world.session.get(AreaRevision, 1)
    return stamp.revision if stamp else None


def test_preview_says_what_would_be_added_changed_and_unchanged(client, world):
    rows, revision = _area_rows(world), _revision(world)

    answer = _preview(client, world, collection(A, B_RENAMED, C))

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["summary"] == {"created": 1, "replaced": 1, "unchanged": 1, "closed": 0}
    assert _status_of(answer) == {"A": "unchanged", "B": "changed", "C": "added"}
    assert body["properties"] == ["code", "name"]
    assert body["problems"] == []
    drawn = {f["properties"]["code"]: f for f in body["features"]["features"]}
    assert shape(drawn["C"]["geometry"]).equals(box(108.15, 16.0, 108.2, 16.1))
    assert drawn["C"]["properties"]["feature"] == 2
    # nothing written
    assert (_area_rows(world), _revision(world)) == (rows, revision)
    assert find_current_area(world.session, "B").name_vi == "Phường Bình Minh"


def test_preview_shows_the_areas_close_missing_would_close(client, world):
    answer = _preview(client, world, collection(A))

    assert answer.get_json()["summary"]["closed"] == 1
    assert _status_of(answer) == {"B": "closed", "A": "unchanged"}
    assert find_current_area(world.session, "B") is not None


def test_apply_opens_new_versions_from_valid_from_and_reports_land_in_them(client, world):
    answer = _apply(client, world, collection(A, B_SHRUNK, C))

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["summary"] == {"created": 1, "replaced": 1, "unchanged": 1, "closed": 0}
    assert (body["created"], body["replaced"]) == (["C"], ["B"])
    world.session.expire_all()
    new_b = find_current_area(world.session, "B")
    midnight_in_hanoi = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert new_b.valid_from == midnight_in_hanoi
    assert new_b.geom.equals(box(108.1, 16.0, 108.15, 16.1))
    report = world.new_report(at=IN_C)
    assert world.session.get(Area, report.area_id).code == "C"


def test_applying_the_same_file_twice_changes_nothing_the_second_time(client, world):
    _apply(client, world, collection(A, B_RENAMED))
    again = _apply(client, world, collection(A, B_RENAMED), valid_from="2026-03-12")

    assert again.get_json()["summary"] == {
        "created": 0,
        "replaced": 0,
        "unchanged": 2,
        "closed": 0,
    }


def test_close_missing_closes_an_omitted_area_and_is_audited(client, world):
    answer = _apply(client, world, collection(A), close_missing="true")

    assert answer.get_json()["closed"] == ["B"]
    world.session.expire_all()
    assert find_current_area(world.session, "B") is None
    entry = world.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "province.boundaries.apply")
    ).one()
    assert (entry.target_type, entry.target_ref) == ("area_level", "commune")
    assert entry.after["closed"] == 1
    assert entry.after["closed_codes"] == ["B"]
    assert entry.actor_id == world.users["admin"].id


def test_without_close_missing_an_omitted_area_stays(client, world):
    answer = _apply(client, world, collection(A))

    assert answer.get_json()["closed"] == []
    world.session.expire_all()
    assert find_current_area(world.session, "B") is not None


@pytest.mark.parametrize("path", ["/boundaries/preview", "/boundaries"])
def test_a_broken_feature_is_a_400_naming_the_feature_and_nothing_is_written(client, world, path):
    broken = {"type": "Feature", "properties": {"code": "D", "name": "Xã Đông"}}
    rows = _area_rows(world)

    answer = _send(client, world, path, collection(A, broken), valid_from="2026-03-11")

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "pack_refused"
    [problem] = error["details"]["problems"]
    assert (problem["file"], problem["feature"], problem["severity"]) == ("xa.geojson", 1, "error")
    assert "geometry" in problem["message_en"]
    assert _area_rows(world) == rows


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (b"{not json", "not valid JSON"),
        ({"type": "Feature", "properties": {}}, "FeatureCollection"),
        (collection(feature("D", "Xã Đông", box(108.0, 16.0, 108.1, 16.1), parent="X")), "'X'"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_400_saying_why(client, world, document, words):
    answer = _preview(client, world, document, parent_code_prop="parent")

    assert answer.status_code == 400
    assert words in answer.get_json()["error"]["details"]["problems"][0]["message_en"]


def test_a_mapped_property_no_feature_has_names_the_form_field(client, world):
    answer = _preview(client, world, collection(A, B), code_prop="MA_XA")

    assert answer.status_code == 400
    [problem] = answer.get_json()["error"]["details"]["problems"]
    assert (problem["column"], problem["feature"]) == ("code_prop", None)
    assert "MA_XA" in problem["message_vi"]


def test_a_missing_form_field_is_named(client, world):
    answer = client.post(
        f"{API}/boundaries",
        data={"file": (io.BytesIO(b"{}"), "xa.geojson"), "level": "commune", "name_prop": "n"},
        headers=world.headers["admin"],
        content_type="multipart/form-data",
    )

    assert answer.status_code == 422
    fields = answer.get_json()["error"]["details"]["fields"]
    assert set(fields) == {"code_prop", "valid_from"}


def test_a_json_body_is_refused_as_not_multipart(client, world):
    answer = client.post(
        f"{API}/boundaries/preview", json={"level": "commune"}, headers=world.headers["admin"]
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["fields"] == {"file": "missing"}


def test_a_file_over_the_limit_is_a_413(client, world, monkeypatch):
    monkeypatch.setattr(views, "MAX_FILE_BYTES", 100)

    answer = _preview(client, world, collection(A, B))

    assert answer.status_code == 413


@pytest.mark.parametrize("path", ["/boundaries/preview", "/boundaries"])
@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("citizen", 401), ("ioc_supervisor", 403), ("sxd_manager", 403)],
)
def test_only_admins_may_send_boundaries(client, world, path, caller, status):
    answer = _send(client, world, path, collection(A), caller=caller, valid_from="2026-03-11")

    assert answer.status_code == status
    world.session.expire_all()
    assert find_current_area(world.session, "B") is not None


def test_a_large_file_is_simplified_harder_never_cut(client, world, monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_PREVIEW_BYTES", 3_000)
    wiggly = [
        feature(
            f"X{i}",
            f"Xã {i}",
            box(108.0, 16.0, 108.1, 16.1).buffer(0.01 * (i + 1), quad_segs=64),
        )
        for i in range(4)
    ]

    body = _preview(client, world, collection(*wiggly)).get_json()

    statuses = [f["properties"]["status"] for f in body["features"]["features"]]
    assert statuses == ["closed", "closed", "added", "added", "added", "added"]
    assert body["tolerance"] > boundaries.BASE_TOLERANCE


def test_a_real_district_file_previews_under_the_size_cap(client, world):
    path = DISTRICTS / "quang_nam.geojson"
    if not path.is_file():
        pytest.skip(f"real boundary files not found at {DISTRICTS} (present in CI)")
    features = json.loads(path.read_bytes())["features"]

    answer = _send(
        client,
        world,
        "/boundaries/preview",
        path.read_bytes(),
        level="district",
        code_prop="ID_3",
        name_prop="NAME_3",
        parent_code="P",
    )

    assert answer.status_code == 200, answer.get_json()
    assert len(answer.data) < MAX_DISTRICT_ANSWER
    body = answer.get_json()
    assert len(body["features"]["features"]) == len(features)
    assert body["summary"]["created"] == len(features)
    assert "NAME_3" in body["properties"]


def test_the_openapi_document_describes_the_multipart_bodies(client):
    paths = client.get("/openapi.json").get_json()["paths"]

    for path, form in [("/boundaries/preview", "PreviewForm"), ("/boundaries", "ApplyForm")]:
        body = paths[f"{API}{path}"]["post"]["requestBody"]["content"]
        assert body["multipart/form-data"]["schema"]["$ref"].endswith(form)
