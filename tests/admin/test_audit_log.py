"""Admins can read who did what to which report, with the state before and after."""

from __future__ import annotations

import pytest

from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import User
from ioc.feedback.people.accounts import hash_password
from tests.factories import make_agency, make_category, make_province_with_two_communes

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def world(session, intake):
    make_province_with_two_communes(session)
    make_agency(session, "SXD", name_vi="Sở Xây dựng")
    make_category(session, "khac", is_auto_dispatch=False)
    hashed = hash_password(PASSWORD)
    for username, role in [("quantri", "admin"), ("dieuhanh", "ioc_operator")]:
        session.add(User(role=role, username=username, password_hash=hashed))
    session.flush()
    return submit_report(
        session, intake, category_code="khac", lon=108.05, lat=16.05, channel="phone"
    )


def _token(client, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_an_assignment_is_in_the_audit_log_with_before_and_after(client, world):
    operator = _token(client, "dieuhanh")
    client.post(f"/api/ops/v1/reports/{world.ref}/assign", json={"agency": "SXD"}, headers=operator)

    log = client.get(f"/api/admin/v1/audit?ref={world.ref}", headers=_token(client, "quantri"))

    assert log.status_code == 200
    [entry] = log.get_json()["items"]
    assert entry["user"] == "dieuhanh"
    assert entry["action"] == "assign"
    assert entry["before"] == {"status": "pending_review"}
    assert entry["after"]["status"] == "assigned"
    assert entry["after"]["lead_agency"] == "SXD"


def test_sign_ins_are_audited(client, world):
    _token(client, "dieuhanh")

    log = client.get("/api/admin/v1/audit?user=dieuhanh", headers=_token(client, "quantri"))

    assert [e["action"] for e in log.get_json()["items"]] == ["sign_in"]


def test_only_admins_read_the_audit_log(client, world):
    response = client.get("/api/admin/v1/audit", headers=_token(client, "dieuhanh"))

    assert response.status_code == 403
