"""Supporting agencies' parts over HTTP: the contribution with photos, the parts the lead and
the IOC see (deadline, lateness, photos), and the supporting deadline in the inbox."""

from __future__ import annotations

import io
from datetime import datetime

from tests.staff_api.conftest import World, past
from tests.staff_api.test_agency_api import AGENCY, as_agency, jpeg, media_dir, stored_files
from tests.staff_api.test_ops_api import as_operator, citizen_view

__all__ = ["media_dir"]  # the fixture, used by name


def contribute_with(client, world: World, ref: str, text: str | None, photos: list[bytes]):
    data: dict = {"photos": [(io.BytesIO(raw), f"phoi-hop{i}.jpg") for i, raw in enumerate(photos)]}
    if text is not None:
        data["text"] = text
    return client.post(
        f"{AGENCY}/reports/{ref}/contribution",
        headers=world.headers["mtdt_officer"],
        data=data,
        content_type="multipart/form-data",
    )


def test_a_contribution_with_photos_completes_the_part_the_lead_sees(client, world, media_dir):
    report = world.in_progress("SXD", supporting=["MTDT"])

    response = contribute_with(client, world, report.ref, "Đã thu dọn rác", [jpeg(), jpeg()])

    assert response.status_code == 200, response.get_json()
    lead = as_agency(client, world, "GET", f"/reports/{report.ref}").get_json()
    [part] = lead["support_parts"]
    assert part["agency"] == {"code": "MTDT", "name": "Công ty Môi trường Đô thị"}
    assert part["text"] == "Đã thu dọn rác"
    assert part["done_at"] is not None
    assert part["overdue"] is False
    assert datetime.fromisoformat(part["due_at"]) < datetime.fromisoformat(lead["due_at"])
    assert [p["purpose"] for p in part["photos"]] == ["support", "support"]
    assert len(stored_files(media_dir)) == 4  # each photo and its thumbnail


def test_the_citizen_never_sees_the_supporting_agencys_photos(client, world, media_dir):
    report = world.in_progress("SXD", supporting=["MTDT"])

    contribute_with(client, world, report.ref, "Đã thu dọn rác", [jpeg()])

    body = citizen_view(client, world, report.ref)
    assert body["photos"] == []


def test_the_json_contribution_still_works(client, world):
    report = world.in_progress("SXD", supporting=["MTDT"])

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/contribution",
        {"text": "Đã thay cáp"},
        who="mtdt_officer",
    )

    assert response.status_code == 200
    [part] = response.get_json()["support_parts"]
    assert part["text"] == "Đã thay cáp"
    assert part["photos"] == []


def test_a_contribution_without_text_or_with_a_bad_photo_keeps_nothing(client, world, media_dir):
    report = world.in_progress("SXD", supporting=["MTDT"])

    no_text = contribute_with(client, world, report.ref, None, [jpeg()])
    bad_photo = contribute_with(client, world, report.ref, "Xong", [jpeg(), b"not an image"])

    assert no_text.status_code == 422
    assert "text" in no_text.get_json()["error"]["details"]["fields"]
    assert bad_photo.status_code == 422
    assert "photos[1]" in bad_photo.get_json()["error"]["details"]["fields"]
    assert stored_files(media_dir) == []
    assert world.refresh(report).support_parts[0].done_at is None


def test_the_supporting_agency_sees_its_own_deadline_in_its_inbox(client, world):
    report = world.in_progress("SXD", supporting=["MTDT"])
    due_at = report.support_parts[0].due_at

    supporting = as_agency(client, world, "GET", "/inbox", who="mtdt_officer").get_json()
    leading = as_agency(client, world, "GET", "/inbox").get_json()

    [item] = supporting["items"]
    assert datetime.fromisoformat(item["support_due_at"]) == due_at
    assert [i["support_due_at"] for i in leading["items"]] == [None]


def test_a_late_part_shows_as_overdue_to_the_ioc_and_the_lead(client, world):
    report = world.in_progress("SXD", supporting=["MTDT"])
    report.support_parts[0].due_at = past(hours=1)
    world.session.flush()

    ops = as_operator(client, world, "GET", f"/reports/{report.ref}").get_json()
    lead = as_agency(client, world, "GET", f"/reports/{report.ref}").get_json()

    assert [p["overdue"] for p in ops["support_parts"]] == [True]
    assert [p["overdue"] for p in lead["support_parts"]] == [True]


def test_the_openapi_document_describes_the_contribution_with_photos(client):
    paths = client.get("/openapi.json").get_json()["paths"]

    body = paths[f"{AGENCY}/reports/{{ref}}/contribution"]["post"]["requestBody"]["content"]
    assert body["multipart/form-data"]["schema"]["$ref"].endswith("ContributionForm")
    assert body["application/json"]["schema"]["$ref"].endswith("NoteIn")
