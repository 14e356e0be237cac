"""Two staff members acting on one report at once: the second write loses cleanly (409).

The test database is one connection, so two requests cannot truly overlap. Instead the other
person's commit is made to land between the request's read and its write: the use case is
wrapped so that it first bumps the report's version row behind the ORM's back, exactly what a
concurrent commit leaves behind. Optimistic locking must then refuse the stale write.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from ioc.feedback.lifecycle import agency_work, triage
from tests.staff_api.conftest import World


def someone_else_changes_it_first(use_case):
    """``use_case`` run right after another commit raised the report's version."""

    def racing(session, *args, report, **kwargs):
        session.execute(
            text("UPDATE report SET version = version + 1 WHERE id = :id"), {"id": report.id}
        )
        return use_case(session, *args, report=report, **kwargs)

    return racing


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (90, 90, 90)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_assigning_a_report_someone_just_changed_answers_409(client, world: World, monkeypatch):
    report = world.new_report()
    monkeypatch.setattr(
        triage, "assign_report", someone_else_changes_it_first(triage.assign_report)
    )

    response = client.post(
        f"/api/ops/v1/reports/{report.ref}/assign",
        headers=world.headers["ioc_operator"],
        json={"agency": "SXD"},
    )

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "conflict"
    stored = world.refresh(report)
    assert (stored.status, stored.lead_agency_id) == ("pending_review", None)
    assert [h.action for h in stored.history] == ["submitted"]


def test_a_concurrent_change_during_resolve_keeps_no_photo(
    client, world: World, monkeypatch, tmp_path: Path
):
    report = world.in_progress("SXD", category=world.potholes)
    monkeypatch.setattr(
        agency_work, "resolve_report", someone_else_changes_it_first(agency_work.resolve_report)
    )

    response = client.post(
        f"/api/agency/v1/reports/{report.ref}/resolve",
        headers=world.headers["sxd_officer"],
        data={"answer": "Đã vá", "photos": [(io.BytesIO(jpeg()), "sau.jpg")]},
        content_type="multipart/form-data",
    )

    assert response.status_code == 409, response.get_json()
    media = tmp_path / "media"
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    stored = world.refresh(report)
    assert stored.status == "in_progress"
    assert stored.attachments == []


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "deny"])
def test_deciding_an_extension_on_a_report_someone_just_changed_answers_409(
    client, world: World, monkeypatch, approve
):
    report = world.with_extension_request("SXD")
    due = report.due_at
    monkeypatch.setattr(
        triage, "decide_extension", someone_else_changes_it_first(triage.decide_extension)
    )

    response = client.post(
        f"/api/ops/v1/reports/{report.ref}/extension",
        headers=world.headers["ioc_supervisor"],
        json={"approve": approve},
    )

    assert response.status_code == 409, response.get_json()
    stored = world.refresh(report)
    assert stored.due_at == due
