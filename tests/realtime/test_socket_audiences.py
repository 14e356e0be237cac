"""Screens get the events of their audience, live and after a reconnect; strangers are
refused at connect."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.people.staff_sessions import sign_in
from ioc.identity import emulator_token
from ioc.realtime import socketio
from ioc.realtime.publisher import publish_pending
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule

PASSWORD = "mat-khau-dai-1"


@pytest.fixture(autouse=True)
def _emulator(monkeypatch):
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")


@pytest.fixture
def world(session, app):
    make_province_with_two_communes(session)
    sxd, mtdt = make_agency(session, "SXD"), make_agency(session, "MTDT")
    lights = make_category(session, "den")  # auto-dispatched
    garbage = make_category(session, "rac")
    make_rule(session, lights, "P", sxd)
    make_rule(session, garbage, "P", mtdt)
    hashed = hash_password(PASSWORD)
    session.add_all(
        [
            User(role="ioc_operator", username="dieuhanh", password_hash=hashed),
            User(role="agency_officer", username="sxd", password_hash=hashed, agency=sxd),
            User(role="agency_officer", username="mtdt", password_hash=hashed, agency=mtdt),
            User(role="citizen", firebase_uid="uid-lan", display_name="Lan"),
        ]
    )
    session.flush()
    tokens = {
        name: sign_in(session, username=name, password=PASSWORD).token
        for name in ("dieuhanh", "sxd", "mtdt")
    }
    project = app.extensions["ioc"].settings.firebase_project_id
    tokens["citizen"] = emulator_token(project_id=project, uid="uid-lan", name="Lan")
    return tokens


def _file(session, intake, category: str, reporter_uid: str | None = None):
    reporter = (
        session.scalar(select(User).where(User.firebase_uid == reporter_uid))
        if reporter_uid
        else None
    )
    return submit_report(
        session,
        intake,
        category_code=category,
        lon=108.05,
        lat=16.05,
        channel="phone",
        reporter_id=reporter.id if reporter else None,
    )


def _publish(app) -> None:
    publish_pending(app.extensions["ioc"].session_factory, socketio)


def _events(client, namespace: str) -> list[dict]:
    return [
        message["args"][0]
        for message in client.get_received(namespace)
        if message["name"] == "event"
    ]


def test_an_operator_sees_a_new_report_with_its_seq(app, session, intake, world):
    ops = socketio.test_client(app, namespace="/ops", auth={"token": world["dieuhanh"]})
    report = _file(session, intake, "den")

    _publish(app)

    [event] = _events(ops, "/ops")
    assert event["type"] == "report.created"
    assert event["payload"]["ref"] == report.ref
    assert event["seq"] == session.scalar(select(Event.seq).where(Event.report_id == report.id))


@pytest.mark.parametrize(
    ("namespace", "auth"),
    [
        ("/ops", {}),
        ("/ops", {"token": "not-a-session"}),
        ("/agency", {}),
        ("/citizen", {"token": "garbage"}),
    ],
)
def test_connections_without_a_valid_credential_are_refused(app, world, namespace, auth):
    client = socketio.test_client(app, namespace=namespace, auth=auth)

    assert not client.is_connected(namespace)


def test_agency_staff_cannot_join_the_operations_namespace(app, world):
    client = socketio.test_client(app, namespace="/ops", auth={"token": world["sxd"]})

    assert not client.is_connected("/ops")


def test_an_agency_hears_only_its_own_reports(app, session, intake, world):
    sxd = socketio.test_client(app, namespace="/agency", auth={"token": world["sxd"]})
    mtdt = socketio.test_client(app, namespace="/agency", auth={"token": world["mtdt"]})
    lights = _file(session, intake, "den")
    garbage = _file(session, intake, "rac")

    _publish(app)

    assert [e["payload"]["ref"] for e in _events(sxd, "/agency")] == [lights.ref]
    assert [e["payload"]["ref"] for e in _events(mtdt, "/agency")] == [garbage.ref]


def test_a_citizen_hears_about_their_own_reports_only(app, session, intake, world):
    citizen = socketio.test_client(app, namespace="/citizen", auth={"token": world["citizen"]})
    mine = _file(session, intake, "den", reporter_uid="uid-lan")
    _file(session, intake, "den")

    _publish(app)

    assert [e["payload"]["ref"] for e in _events(citizen, "/citizen")] == [mine.ref]


def test_the_public_hears_results_not_reports_in_progress(app, session, intake, world):
    public = socketio.test_client(app, namespace="/public")
    _file(session, intake, "den")

    _publish(app)

    assert public.is_connected("/public")
    assert _events(public, "/public") == []


def test_a_reconnecting_screen_gets_exactly_the_events_it_missed_in_order(
    app, session, intake, world
):
    first = _file(session, intake, "den")
    _publish(app)
    last_seen = session.scalar(select(Event.seq).where(Event.report_id == first.id))
    missed = [_file(session, intake, "den").ref for _ in range(50)]
    _publish(app)  # published while the screen was away

    ops = socketio.test_client(
        app, namespace="/ops", auth={"token": world["dieuhanh"], "last_seq": last_seen}
    )

    events = _events(ops, "/ops")
    assert [e["payload"]["ref"] for e in events] == missed
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs))


def test_a_reconnecting_agency_never_gets_another_agencys_events(app, session, intake, world):
    _file(session, intake, "rac")
    _file(session, intake, "den")
    _publish(app)

    sxd = socketio.test_client(
        app, namespace="/agency", auth={"token": world["sxd"], "last_seq": 0}
    )

    assert {e["payload"]["agency"] for e in _events(sxd, "/agency")} == {"SXD"}


def test_a_screen_too_far_behind_is_told_to_resync(app, session, intake, world, monkeypatch):
    monkeypatch.setattr("ioc.realtime.connections.REPLAY_WINDOW", 3)
    for _ in range(5):
        _file(session, intake, "den")
    _publish(app)  # a screen resumes from published events only

    ops = socketio.test_client(
        app, namespace="/ops", auth={"token": world["dieuhanh"], "last_seq": 0}
    )

    received = ops.get_received("/ops")
    assert [m["name"] for m in received] == ["resync"]
    assert received[0]["args"][0]["seq"] == session.scalar(
        select(Event.seq).order_by(Event.seq.desc())
    )


def test_the_snapshot_gives_the_open_report_counts_and_their_seq(
    app, client, session, intake, world
):
    _file(session, intake, "den")
    _publish(app)  # the snapshot's seq is the newest published one

    answer = client.get(
        "/api/ops/v1/snapshot", headers={"Authorization": f"Bearer {world['dieuhanh']}"}
    ).get_json()

    assert answer["kpis"]["open"] == 1
    assert answer["seq"] == session.scalar(select(Event.seq).order_by(Event.seq.desc()))


def test_the_agency_snapshot_holds_only_that_agencys_reports(app, client, session, intake, world):
    lights = _file(session, intake, "den")
    _file(session, intake, "rac")

    answer = client.get(
        "/api/agency/v1/snapshot", headers={"Authorization": f"Bearer {world['sxd']}"}
    ).get_json()

    assert [r["ref"] for r in answer["reports"]] == [lights.ref]


def test_the_public_snapshot_counts_published_results_only(app, client, session, intake, world):
    resolved = _file(session, intake, "den")
    resolved.status = "resolved"
    _file(session, intake, "den")
    session.flush()

    answer = client.get("/api/public/v1/snapshot").get_json()

    assert answer["published"] == 1
    assert answer["by_status"]["resolved"] == 1
