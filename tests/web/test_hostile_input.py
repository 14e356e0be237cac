"""Input an attacker sends answers a documented 4xx in the error envelope and writes nothing:
bodies in the wrong format, JSON nested to exhaust the parser, lone surrogates, ids past the
database's integers, dates past the calendar, wrong methods and unknown addresses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from ioc.events.models import Event
from ioc.feedback.report_models import AuditEntry, Report
from ioc.web.body_guard import MAX_DEPTH, too_deep
from tests.staff_api import conftest as staff
from tests.staff_api.conftest import World

#: The staff APIs' world: a province, three agencies, every staff role and a citizen signed in.
firebase_emulator = staff.firebase_emulator
world = staff.world

REPORT = {"category": "den_duong", "lon": 108.05, "lat": 16.05}


def _writes(world: World) -> tuple[int, ...]:
    world.session.expire_all()
    return tuple(
        world.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Report, Event, AuditEntry)
    )


def _refused(response: TestResponse, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.get_data(True))
    error = response.get_json()["error"]
    assert error["code"]
    assert error["message"]
    return error


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _citizen(world: World) -> dict[str, str]:
    return {**world.headers["citizen"], "Idempotency-Key": "khoa-thu-1"}


# ---- a body in a format the route does not read ----


@pytest.mark.parametrize("caller", ["anonymous", "admin"])
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"]
)
def test_a_body_that_is_not_json_sent_to_a_json_route_is_refused(
    client: FlaskClient, world: World, caller: str, content_type: str
) -> None:
    ref = world.new_report().ref
    before = _writes(world)

    response = client.post(
        f"/api/ops/v1/reports/{ref}/verify",
        data="note=x",
        headers={**world.headers[caller], "Content-Type": content_type},
    )

    error = _refused(response, 415, 401)
    if response.status_code == 415:
        assert error["details"]["accepted"] == ["application/json"]
    assert _writes(world) == before


def test_a_json_body_on_a_route_that_also_takes_a_form_is_read(
    client: FlaskClient, world: World
) -> None:
    response = client.post("/api/mobile/v1/reports", json=REPORT, headers=_citizen(world))

    assert response.status_code == 201, response.get_json()


# ---- JSON nested to exhaust the parser ----


def test_depth_is_measured_without_parsing_and_skips_strings() -> None:
    assert not too_deep(_nested(MAX_DEPTH).encode())
    assert too_deep(_nested(MAX_DEPTH + 1).encode())
    assert not too_deep(json.dumps({"a": "[" * 10_000}).encode())
    assert not too_deep(json.dumps({"a": '\\"' + "[" * 100}).encode())


@pytest.mark.parametrize(
    ("path", "caller"),
    [
        ("/api/auth/login", "anonymous"),
        ("/api/ops/v1/reports/PA0000-XXXXXX/verify", "anonymous"),
        ("/api/ops/v1/reports/PA0000-XXXXXX/verify", "admin"),
        ("/api/mobile/v1/reports", "citizen"),
        ("/open311/v2/requests.json", "anonymous"),
    ],
)
def test_json_nested_fifty_thousand_deep_is_refused_before_anything_else(
    client: FlaskClient, world: World, path: str, caller: str
) -> None:
    before = _writes(world)

    response = client.post(
        path,
        data=_nested(50_000),
        headers={**world.headers[caller], "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.get_data(True)
    assert _writes(world) == before


def test_attributes_nested_five_hundred_deep_are_refused_naming_the_body(
    client: FlaskClient, world: World
) -> None:
    attributes: Any = "x"
    for _ in range(500):
        attributes = {"a": attributes}
    before = _writes(world)

    response = client.post(
        "/api/mobile/v1/reports",
        json={**REPORT, "attributes": attributes},
        headers=_citizen(world),
    )

    error = _refused(response, 400)
    assert error["details"]["fields"] == {"body": "lồng nhau quá sâu"}
    assert _writes(world) == before


def test_a_deep_report_sent_as_a_form_field_is_refused_naming_the_field(
    client: FlaskClient, world: World
) -> None:
    before = _writes(world)

    response = client.post(
        "/api/mobile/v1/reports",
        data=MultiDict([("report", _nested(1_000))]),
        headers=_citizen(world),
        content_type="multipart/form-data",
    )

    assert _refused(response, 400)["details"]["fields"] == {"report": "lồng nhau quá sâu"}
    assert _writes(world) == before


# ---- lone surrogates ----


@pytest.mark.parametrize("field", ["description", "address"])
def test_a_lone_surrogate_in_a_report_is_refused_naming_the_field(
    client: FlaskClient, world: World, field: str
) -> None:
    body = json.dumps({**REPORT, field: "Đèn \ud800 hỏng"})
    before = _writes(world)

    response = client.post(
        "/api/mobile/v1/reports",
        data=body,
        headers={**_citizen(world), "Content-Type": "application/json"},
    )

    assert _refused(response, 400)["details"]["fields"] == {field: "phải là văn bản Unicode hợp lệ"}
    assert _writes(world) == before


def test_a_lone_surrogate_in_a_multipart_report_is_refused_naming_the_field(
    client: FlaskClient, world: World
) -> None:
    before = _writes(world)

    response = client.post(
        "/api/mobile/v1/reports",
        data=MultiDict([("report", json.dumps({**REPORT, "description": "\udfff"}))]),
        headers=_citizen(world),
        content_type="multipart/form-data",
    )

    assert _refused(response, 400)["details"]["fields"] == {
        "description": "phải là văn bản Unicode hợp lệ"
    }
    assert _writes(world) == before


def test_a_lone_surrogate_in_a_staff_note_or_a_key_is_refused(
    client: FlaskClient, world: World
) -> None:
    ref = world.new_report().ref
    before = _writes(world)
    headers = {**world.headers["admin"], "Content-Type": "application/json"}

    note = client.post(
        f"/api/ops/v1/reports/{ref}/verify", data='{"note": "\\ud800"}', headers=headers
    )
    key = client.post(f"/api/ops/v1/reports/{ref}/verify", data='{"\\ud800": 1}', headers=headers)

    assert _refused(note, 400)["details"]["fields"] == {"note": "phải là văn bản Unicode hợp lệ"}
    assert _refused(key, 400)["details"]["fields"] == {"\ufffd": "phải là văn bản Unicode hợp lệ"}
    assert _writes(world) == before


def test_open311_refuses_a_lone_surrogate_in_its_own_format(
    client: FlaskClient, world: World
) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        data='{"service_code": "den_duong", "description": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert isinstance(response.get_json(), list)  # [{"code", "description"}], Open311's shape


# ---- ids and cursors past the database's integers ----


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/ops/v1/surges/2147483648/dismiss"),
        ("post", "/api/ops/v1/surges/99999999999999999999/group"),
        ("post", "/api/admin/v1/webhooks/2147483648/revoke"),
        ("post", "/api/admin/v1/open311-keys/9223372036854775808/revoke"),
        ("post", "/api/admin/v1/webhooks/0/revoke"),
    ],
)
def test_a_path_id_past_the_id_columns_is_not_found(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    before = _writes(world)

    response = getattr(client, method)(path, json={}, headers=world.headers["admin"])

    _refused(response, 404)
    assert _writes(world) == before


@pytest.mark.parametrize(
    ("caller", "path", "field"),
    [
        ("admin", "/api/admin/v1/audit?before=2147483648", "before"),
        ("admin", "/api/admin/v1/audit?before=-1", "before"),
        ("citizen", "/api/mobile/v1/reports/mine?cursor=2147483648", "cursor"),
        ("citizen", "/api/mobile/v1/reports/mine?cursor=-5", "cursor"),
    ],
)
def test_a_query_id_past_the_id_columns_is_refused_naming_it(
    client: FlaskClient, world: World, caller: str, path: str, field: str
) -> None:
    response = client.get(path, headers=world.headers[caller])

    assert field in _refused(response, 400, 422)["details"]["fields"]


# ---- dates past the calendar ----


@pytest.mark.parametrize(
    ("caller", "path"),
    [
        ("admin", "/api/ops/v1/statistics"),
        ("admin", "/api/ops/v1/exports/reports.csv"),
        ("sxd_manager", "/api/agency/v1/statistics"),
        ("sxd_manager", "/api/agency/v1/exports/reports.csv"),
        ("anonymous", "/api/public/v1/scorecard"),
    ],
)
@pytest.mark.parametrize(("field", "day"), [("since", "0001-01-01"), ("until", "9999-12-31")])
def test_a_period_past_the_calendar_is_refused_naming_the_field(
    client: FlaskClient, world: World, caller: str, path: str, field: str, day: str
) -> None:
    response = client.get(f"{path}?{field}={day}", headers=world.headers[caller])

    assert _refused(response, 400)["details"]["fields"] == {
        field: "phải là ngày từ 2000-01-01 đến 2199-12-31"
    }


# ---- wrong methods and unknown addresses ----


def test_a_wrong_method_answers_405_with_allow_and_the_envelope(
    client: FlaskClient, world: World
) -> None:
    response = client.put("/api/ops/v1/reports", headers=world.headers["admin"])

    assert _refused(response, 405)["code"] == "method_not_allowed"
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("path", ["/api/nope", "/api/ops/v1/nope", "/api/mobile/v1/x/y"])
def test_an_unknown_address_answers_404_with_the_envelope(
    client: FlaskClient, world: World, path: str
) -> None:
    assert _refused(client.get(path), 404)["code"] == "not_found"


# ---- names longer than the audit's reference column ----


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/admin/v1/open311-keys", {"name": "k" * 100}),
        ("/api/admin/v1/webhooks", {"url": "https://hooks.example.vn/ioc", "name": "h" * 100}),
    ],
)
def test_a_long_name_is_audited_whole_and_the_change_kept(
    client: FlaskClient, world: World, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, json=body, headers=world.headers["admin"])

    assert response.status_code == 201, response.get_json()
    world.session.expire_all()
    entry = world.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    assert len(entry.target_ref or "") == 64
    assert entry.after is not None
    assert entry.after["name"] == response.get_json()["name"]
