"""GET /api/agency/v1/team: the people of my agency a report can be given to."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from ioc.feedback.models import User
from tests.staff_api.conftest import World

TEAM = "/api/agency/v1/team"


def test_team_lists_my_agencys_active_staff_managers_first(client, world: World) -> None:
    world.session.add_all(
        [
            User(
                role="agency_officer",
                username="sxd.an",
                display_name="Nguyễn Văn An",
                agency=world.sxd,
            ),
            User(
                role="agency_officer",
                username="sxd.nghi",
                display_name="Trần Thị Nghỉ",
                agency=world.sxd,
                is_active=False,
            ),
        ]
    )
    world.session.flush()

    response = client.get(TEAM, headers=world.headers["sxd_officer"])

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"] == [
        {"username": "sxd_manager", "full_name": "Cán bộ sxd_manager", "role": "agency_manager"},
        {"username": "sxd_officer", "full_name": "Cán bộ sxd_officer", "role": "agency_officer"},
        {"username": "sxd.an", "full_name": "Nguyễn Văn An", "role": "agency_officer"},
    ]


def test_team_never_shows_another_agencys_staff(client, world: World) -> None:
    response = client.get(TEAM, headers=world.headers["mtdt_officer"])

    assert [m["username"] for m in response.get_json()["items"]] == ["mtdt_officer"]


def test_team_is_in_the_openapi_document(client) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]

    assert "/api/agency/v1/team" in paths


OFFICERS = "/api/agency/v1/statistics/officers"


def _period_of(report) -> str:
    day = report.received_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    return f"since={day - timedelta(days=1)}&until={day + timedelta(days=2)}"


def test_officer_figures_count_each_officers_reports_in_the_period(client, world: World) -> None:
    officer = world.users["sxd_officer"]
    resolved = world.resolved("SXD")
    open_one = world.in_progress("SXD")
    unassigned = world.in_progress("SXD")
    for report in (resolved, open_one):
        report.assignee_id = officer.id
    world.session.flush()

    response = client.get(
        f"{OFFICERS}?{_period_of(resolved)}", headers=world.headers["sxd_manager"]
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"] == [
        {
            "username": "sxd_officer",
            "full_name": "Cán bộ sxd_officer",
            "assigned": 2,
            "resolved": 1,
            "on_time": 1,
            "late": 0,
            "open_overdue": 0,
        }
    ]
    assert unassigned.assignee_id is None


def test_officer_figures_are_for_managers_only(client, world: World) -> None:
    response = client.get(OFFICERS, headers=world.headers["sxd_officer"])

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_officer_figures_name_a_reversed_period(client, world: World) -> None:
    response = client.get(
        f"{OFFICERS}?since=2026-05-01&until=2026-04-01", headers=world.headers["sxd_manager"]
    )

    assert response.status_code == 422
    assert "until" in response.get_json()["error"]["details"]["fields"]
