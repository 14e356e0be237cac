"""POST requests: the API key, the form as the spec writes it, errors, and the same intake
as the mobile app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ioc.events.audiences import citizen_audience
from ioc.events.models import Event
from ioc.feedback.citizen_models import ReportFollower
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.models import User
from ioc.feedback.report_models import Report
from ioc.feedback.states import Role
from ioc.integrations.api_clients import revoke_api_client
from tests.open311.conftest import IN_A, OUTSIDE, World, pothole_form
from tests.open311.helpers import BASE, children, errors_of, json_of, xml_of


def _form(world: World, **overrides) -> dict[str, str]:
    form: dict[str, str | None] = {
        **pothole_form(
            world,
            address_string="45 Trần Phú, Xã An Hòa",
            description="Ổ gà lớn giữa đường, xe máy dễ ngã",
            first_name="Hoàng",
            last_name="Văn Đức",
            email="duc.hoang@example.vn",
        ),
        **overrides,
    }
    return {k: v for k, v in form.items() if v is not None}


def _post(client, world: World, fmt: str = "json", **overrides):
    return client.post(f"{BASE}/requests.{fmt}", data=_form(world, **overrides))


def _report(world: World, ref: str) -> Report:
    world.session.expire_all()
    return world.session.scalars(select(Report).where(Report.ref == ref)).one()


# ---- a request filed ----


def test_post_files_a_report_and_answers_as_the_spec_says(client, world):
    response = _post(client, world)

    assert response.status_code == 200, response.data
    [answer] = json_of(response)
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["account_id"] is None
    report = _report(world, answer["service_request_id"])
    assert report.channel == "open311"
    assert report.api_client_id == world.client.id
    assert report.address == "45 Trần Phú, Xã An Hòa"
    assert report.attributes == {"pothole_size": "large"}
    assert "Sở Xây dựng" in answer["service_notice"]


def test_post_in_xml_answers_in_xml(client, world):
    response = _post(client, world, "xml")

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("account_id") == ""
    assert _report(world, request.findtext("service_request_id")).channel == "open311"


def test_post_is_routed_exactly_like_a_mobile_report(client, world, intake):
    mobile = submit_report(
        world.session,
        intake,
        category_code="o_ga",
        lon=IN_A[0],
        lat=IN_A[1],
        channel="mobile",
        attributes={"pothole_size": "large"},
    )
    world.session.flush()

    [answer] = json_of(_post(client, world))
    report = _report(world, answer["service_request_id"])

    assert report.status == mobile.status == "assigned"
    assert report.lead_agency_id == mobile.lead_agency_id == world.sxd.id
    assert report.sla_tier == mobile.sla_tier == "urgent"
    assert [a.area_id for a in report.areas] == [a.area_id for a in mobile.areas]
    # Urgent reports run on the wall clock: the category's 8 hours, day or night.
    assert report.due_at == report.received_at + timedelta(hours=8)
    events = {
        e.report_id: e
        for e in world.session.scalars(select(Event).where(Event.type == "report.created"))
    }
    assert set(events[report.id].payload) == set(events[mobile.id].payload)
    assert events[report.id].payload["agency"] == "SXD"
    assert {"ops", "agency:SXD"} <= set(events[report.id].audiences)


def test_a_request_for_review_appears_in_the_ioc_queue_with_its_contact_for_staff_only(
    client, world
):
    form = {"service_code": "den_duong", "attribute[pothole_size]": None}
    [answer] = json_of(_post(client, world, **form))
    ref = answer["service_request_id"]

    queue = client.get("/api/ops/v1/queue", headers=world.operator_headers).get_json()
    detail = client.get(f"/api/ops/v1/reports/{ref}", headers=world.operator_headers)
    public = client.get(f"{BASE}/requests/{ref}.json").get_data(as_text=True)

    assert ref in [item["ref"] for item in queue["items"]]
    assert detail.get_json()["reporter"] == {
        "name": "Hoàng Văn Đức",
        "phone": "+84913555666",
        "email": "duc.hoang@example.vn",
    }
    assert "Hoàng" not in public
    assert "+84913555666" not in public


def test_a_second_request_from_the_same_phone_is_the_same_reporter(client, world):
    first = json_of(_post(client, world))[0]["service_request_id"]
    second = json_of(_post(client, world, first_name="H.", last_name=None))[0]

    assert (
        _report(world, first).reporter_id
        == _report(world, second["service_request_id"]).reporter_id
    )


def test_the_reporter_is_found_by_email_when_no_phone_is_given(client, world):
    first = json_of(_post(client, world, phone=None))[0]["service_request_id"]
    second = json_of(_post(client, world, phone=None, first_name=None, last_name=None))[0]

    reporter = _report(world, first).reporter
    assert reporter is not None
    assert (reporter.email, reporter.display_name) == ("duc.hoang@example.vn", "Hoàng Văn Đức")
    assert _report(world, second["service_request_id"]).reporter_id == reporter.id


def test_a_name_alone_makes_a_new_reporter_each_time(client, world):
    contact = {"phone": None, "email": None, "first_name": "Lan", "last_name": None}
    first = json_of(_post(client, world, **contact))[0]["service_request_id"]
    second = json_of(_post(client, world, **contact))[0]["service_request_id"]

    reporters = [_report(world, ref).reporter for ref in (first, second)]
    assert [r.display_name if r else None for r in reporters] == ["Lan", "Lan"]
    assert reporters[0] is not None
    assert reporters[1] is not None
    assert reporters[0].id != reporters[1].id


def test_a_request_without_contact_details_has_no_reporter(client, world):
    contact = {"phone": None, "email": None, "first_name": None, "last_name": None}
    ref = json_of(_post(client, world, **contact))[0]["service_request_id"]

    report = _report(world, ref)
    assert report.reporter_id is None
    assert [entry.actor_id for entry in report.history] == [None]


def test_the_reporter_files_the_report_and_follows_it(client, world):
    ref = json_of(_post(client, world))[0]["service_request_id"]

    report = _report(world, ref)
    assert report.reporter is not None
    assert report.reporter.phone == "+84913555666"
    submitted = [entry for entry in report.history if entry.action == "submitted"]
    assert [entry.actor_id for entry in submitted] == [report.reporter_id]
    followers = world.session.scalars(
        select(ReportFollower.user_id).where(ReportFollower.report_id == report.id)
    )
    assert list(followers) == [report.reporter_id]
    created = world.session.scalars(select(Event).where(Event.report_id == report.id)).one()
    assert citizen_audience(report.reporter_id) in created.audiences


def test_of_several_accounts_with_one_phone_the_oldest_is_the_reporter(client, world):
    phone = "+84987000111"
    older, newer = (User(role=Role.CITIZEN, phone=phone) for _ in range(2))
    world.session.add(older)
    world.session.flush()
    world.session.add(newer)
    world.session.commit()

    ref = json_of(_post(client, world, phone=phone))[0]["service_request_id"]

    assert _report(world, ref).reporter_id == older.id


def test_attribute_values_arrive_typed_and_lists_from_repeated_keys(client, world):
    fields = {"attribute[depth_cm]": "12", "attribute[seen_at]": "2026-11-22T06:30:00+07:00"}
    form = MultiDict(_form(world, **fields))
    form.setlist("attribute[hazards][]", ["water", "night"])

    response = client.post(f"{BASE}/requests.json", data=form)

    assert response.status_code == 200, response.data
    report = _report(world, json_of(response)[0]["service_request_id"])
    assert report.attributes["depth_cm"] == 12
    assert report.attributes["hazards"] == ["water", "night"]
    assert report.attributes["seen_at"] == "2026-11-22T06:30:00+07:00"


def test_control_characters_are_dropped_from_what_is_filed(client, world):
    [answer] = json_of(_post(client, world, description="Ổ gà\x00 sâu\x1b"))

    assert _report(world, answer["service_request_id"]).description == "Ổ gà sâu"


def test_a_media_link_is_kept_for_staff(client, world):
    link = "https://lgsp.example.vn/anh/12345.jpg"
    [answer] = json_of(_post(client, world, media_url=link))

    detail = client.get(
        f"/api/ops/v1/reports/{answer['service_request_id']}", headers=world.operator_headers
    ).get_json()

    [entry] = [e for e in detail["timeline"] if e["action"] == "media_link"]
    assert entry["note"] == link
    assert entry["is_public"] is False


def test_using_a_key_records_when(client, world):
    assert world.client.last_used_at is None

    _post(client, world)

    world.session.expire_all()
    assert world.client.last_used_at is not None


def test_a_busy_key_still_records_its_use_once_a_minute(client, world, fixed_clock):
    _post(client, world)
    world.session.expire_all()
    first = world.client.last_used_at

    fixed_clock.shift(timedelta(minutes=2))
    _post(client, world)

    world.session.expire_all()
    assert world.client.last_used_at >= first + timedelta(minutes=2)


def test_a_key_revoked_right_after_a_request_is_refused_on_the_next(client, world):
    assert _post(client, world).status_code == 200

    revoke_api_client(world.session, name="lgsp-tinh")

    assert _post(client, world).status_code == 403


# ---- refused ----


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "ioc311_not-a-real-key", "revoked"])
def test_missing_invalid_or_revoked_key_is_403_and_nothing_is_filed(client, world, fmt, key):
    if key == "revoked":
        revoke_api_client(world.session, name="lgsp-tinh")
        key = world.key
    before = world.session.scalar(select(Report.id).order_by(Report.id.desc()).limit(1))

    response = _post(client, world, fmt, api_key=key)

    assert response.status_code == 403
    [error] = errors_of(response, fmt)
    assert error["code"] == 403
    assert "api_key" in error["description"]
    assert world.session.scalar(select(Report.id).order_by(Report.id.desc()).limit(1)) == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_point_is_400_naming_lat_and_long(client, world, fmt):
    response = _post(client, world, fmt, lat=None, long=None)

    assert response.status_code == 400
    errors = errors_of(response, fmt)
    assert [e["code"] for e in errors] == [400, 400]
    assert [e["description"].split(":")[0] for e in errors] == ["lat", "long"]
    assert "long" in errors[1]["description"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"service_code": None}, "service_code"),
        ({"lat": "mười sáu"}, "lat"),
        ({"long": "200"}, "long"),
        ({"lat": str(OUTSIDE[1]), "long": str(OUTSIDE[0])}, "lat"),
        ({"attribute[pothole_size]": None}, "attribute[pothole_size]"),
        ({"attribute[pothole_size]": "huge"}, "attribute[pothole_size]"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"attribute[depth_cm]": "deep"}, "attribute[depth_cm]"),
        ({"attribute[depth_cm]": "1e400"}, "attribute[depth_cm]"),
        ({"attribute[depth_cm]": "nan"}, "attribute[depth_cm]"),
        ({"description": "x" * 2001}, "description"),
    ],
)
def test_bad_forms_are_400_errors_naming_the_field(client, world, overrides, field):
    response = _post(client, world, **overrides)

    assert response.status_code == 400, response.data
    descriptions = [e["description"] for e in errors_of(response, "json")]
    assert any(d.startswith(f"{field}:") for d in descriptions), descriptions


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["khong_co", "an_ninh"])
def test_unknown_or_private_service_code_is_404(client, world, fmt, code):
    response = _post(client, world, fmt, service_code=code)

    assert response.status_code == 404
    [error] = errors_of(response, fmt)
    assert error["code"] == 404
    assert "service_code" in error["description"]


def test_errors_speak_vietnamese_by_default_and_english_when_asked(client, world):
    vietnamese = errors_of(_post(client, world, lat=None, long=None), "json")
    english = client.post(
        f"{BASE}/requests.json",
        data=_form(world, lat=None, long=None),
        headers={"Accept-Language": "en"},
    )

    assert vietnamese[0]["description"] != errors_of(english, "json")[0]["description"]
    assert "lat and long" in errors_of(english, "json")[0]["description"]


@pytest.mark.parametrize("app_settings", [{"open311_submit_limit": "3 per minute"}])
def test_the_deployment_sets_how_many_posts_a_key_may_make(client, world):
    answers = [
        _post(client, world, service_code="den_duong", **{"attribute[pothole_size]": None})
        for _ in range(4)
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    assert int(answers[3].headers["Retry-After"]) > 0
    world.session.expire_all()
    assert len(world.session.scalars(select(Report)).all()) == 3


def test_posts_are_limited_per_key(client, world):
    statuses = [
        _post(
            client, world, service_code="den_duong", **{"attribute[pothole_size]": None}
        ).status_code
        for _ in range(61)
    ]

    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    other = client.post(f"{BASE}/requests.json", data=_form(world, api_key="ioc311_someone-else"))
    assert other.status_code == 403  # another key has its own bucket
    [error] = errors_of(
        _post(client, world, service_code="den_duong", **{"attribute[pothole_size]": None}),
        "json",
    )
    assert error["code"] == 429
