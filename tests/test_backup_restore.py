"""Backup and restore as docs/operations.md describes it: ``pg_dump -Fc`` of the database plus
a copy of the media folder, restored into an empty database, serve the same reports, photos
and audit log."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ioc.app import create_app
from ioc.feedback.models import User
from ioc.feedback.people import audit
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.people.staff_sessions import sign_in
from ioc.feedback.states import Role
from ioc.identity import emulator_token
from ioc.migrate import upgrade
from tests.conftest import throwaway_postgis_database
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule
from tests.mobile_api.helpers import Citizen, jpeg, report_body, submit

PASSWORD = "mat-khau-sao-luu-1"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (the PostgreSQL client tools are needed)")
    return found


@pytest.fixture(autouse=True)
def _emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")


@pytest.fixture
def source() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_backup_src") as engine:
        upgrade(engine)
        yield engine


@pytest.fixture
def target() -> Iterator[Engine]:
    with throwaway_postgis_database("ioc_backup_dst") as engine:
        yield engine


def _app(engine: Engine, media: Path) -> Flask:
    return create_app(
        {
            "env": "test",
            "database_url": engine.url.render_as_string(hide_password=False),
            "media_dir": media,
            "area_index_check_seconds": 0,
            "rate_limits_enabled": False,
        }
    )


def _province(app: Flask) -> tuple[Citizen, str]:
    """A small province, a citizen, and a signed-in administrator's token."""
    services = app.extensions["ioc"]
    with services.unit_of_work() as session:
        assert isinstance(session, Session)
        make_province_with_two_communes(session)
        lights = make_category(session, "den_duong")
        make_rule(session, lights, "P", make_agency(session, "SXD"))
        session.add(
            User(role=Role.ADMIN, username="quantri", password_hash=hash_password(PASSWORD))
        )
        session.flush()
        token = sign_in(session, username="quantri", password=PASSWORD).token
        admin = session.query(User).filter_by(username="quantri").one()
        audit.record(
            session,
            actor_id=admin.id,
            action="update_category",
            target_type="category",
            target_ref="den_duong",
            before={"name_vi": "Đèn"},
            after={"name_vi": "Đèn đường"},
        )
    project = services.settings.firebase_project_id
    header = {
        "Authorization": f"Bearer {emulator_token(project_id=project, uid='uid-lan', name='Lan')}"
    }
    return Citizen("uid-lan", "Lan", "", header), token


def _what_is_served(app: Flask, citizen: Citizen, admin_token: str) -> dict[str, Any]:
    client = app.test_client()
    mine = client.get("/api/mobile/v1/reports/mine", headers=citizen.headers)
    assert mine.status_code == 200, mine.json
    reports = [
        client.get(f"/api/mobile/v1/reports/{item['ref']}", headers=citizen.headers).json
        for item in mine.json["items"]
    ]
    for report in reports:
        # The moment the clock was read, not something stored: it moves on between the two.
        (report.get("clock") or {}).pop("as_of", None)
    photos = {}
    for report in reports:
        for photo in report["photos"]:
            answer = client.get(photo["url"], headers=citizen.headers)
            assert answer.status_code == 200, photo["url"]
            photos[photo["url"]] = answer.data
    audit_log = client.get(
        "/api/admin/v1/audit", headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert audit_log.status_code == 200, audit_log.json
    return {"reports": reports, "photos": photos, "audit": audit_log.json["items"]}


@pytest.mark.postgis
def test_a_dump_and_the_media_folder_restore_the_same_reports_photos_and_audit_log(
    source: Engine, target: Engine, tmp_path: Path
) -> None:
    pg_dump, pg_restore, vacuumdb = _tool("pg_dump"), _tool("pg_restore"), _tool("vacuumdb")
    original = _app(source, tmp_path / "media")
    citizen, admin_token = _province(original)
    client = original.test_client()
    for description in ("Đèn đường hỏng trước nhà số 12", "Đèn chập chờn ở ngã tư"):
        answer = submit(client, citizen, report_body(description=description), photos=[jpeg()])
        assert answer.status_code == 201, answer.json
    before = _what_is_served(original, citizen, admin_token)
    assert len(before["reports"]) == 2
    assert len(before["photos"]) >= 2
    assert before["audit"]
    original.extensions["ioc"].engine.dispose()

    dump = tmp_path / "ioc.dump"
    source_url = source.url.set(drivername="postgresql").render_as_string(hide_password=False)
    target_url = target.url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run([pg_dump, "-Fc", "-f", str(dump), source_url], check=True)
    subprocess.run(
        [pg_restore, "--no-owner", "--exit-on-error", "-d", target_url, str(dump)], check=True
    )
    subprocess.run([vacuumdb, "--analyze-only", "--quiet", target_url], check=True)
    shutil.copytree(tmp_path / "media", tmp_path / "restored-media")

    restored = _app(target, tmp_path / "restored-media")
    try:
        after = _what_is_served(restored, citizen, admin_token)
        ready = restored.test_client().get("/readyz")
    finally:
        restored.extensions["ioc"].engine.dispose()

    assert after == before
    assert ready.status_code == 200
