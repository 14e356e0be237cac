"""Text with a NUL character: PostgreSQL cannot store it, so it must be refused up front."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from ioc.feedback.report_models import Report
from tests.mobile_api.conftest import World
from tests.mobile_api.helpers import Citizen, count, jpeg, report_body, submit


def test_a_description_with_a_nul_character_is_refused_naming_the_field(
    client: FlaskClient, session: Session, lan: Citizen, world: World
) -> None:
    response = submit(client, lan, report_body(description="Ổ gà\x00 lớn"))

    assert response.status_code == 400
    assert "description" in response.get_json()["error"]["details"]["fields"]
    assert count(session, Report) == 0


def test_a_nul_character_in_a_form_report_is_refused_naming_the_field(
    client: FlaskClient, session: Session, lan: Citizen, world: World
) -> None:
    body = report_body("o_ga", description="Ổ gà\x00 lớn")
    response = submit(client, lan, body, photos=[jpeg()])

    assert response.status_code == 400
    assert list(response.get_json()["error"]["details"]["fields"]) == ["description"]
    assert count(session, Report) == 0


def test_a_nul_character_in_a_query_is_refused_in_vietnamese(
    client: FlaskClient, lan: Citizen, world: World
) -> None:
    response = client.get(
        "/api/mobile/v1/reports/nearby",
        query_string={"lon": "108.05", "lat": "16.05", "category": "den\x00"},
        headers=lan.headers,
    )

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["details"]["fields"] == {"category": "không được chứa ký tự NUL"}
