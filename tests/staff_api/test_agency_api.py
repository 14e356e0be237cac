"""The agency API (/api/agency/v1): the inbox and the handling of one report, up to the
resolution with "after" photos. Agencies never learn who reported."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from ioc.feedback.lifecycle import agency_work
from tests.staff_api.conftest import REPORTER_NAME, REPORTER_PHONE, World, past

AGENCY = "/api/agency/v1"


def as_agency(client, world: World, method: str, path: str, json=None, who="sxd_officer"):
    return client.open(f"{AGENCY}{path}", method=method, headers=world.headers[who], json=json)


def resolve_with(
    client, world: World, ref: str, answer: str | None, photos: list[bytes], who="sxd_officer"
):
    data: dict = {"photos": [(io.BytesIO(raw), f"sau{i}.jpg") for i, raw in enumerate(photos)]}
    if answer is not None:
        data["answer"] = answer
    return client.post(
        f"{AGENCY}/reports/{ref}/resolve",
        headers=world.headers[who],
        data=data,
        content_type="multipart/form-data",
    )


def jpeg(colour: tuple[int, int, int] = (60, 60, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def citizen_timeline(client, world: World, ref: str) -> list[dict]:
    response = client.get(f"/api/mobile/v1/reports/{ref}", headers=world.headers["citizen"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["timeline"]


def stored_files(media_dir: Path) -> list[Path]:
    return [p for p in media_dir.rglob("*") if p.is_file()] if media_dir.exists() else []


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    """Where the ``app`` fixture stores photos."""
    return tmp_path / "media"


# ---- the inbox ----


def test_inbox_holds_what_my_agency_leads_or_supports_overdue_first(client, world):
    soon = world.assigned("SXD")
    late = world.in_progress("SXD")
    supporting = world.assigned("CA", supporting=["SXD"])
    world.assigned("MTDT")
    world.new_report()
    world.resolved("SXD")
    late.due_at = past(hours=2)
    supporting.due_at = soon.due_at + timedelta(hours=1)
    world.session.flush()

    response = as_agency(client, world, "GET", "/inbox")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["ref"] for i in items] == [late.ref, soon.ref, supporting.ref]
    assert [i["is_overdue"] for i in items] == [True, False, False]
    manager = as_agency(client, world, "GET", "/inbox", who="sxd_manager").get_json()["items"]
    assert [i["ref"] for i in manager] == [late.ref, soon.ref, supporting.ref]


def test_inbox_of_another_agency_holds_only_its_own(client, world):
    world.assigned("SXD")
    mine = world.assigned("MTDT")
    supported = world.in_progress("SXD", supporting=["MTDT"])

    items = as_agency(client, world, "GET", "/inbox", who="mtdt_officer").get_json()["items"]

    assert {i["ref"] for i in items} == {mine.ref, supported.ref}


def test_inbox_filters_by_status(client, world):
    world.assigned("SXD")
    working = world.in_progress("SXD")

    response = as_agency(client, world, "GET", "/inbox?status=in_progress")

    assert [i["ref"] for i in response.get_json()["items"]] == [working.ref]
    assert as_agency(client, world, "GET", "/inbox?status=resolved").status_code == 422


# ---- one report ----


def test_report_detail_never_reveals_the_reporter(client, world):
    report = world.assigned("SXD")

    response = as_agency(client, world, "GET", f"/reports/{report.ref}")

    assert response.status_code == 200
    body = response.get_json()
    assert body["reporter"] is None
    text = json.dumps(body, ensure_ascii=False) + response.get_data(as_text=True)
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text
    assert REPORTER_PHONE.removeprefix("+84") not in text
    assert {"accept", "note", "return"} <= set(body["allowed_actions"])
    assert "resolve" not in body["allowed_actions"]


def test_accept_takes_the_case(client, world):
    report = world.assigned("SXD")

    response = as_agency(client, world, "POST", f"/reports/{report.ref}/accept", who="sxd_manager")

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress"
    assert {"note", "return", "request_extension", "resolve"} <= set(body["allowed_actions"])
    assert "accept" not in body["allowed_actions"]
    assert world.refresh(report).status == "in_progress"


def test_public_notes_reach_the_citizen_and_internal_ones_do_not(client, world):
    report = world.in_progress("SXD")
    path = f"/reports/{report.ref}/notes"

    public = as_agency(
        client, world, "POST", path, {"text": "Đã khảo sát hiện trường", "public": True}
    )
    internal = as_agency(client, world, "POST", path, {"text": "Chờ kế toán duyệt vật tư"})

    assert (public.status_code, internal.status_code) == (200, 200)
    staff_notes = [(e["note"], e["is_public"]) for e in internal.get_json()["timeline"][-2:]]
    assert staff_notes == [("Đã khảo sát hiện trường", True), ("Chờ kế toán duyệt vật tư", False)]
    citizen_notes = [e["note"] for e in citizen_timeline(client, world, report.ref)]
    assert "Đã khảo sát hiện trường" in citizen_notes
    assert "Chờ kế toán duyệt vật tư" not in citizen_notes


def test_a_supporting_agency_may_add_notes(client, world):
    report = world.in_progress("CA", supporting=["SXD"])

    response = as_agency(
        client, world, "POST", f"/reports/{report.ref}/notes", {"text": "Đã phối hợp"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("text", ["", "   "], ids=["empty", "blank"])
def test_a_note_needs_text(client, world, text):
    report = world.in_progress("SXD")

    response = as_agency(client, world, "POST", f"/reports/{report.ref}/notes", {"text": text})

    assert response.status_code == 422


def test_return_sends_it_back_to_the_ops_queue(client, world):
    report = world.in_progress("SXD")

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/return",
        {"reason": "Thuộc thẩm quyền điện lực"},
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "returned"
    queue = client.get("/api/ops/v1/queue", headers=world.headers["ioc_operator"]).get_json()
    assert [i["ref"] for i in queue["items"]] == [report.ref]
    assert as_agency(client, world, "GET", "/inbox").get_json()["items"] == []
    stored = world.refresh(report)
    assert (stored.status, stored.due_at) == ("returned", None)
    ops = client.get(f"/api/ops/v1/reports/{report.ref}", headers=world.headers["ioc_operator"])
    assert ops.get_json()["timeline"][-1]["note"] == "Thuộc thẩm quyền điện lực"


def test_return_needs_a_reason(client, world):
    report = world.in_progress("SXD")

    response = as_agency(client, world, "POST", f"/reports/{report.ref}/return", {"reason": " "})

    assert response.status_code == 422
    assert world.refresh(report).status == "in_progress"


def test_an_extension_request_waits_for_the_ioc(client, world):
    report = world.in_progress("SXD")
    until = report.due_at + timedelta(days=5)

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/extension",
        {"until": until.isoformat(), "reason": "Chờ nhà thầu"},
    )

    assert response.status_code == 200
    ops = client.get(f"/api/ops/v1/reports/{report.ref}", headers=world.headers["ioc_supervisor"])
    [request] = ops.get_json()["extension_requests"]
    assert datetime.fromisoformat(request["until"]) == until
    assert (request["reason"], request["decision"]) == ("Chờ nhà thầu", None)
    assert world.refresh(report).due_at == report.due_at  # unchanged until approved


@pytest.mark.parametrize(
    "until",
    [
        lambda due: (due - timedelta(hours=1)).isoformat(),
        lambda due: due.isoformat(),
        lambda due: (due + timedelta(days=2)).replace(tzinfo=None).isoformat(),
    ],
    ids=["earlier", "same", "no-offset"],
)
def test_an_extension_must_be_a_later_deadline_with_an_offset(client, world, until):
    report = world.in_progress("SXD")

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/extension",
        {"until": until(report.due_at), "reason": "Chờ"},
    )

    assert response.status_code == 422
    assert "until" in str(response.get_json()["error"])


# ---- resolving ----


def test_resolve_with_after_photos_serves_them_at_their_url(client, world, media_dir):
    report = world.in_progress("SXD", category=world.potholes)

    response = resolve_with(client, world, report.ref, "Đã vá ổ gà", [jpeg(), jpeg((10, 90, 10))])

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["result_text"]) == ("resolved", "Đã vá ổ gà")
    after = [p for p in body["photos"] if p["purpose"] == "after"]
    assert len(after) == 2
    for photo in after:
        served = client.get(photo["url"].removeprefix("http://localhost"))
        assert served.status_code == 200
        assert served.mimetype == "image/jpeg"
        assert Image.open(io.BytesIO(served.data)).size == (80, 60)
    assert len(stored_files(media_dir)) == 4  # two photos, two thumbnails
    seen = client.get(f"/api/mobile/v1/reports/{report.ref}", headers=world.headers["citizen"])
    assert len(seen.get_json()["result"]["photos"]) == 2


def test_resolve_without_photos_is_fine_where_the_category_needs_none(client, world):
    report = world.in_progress("SXD", category=world.lighting)

    response = as_agency(
        client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Đã thay bóng"}
    )

    assert response.status_code == 200
    assert world.refresh(report).status == "resolved"


def test_resolve_without_a_photo_is_refused_where_the_category_needs_one(client, world):
    report = world.in_progress("SXD", category=world.potholes)

    as_json = as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", {"answer": "Xong"})
    as_form = resolve_with(client, world, report.ref, "Xong", [])

    for response in (as_json, as_form):
        assert response.status_code == 422
        assert "photos" in response.get_json()["error"]["details"]["fields"]
    assert world.refresh(report).status == "in_progress"


def test_resolve_needs_an_answer(client, world, media_dir):
    report = world.in_progress("SXD", category=world.potholes)

    response = resolve_with(client, world, report.ref, None, [jpeg()])

    assert response.status_code == 422
    assert world.refresh(report).status == "in_progress"
    assert stored_files(media_dir) == []


def test_the_lead_resolves_only_after_every_supporting_agency_recorded_its_part(client, world):
    report = world.in_progress("SXD", supporting=["MTDT"])
    resolve = {"answer": "Đã xử lý xong"}

    before = as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", resolve)
    part = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/contribution",
        {"text": "Đã thu dọn rác"},
        who="mtdt_officer",
    )
    after = as_agency(client, world, "POST", f"/reports/{report.ref}/resolve", resolve)

    assert before.status_code == 409
    assert before.get_json()["error"]["details"]["agencies"] == ["MTDT"]
    assert part.status_code == 200
    assert after.status_code == 200, after.get_json()
    assert world.refresh(report).status == "resolved"


def test_a_supporting_agency_cannot_resolve(client, world):
    report = world.in_progress("SXD", supporting=["MTDT"])
    agency_work.contribute(
        world.session, report=report, actor=world.users["mtdt_officer"], text="Xong"
    )
    world.session.flush()

    response = as_agency(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/resolve",
        {"answer": "Xong"},
        who="mtdt_officer",
    )

    assert response.status_code == 409
    assert world.refresh(report).status == "in_progress"


def test_a_bad_photo_leaves_no_file_and_the_report_in_progress(client, world, media_dir):
    report = world.in_progress("SXD", category=world.potholes)

    response = resolve_with(client, world, report.ref, "Đã vá", [jpeg(), b"not an image at all"])

    assert response.status_code == 422
    assert "photos[1]" in response.get_json()["error"]["details"]["fields"]
    assert stored_files(media_dir) == []
    assert world.refresh(report).status == "in_progress"


def test_a_refused_resolution_keeps_none_of_its_photos(client, world, media_dir):
    report = world.in_progress("SXD", supporting=["MTDT"], category=world.potholes)

    response = resolve_with(client, world, report.ref, "Đã vá", [jpeg()])

    assert response.status_code == 409
    assert stored_files(media_dir) == []
    stored = world.refresh(report)
    assert stored.status == "in_progress"
    assert [a for a in stored.attachments if a.purpose == "after"] == []


def test_more_than_five_photos_are_refused(client, world, media_dir):
    report = world.in_progress("SXD", category=world.potholes)

    response = resolve_with(client, world, report.ref, "Đã vá", [jpeg()] * 6)

    assert response.status_code == 422
    assert stored_files(media_dir) == []
