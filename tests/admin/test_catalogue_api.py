"""The catalogue admin API: agencies, categories, rules, warnings and the pack, for admins
only; every write goes through the province loader and is audited."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.models import Agency, User
from ioc.feedback.people.accounts import hash_password
from ioc.feedback.report_models import AuditEntry
from ioc.province.loading import load_pack
from tests.province.factories import make_pack

PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def world(session: Session) -> None:
    load_pack(session, make_pack(), actor=None, at=utcnow(), source="test")
    hashed = hash_password(PASSWORD)
    for user in session.scalars(select(User)):
        user.password_hash = hashed
    session.flush()


def _headers(client: FlaskClient, username: str) -> dict[str, str]:
    answer = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.fixture
def admin(client: FlaskClient, world: None) -> dict[str, str]:
    return _headers(client, "quantri")


AGENCY: dict[str, Any] = {
    "code": "CSGT",
    "name_vi": "Phòng Cảnh sát giao thông",
    "name_en": "Traffic Police",
    "parent_code": "UBND-P",
    "area_code": "P",
    "kind": "police",
}

CATEGORY: dict[str, Any] = {
    "code": "TREE",
    "group_code": "MT",
    "group_name_vi": "Môi trường",
    "group_name_en": "Environment",
    "name_vi": "Cây đổ",
    "name_en": "Fallen tree",
    "target_hours": 8,
    "tier": "urgent",
    "attributes": [
        {
            "code": "blocking",
            "datatype": "singlevaluelist",
            "required": True,
            "description_vi": "Có chắn đường không?",
            "values": [{"key": "yes", "name_vi": "Có"}, {"key": "no", "name_vi": "Không"}],
        }
    ],
}


def test_an_admin_adds_an_agency_and_it_is_audited(
    client: FlaskClient, admin: dict[str, str], session: Session
) -> None:
    created = client.post("/api/admin/v1/agencies", json=AGENCY, headers=admin)

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["code"] == "CSGT"
    assert created.get_json()["active"] is True
    listed = client.get("/api/admin/v1/agencies?q=cảnh sát", headers=admin).get_json()
    assert [a["code"] for a in listed["items"]] == ["CSGT"]
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "province.agency.add")
    ).all()[-1]
    assert entry.target_ref == "CSGT"
    assert entry.after is not None


def test_an_agency_is_changed_then_deactivated(client: FlaskClient, admin: dict[str, str]) -> None:
    body = {k: v for k, v in AGENCY.items() if k != "code"}
    changed = client.put(
        "/api/admin/v1/agencies/SXD", json={**body, "phone": "0236"}, headers=admin
    )
    closed = client.post("/api/admin/v1/agencies/SXD/deactivate", headers=admin)

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["phone"] == "0236"
    assert closed.status_code == 200
    assert closed.get_json()["active"] is False
    assert closed.get_json()["closed_at"] is not None


def test_a_duplicate_agency_is_a_conflict(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.post("/api/admin/v1/agencies", json={**AGENCY, "code": "SXD"}, headers=admin)

    assert response.status_code == 409


def test_a_category_with_an_attribute_and_a_rule_for_it(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    category = client.post("/api/admin/v1/categories", json=CATEGORY, headers=admin)
    rule = client.post(
        "/api/admin/v1/rules",
        json={"category_code": "TREE", "area_code": "P", "lead_agency_code": "CTN"},
        headers=admin,
    )

    assert category.status_code == 201, category.get_json()
    assert category.get_json()["attributes"][0]["values"][0] == {
        "key": "yes",
        "name_vi": "Có",
        "name_en": None,
    }
    assert rule.status_code == 201, rule.get_json()
    assert rule.get_json()["valid_from"] is None
    rules = client.get("/api/admin/v1/rules?category=TREE", headers=admin).get_json()["items"]
    assert [(r["area_code"], r["lead_agency_code"]) for r in rules] == [("P", "CTN")]
    listed = client.get("/api/admin/v1/categories?q=cây", headers=admin).get_json()["items"]
    assert [c["code"] for c in listed] == ["TREE"]


def test_a_rule_version_before_the_current_one_is_refused_naming_the_problem(
    client: FlaskClient, admin: dict[str, str]
) -> None:
    first = {"category_code": "POTHOLE", "area_code": "P-W", "lead_agency_code": "SXD"}
    client.post("/api/admin/v1/rules", json={**first, "valid_from": "2030-01-01"}, headers=admin)

    refused = client.post(
        "/api/admin/v1/rules",
        json={**first, "lead_agency_code": "CTN", "valid_from": "2029-01-01"},
        headers=admin,
    )

    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "pack_refused"
    assert error["details"]["problems"][0]["column"] == "valid_from"


def test_a_rule_is_closed(client: FlaskClient, admin: dict[str, str]) -> None:
    closed = client.post(
        "/api/admin/v1/rules/close", json={"category_code": "HT", "area_code": "P"}, headers=admin
    )

    assert closed.status_code == 200
    rules = client.get("/api/admin/v1/rules?category=HT", headers=admin).get_json()["items"]
    assert rules == []


def test_deactivating_a_category_ends_its_rules(client: FlaskClient, admin: dict[str, str]) -> None:
    closed = client.post("/api/admin/v1/categories/POTHOLE/deactivate", headers=admin)

    assert closed.status_code == 200
    assert closed.get_json()["active"] is False
    rules = client.get("/api/admin/v1/rules?category=POTHOLE", headers=admin).get_json()["items"]
    assert rules == []


def test_the_pack_downloads_as_a_zip(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.get("/api/admin/v1/pack.zip", headers=admin)

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert {"province.toml", "agencies.csv", "rules.csv", "areas/commune.geojson"} <= set(names)


def test_warnings_answer_a_list(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.get("/api/admin/v1/warnings", headers=admin)

    assert response.status_code == 200
    assert isinstance(response.get_json()["items"], list)


def test_bad_input_names_the_field(client: FlaskClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/api/admin/v1/categories", json={**CATEGORY, "target_hours": 0}, headers=admin
    )

    assert response.status_code in (400, 422)
    assert "target_hours" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/admin/v1/agencies"),
        ("post", "/api/admin/v1/agencies"),
        ("get", "/api/admin/v1/categories"),
        ("get", "/api/admin/v1/rules"),
        ("post", "/api/admin/v1/rules"),
        ("get", "/api/admin/v1/warnings"),
        ("get", "/api/admin/v1/pack.zip"),
    ],
)
def test_only_admins_may_call(client: FlaskClient, world: None, method: str, path: str) -> None:
    body = (
        AGENCY
        if path.endswith("agencies")
        else {
            "category_code": "HT",
            "area_code": "P",
            "lead_agency_code": "SXD",
        }
    )
    kwargs: dict[str, Any] = {"json": body} if method == "post" else {}

    anonymous = getattr(client, method)(path, **kwargs)
    operator = getattr(client, method)(path, headers=_headers(client, "dieuhanh"), **kwargs)
    officer = getattr(client, method)(path, headers=_headers(client, "sxd.canbo"), **kwargs)

    assert anonymous.status_code == 401
    assert operator.status_code == 403
    assert officer.status_code == 403


def test_an_agency_may_require_the_managers_sign_off(
    client: FlaskClient, admin: dict[str, str], session: Session
) -> None:
    body = {k: v for k, v in AGENCY.items() if k != "code"}

    changed = client.put(
        "/api/admin/v1/agencies/SXD", json={**body, "sign_off": True}, headers=admin
    )

    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["sign_off"] is True
    sxd = session.scalars(select(Agency).where(Agency.code == "SXD")).one()
    session.refresh(sxd)
    assert sxd.requires_sign_off is True
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "province.agency.change")
    ).all()[-1]
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before.get("sign_off"), entry.after.get("sign_off")) == (False, True)
