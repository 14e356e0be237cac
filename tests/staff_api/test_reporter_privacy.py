"""Who is shown the reporter: IOC staff always, viewers only where the province grants it,
agencies never; every showing is audited, and nothing else a viewer reads names the reporter."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ioc.feedback.models import User
from ioc.feedback.people.reporters import may_see_reporter
from ioc.feedback.report_models import AuditEntry
from ioc.feedback.states import Role
from tests.staff_api.conftest import REPORTER_NAME, REPORTER_PHONE, REPORTER_UID, World

OPS = "/api/ops/v1"


def _reporter_reads(world: World) -> list[AuditEntry]:
    world.session.expire_all()
    return list(
        world.session.scalars(select(AuditEntry).where(AuditEntry.action == "read_reporter"))
    )


def _grant_viewers(app: Flask) -> None:
    services = app.extensions["ioc"]
    services.settings = services.settings.model_copy(update={"viewers_see_reporters": True})


@pytest.mark.parametrize(
    ("role", "granted", "sees"),
    [
        (Role.ADMIN, False, True),
        (Role.IOC_SUPERVISOR, False, True),
        (Role.IOC_OPERATOR, False, True),
        (Role.VIEWER, False, False),
        (Role.VIEWER, True, True),
        (Role.AGENCY_MANAGER, True, False),
        (Role.AGENCY_OFFICER, True, False),
        (Role.CITIZEN, True, False),
    ],
)
def test_who_may_see_the_reporter_is_decided_by_role_and_the_viewer_setting(
    role: Role, granted: bool, sees: bool
):
    actor = User(role=role.value)

    assert may_see_reporter(actor, viewers_see_reporters=granted) is sees


def test_a_viewer_is_not_shown_the_reporter_and_leaves_no_reporter_read(
    client: FlaskClient, world: World
):
    report = world.new_report()
    world.session.flush()

    shown = client.get(f"{OPS}/reports/{report.ref}", headers=world.headers["viewer"])

    assert shown.status_code == 200
    assert shown.get_json()["reporter"] is None
    text = shown.get_data(as_text=True)
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text
    assert _reporter_reads(world) == []


def test_a_viewer_granted_by_the_setting_is_shown_the_reporter_and_it_is_audited(
    app: Flask, client: FlaskClient, world: World
):
    _grant_viewers(app)
    report = world.new_report()
    world.session.flush()

    shown = client.get(f"{OPS}/reports/{report.ref}", headers=world.headers["viewer"])

    assert shown.get_json()["reporter"]["phone"] == REPORTER_PHONE
    [entry] = _reporter_reads(world)
    assert (entry.actor_id, entry.target_ref) == (world.users["viewer"].id, report.ref)


def test_an_agency_is_never_shown_the_reporter_even_where_viewers_are(
    app: Flask, client: FlaskClient, world: World
):
    _grant_viewers(app)
    report = world.assigned("SXD")
    world.session.flush()

    shown = client.get(f"/api/agency/v1/reports/{report.ref}", headers=world.headers["sxd_manager"])

    assert shown.get_json()["reporter"] is None
    assert _reporter_reads(world) == []


@pytest.mark.parametrize(
    "path",
    [
        f"{OPS}/queue",
        f"{OPS}/reports",
        f"{OPS}/snapshot",
        f"{OPS}/map/reports?bbox=107,15,109,17",
        f"{OPS}/exports/reports.csv",
    ],
)
def test_nothing_a_viewer_lists_or_exports_names_the_reporter(
    client: FlaskClient, world: World, path: str
):
    world.new_report()
    world.assigned("SXD")
    world.session.flush()

    response = client.get(path, headers=world.headers["viewer"])

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert world.reporter.display_name == REPORTER_NAME
    assert REPORTER_NAME not in text
    assert REPORTER_PHONE not in text
    assert REPORTER_UID not in text
