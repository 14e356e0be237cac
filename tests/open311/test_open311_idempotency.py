"""An integration platform that retries a POST with the same ``Idempotency-Key`` files one
request and gets the first answer again."""

from __future__ import annotations

from sqlalchemy import func, select

from ioc.feedback.report_models import Report
from tests.open311.conftest import World, pothole_form
from tests.open311.helpers import BASE, errors_of, json_of, xml_of

_form = pothole_form


def _count(world: World) -> int:
    world.session.expire_all()
    return world.session.scalar(select(func.count()).select_from(Report)) or 0


def test_a_retry_with_the_same_key_files_once_and_answers_the_same(client, world):
    headers = {"Idempotency-Key": "lgsp-7f3a"}

    first = client.post(f"{BASE}/requests.json", data=_form(world), headers=headers)
    again = client.post(f"{BASE}/requests.json", data=_form(world), headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert json_of(again) == json_of(first)
    assert _count(world) == 1


def test_the_replay_comes_in_the_format_asked(client, world):
    headers = {"Idempotency-Key": "lgsp-xml"}

    first = client.post(f"{BASE}/requests.json", data=_form(world), headers=headers)
    again = client.post(f"{BASE}/requests.xml", data=_form(world), headers=headers)

    [answer] = json_of(first)
    assert xml_of(again).findtext("request/service_request_id") == answer["service_request_id"]
    assert _count(world) == 1


def test_the_same_key_with_another_form_is_refused_and_files_nothing(client, world):
    headers = {"Idempotency-Key": "lgsp-7f3b"}
    client.post(f"{BASE}/requests.json", data=_form(world), headers=headers)

    other = client.post(
        f"{BASE}/requests.json", data=_form(world, description="Đèn đường hỏng"), headers=headers
    )

    # Open311 answers every refused form with 400 and the reason.
    assert other.status_code == 400
    assert "Idempotency-Key" in errors_of(other, "json")[0]["description"]
    assert _count(world) == 1


def test_without_a_key_every_post_files(client, world):
    client.post(f"{BASE}/requests.json", data=_form(world))
    client.post(f"{BASE}/requests.json", data=_form(world))

    assert _count(world) == 2
