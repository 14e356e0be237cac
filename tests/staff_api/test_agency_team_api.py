"""GET /api/agency/v1/team: the people of my agency a report can be given to."""

from __future__ import annotations

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
