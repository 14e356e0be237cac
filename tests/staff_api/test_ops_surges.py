"""Surges in the operations API: list, group into one incident, dismiss (who may do it is
in the role × endpoint matrix)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.lifecycle import agency_work, triage
from ioc.feedback.report_models import AuditEntry, Report
from ioc.feedback.surges.detection import detect_surges
from tests.staff_api.conftest import World, past

OPS = "/api/ops/v1"


def _surge(world: World, count: int = 3) -> tuple[int, list[Report]]:
    world.lighting.surge_threshold = 3
    reports = [world.new_report(received_at=past(hours=0.1 * (count - i))) for i in range(count)]
    [surge] = detect_surges(world.session)
    world.session.flush()
    return surge.id, reports


def _call(client, world: World, method: str, path: str, who: str = "ioc_operator", json=None):
    return client.open(f"{OPS}{path}", method=method, headers=world.headers[who], json=json)


def test_open_surges_are_listed_with_their_reports_and_map_point(client, world):
    surge_id, reports = _surge(world)

    response = _call(client, world, "GET", "/surges?status=open")

    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert item["id"] == surge_id
    assert item["refs"] == [r.ref for r in reports]
    assert item["count"] == 3
    assert item["area"] == "A"
    assert item["category"] == "den_duong"
    assert item["lon"] == pytest.approx(108.05)
    assert item["detected_at"].endswith("+07:00")
    assert _call(client, world, "GET", "/surges?status=grouped").get_json()["items"] == []
    assert _call(client, world, "GET", "/surges?status=closed").status_code == 422


def test_grouping_merges_the_others_into_the_earliest(client, world):
    surge_id, (first, second, third) = _surge(world)

    response = _call(client, world, "POST", f"/surges/{surge_id}/group", json={})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "grouped"
    assert body["incident_ref"] == first.ref
    assert body["merged"] == [second.ref, third.ref]
    assert body["left"] == []
    second, third = world.refresh(second), world.session.get_one(Report, third.id)
    assert second.status == third.status == "duplicate"
    assert second.duplicate_of_id == third.duplicate_of_id == first.id
    assert world.session.get_one(Report, first.id).status == "pending_review"
    types = world.session.scalars(select(Event.type).order_by(Event.seq)).all()
    assert types[-3:] == ["report.merged", "report.merged", "surge.grouped"]
    audit = world.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "surge")).one()
    assert audit.action == "group_surge"
    assert audit.after == {"status": "grouped", "primary": first.ref}


def test_grouping_merges_reports_not_yet_accepted_and_leaves_those_being_handled(client, world):
    surge_id, (first, second, third) = _surge(world)
    for report in (first, second):
        triage.assign_report(
            world.session,
            policy=world.intake.policy,
            report=report,
            actor=world.users["ioc_operator"],
            agency_code="SXD",
        )
    agency_work.accept_report(world.session, report=first, actor=world.users["sxd_officer"])
    world.session.flush()

    response = _call(
        client, world, "POST", f"/surges/{surge_id}/group", json={"primary_ref": third.ref}
    )

    body = response.get_json()
    assert response.status_code == 200, body
    assert body["incident_ref"] == third.ref
    assert body["merged"] == [second.ref]
    assert body["left"] == [first.ref]
    assert world.refresh(first).status == "in_progress"
    assert world.refresh(second).status == "duplicate"


def test_grouping_around_a_report_outside_the_surge_is_refused_and_changes_nothing(client, world):
    surge_id, reports = _surge(world)
    stranger = world.new_report()

    response = _call(
        client, world, "POST", f"/surges/{surge_id}/group", json={"primary_ref": stranger.ref}
    )

    assert response.status_code == 422
    assert "primary_ref" in response.get_json()["error"]["details"]["fields"]
    assert {world.refresh(r).status for r in reports} == {"pending_review"}


def test_a_decided_surge_cannot_be_decided_again(client, world):
    surge_id, _ = _surge(world)

    assert _call(client, world, "POST", f"/surges/{surge_id}/dismiss").status_code == 200
    assert _call(client, world, "POST", f"/surges/{surge_id}/dismiss").status_code == 409
    assert _call(client, world, "POST", f"/surges/{surge_id}/group", json={}).status_code == 409
    assert _call(client, world, "POST", "/surges/999999/dismiss").status_code == 404


def test_dismissing_leaves_the_reports_and_tells_the_operators(client, world):
    surge_id, reports = _surge(world)

    body = _call(client, world, "POST", f"/surges/{surge_id}/dismiss").get_json()

    assert body["status"] == "dismissed"
    assert {world.refresh(r).status for r in reports} == {"pending_review"}
    event = world.session.scalars(select(Event).order_by(Event.seq.desc()).limit(1)).one()
    assert event.type == "surge.dismissed"
    assert event.audiences == ["ops"]
