"""Photos under /media/: public ones for anyone and cacheable; private categories', drafts'
and supporting parts' only for staff who may read the report (and the reporter for their own);
every answer typed from our record, never sniffed."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ioc.feedback.lifecycle import triage
from ioc.feedback.report_models import Attachment, Report
from tests.factories import make_category
from tests.staff_api.conftest import World

JPEG = b"\xff\xd8\xff\xe0 stored photo bytes"


def _photo(app: Flask, world: World, report: Report, *, purpose: str = "before") -> str:
    """Attach a stored photo (and thumbnail) to ``report``; the photo's key."""
    store = app.extensions["ioc"].media
    key, thumbnail = (f"2026/11/{uuid.uuid4().hex}{suffix}.jpg" for suffix in ("", "-t"))
    for stored in (key, thumbnail):
        path = store.path_of(stored)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(JPEG)
    world.session.add(
        Attachment(
            report_id=report.id,
            purpose=purpose,
            storage_key=key,
            thumbnail_key=thumbnail,
            content_type="image/jpeg",
            width=10,
            height=10,
            byte_size=len(JPEG),
            sha256="0" * 64,
        )
    )
    world.session.flush()
    return key


def _private_report(world: World, *, lead: str | None = None) -> Report:
    tips = make_category(
        world.session, "bao_luc", name_vi="Bạo lực gia đình", is_private=True,
        is_auto_dispatch=False,
    )  # fmt: skip
    report = world.new_report(tips)
    if lead is not None:
        triage.assign_report(
            world.session,
            policy=world.intake.policy,
            report=report,
            actor=world.users["ioc_operator"],
            agency_code=lead,
            supporting_codes=[],
        )
    world.session.flush()
    return report


def test_a_public_photo_is_served_to_anyone_cacheable_and_never_sniffed(
    app: Flask, client: FlaskClient, world: World
):
    key = _photo(app, world, world.new_report())

    response = client.get(f"/media/{key}")

    assert response.status_code == 200
    assert response.data == JPEG
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["Content-Disposition"] == "inline"
    assert response.cache_control.public
    assert response.cache_control.max_age == 31536000


def test_the_type_comes_from_the_record_not_from_the_key(
    app: Flask, client: FlaskClient, world: World
):
    key = _photo(app, world, world.new_report())
    world.session.query(Attachment).filter_by(storage_key=key).update(
        {"content_type": "image/webp"}
    )
    world.session.flush()

    response = client.get(f"/media/{key}")

    assert response.headers["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    ("who", "lead"), [("anonymous", "SXD"), ("sxd_officer", "MTDT"), ("mtdt_officer", "SXD")]
)
def test_a_private_categorys_photo_is_not_found_for_those_who_may_not_read_the_report(
    app: Flask, client: FlaskClient, world: World, who: str, lead: str
):
    key = _photo(app, world, _private_report(world, lead=lead))

    for stored in (key, key.replace(".jpg", "-t.jpg")):
        response = client.get(f"/media/{stored}", headers=world.headers[who])
        assert response.status_code == 404
        assert JPEG not in response.data


@pytest.mark.parametrize("who", ["ioc_operator", "viewer", "admin", "sxd_officer", "citizen"])
def test_a_private_categorys_photo_is_served_privately_to_those_who_may_read_the_report(
    app: Flask, client: FlaskClient, world: World, who: str
):
    key = _photo(app, world, _private_report(world, lead="SXD"))

    response = client.get(f"/media/{key}", headers=world.headers[who])

    assert response.status_code == 200
    assert response.data == JPEG
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not response.cache_control.public
    assert response.cache_control.private
    assert response.cache_control.no_store


def test_a_staff_session_cookie_is_enough_for_a_private_photo_in_the_console(
    app: Flask, client: FlaskClient, world: World
):
    key = _photo(app, world, _private_report(world))
    token = world.headers["ioc_operator"]["Authorization"].removeprefix("Bearer ")
    client.set_cookie("ioc_session", token)

    assert client.get(f"/media/{key}").status_code == 200


@pytest.mark.parametrize("purpose", ["draft", "support"])
def test_draft_and_supporting_part_photos_stay_among_staff(
    app: Flask, client: FlaskClient, world: World, purpose: str
):
    report = world.assigned("SXD")
    key = _photo(app, world, report, purpose=purpose)

    assert client.get(f"/media/{key}").status_code == 404
    assert client.get(f"/media/{key}", headers=world.headers["citizen"]).status_code == 404
    assert client.get(f"/media/{key}", headers=world.headers["mtdt_officer"]).status_code == 404
    assert client.get(f"/media/{key}", headers=world.headers["sxd_officer"]).status_code == 200
    assert client.get(f"/media/{key}", headers=world.headers["ioc_operator"]).status_code == 200


def test_a_hidden_photo_is_not_found_even_for_staff(app: Flask, client: FlaskClient, world: World):
    key = _photo(app, world, world.new_report())
    world.session.query(Attachment).filter_by(storage_key=key).update({"is_hidden": True})
    world.session.flush()

    assert client.get(f"/media/{key}", headers=world.headers["admin"]).status_code == 404
