"""GET requests and requests/{id}: fields, formats, filters, caps, status mapping, privacy."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from sqlalchemy.orm import Session

from ioc.db import utcnow
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle import agency_work, citizen_actions, triage
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.models import Category, User
from ioc.feedback.report_models import Report
from ioc.geo.cells import cell_for
from tests.factories import make_photo
from tests.open311.conftest import IN_A, World
from tests.open311.helpers import BASE, REQUEST_FIELDS, children, errors_of, json_of, xml_of

REPORTER_NAME = "Lê Thị Bích Ngọc"
REPORTER_PHONE = "+84905111222"


class Cases:
    """Reports moved to each state by the real use cases."""

    def __init__(self, world: World, intake) -> None:
        self.world, self.intake, self.session = world, intake, world.session
        self.operator = self.session.query(User).filter_by(username="dieu.hanh").one()
        self.officer = User(role="agency_officer", username="sxd.canbo", agency=world.sxd)
        self.citizen = User(role="citizen", display_name=REPORTER_NAME, phone=REPORTER_PHONE)
        self.session.add_all([self.officer, self.citizen])
        self.session.flush()

    def new(self, category: Category | None = None, **fields) -> Report:
        category = category or self.world.lighting
        report = submit_report(
            self.session,
            self.intake,
            category_code=category.code,
            lon=IN_A[0],
            lat=IN_A[1],
            channel="phone",
            description=fields.pop("description", "Đèn đường tắt cả tuần"),
            address="12 Lê Lợi, Xã An Hòa",
            reporter_id=self.citizen.id,
            **fields,
        )
        self.session.flush()
        return report

    def assigned(self) -> Report:
        report = self.new()
        triage.assign_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.operator,
            agency_code="SXD",
        )
        return report

    def in_progress(self) -> Report:
        report = self.assigned()
        agency_work.accept_report(self.session, report=report, actor=self.officer)
        return report

    def returned(self) -> Report:
        report = self.assigned()
        agency_work.return_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.officer,
            reason="Không thuộc thẩm quyền",
        )
        return report

    def resolved(self) -> Report:
        report = self.in_progress()
        agency_work.resolve_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.officer,
            answer="Đã thay bóng đèn",
            photos=[],
        )
        return report

    def closed(self) -> Report:
        report = self.resolved()
        citizen_actions.rate_report(
            self.session,
            report=report,
            citizen_id=self.citizen.id,
            rating=Rating.SATISFIED,
            comment=None,
        )
        return report

    def rejected(self) -> Report:
        report = self.new()
        triage.reject_report(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.operator,
            reason="Nội dung không rõ ràng",
        )
        return report

    def duplicate(self, of: Report) -> Report:
        report = self.new()
        triage.mark_duplicate(
            self.session,
            policy=self.intake.policy,
            report=report,
            actor=self.operator,
            of_ref=of.ref,
        )
        return report


@pytest.fixture
def cases(world, intake) -> Cases:
    return Cases(world, intake)


def _get(client, path: str, **kwargs):
    response = client.get(f"{BASE}{path}", **kwargs)
    assert response.status_code == 200, response.data
    return response


def _refs(client, query: str = "") -> list[str]:
    return [r["service_request_id"] for r in json_of(_get(client, f"/requests.json{query}"))]


def _offset_of(text: str) -> timedelta | None:
    return datetime.fromisoformat(text).utcoffset()


# ---- one request, both formats ----


def test_a_request_has_every_spec_field_in_json(client, world, cases):
    report = cases.assigned()

    [item] = json_of(_get(client, f"/requests/{report.ref}.json"))

    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == report.ref
    assert item["status"] == "open"
    assert item["status_notes"] == "chờ xử lý"
    assert item["service_name"] == "Đèn đường"
    assert item["service_code"] == "den_duong"
    assert item["description"] == "Đèn đường tắt cả tuần"
    assert item["agency_responsible"] == "Sở Xây dựng"
    assert item["address"] == "12 Lê Lợi, Xã An Hòa"
    assert item["address_id"] is None
    assert item["zipcode"] is None
    assert (item["lat"], item["long"]) == (IN_A[1], IN_A[0])
    assert item["media_url"] is None
    assert "Sở Xây dựng" in item["service_notice"]
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert _offset_of(item[name]) == timedelta(hours=7), name
    assert datetime.fromisoformat(item["expected_datetime"]) == report.due_at.replace(microsecond=0)
    assert datetime.fromisoformat(item["requested_datetime"]) == report.received_at.replace(
        microsecond=0
    )


def test_a_request_in_xml_has_the_spec_elements_in_order(client, world, cases):
    report = cases.assigned()

    root = xml_of(_get(client, f"/requests/{report.ref}.xml", headers={"Accept-Language": "en"}))

    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("service_request_id") == report.ref
    assert request.findtext("status") == "open"
    assert request.findtext("service_name") == "Street light"
    assert request.findtext("agency_responsible") == "Department of Construction"
    assert request.findtext("zipcode") == ""  # an empty element, as the spec shows
    assert float(request.findtext("long")) == IN_A[0]
    assert request.findtext("expected_datetime").endswith("+07:00")


def test_xml_escapes_what_citizens_write(client, world, cases):
    report = cases.new(description='Cống <b>vỡ</b> & "ngập" – nguy hiểm')

    root = xml_of(_get(client, f"/requests/{report.ref}.xml"))

    assert root.find("request").findtext("description") == 'Cống <b>vỡ</b> & "ngập" – nguy hiểm'


def test_media_url_is_the_absolute_url_of_the_first_visible_photo(client, world, cases):
    report = cases.new()
    report.attachments += [make_photo("hidden-key.jpg", hidden=True), make_photo("shown-key.jpg")]
    world.session.flush()

    [item] = json_of(_get(client, f"/requests/{report.ref}.json"))

    assert item["media_url"] == "http://localhost/media/shown-key.jpg"


def test_media_url_shows_the_citizens_photo_before_the_agencys_result(client, world, cases):
    report = cases.new()
    # The result photo is stored first: order of purpose, not of upload, decides.
    report.attachments += [make_photo("result.jpg", purpose="after"), make_photo("citizen.jpg")]
    world.session.flush()

    [item] = json_of(_get(client, f"/requests/{report.ref}.json"))

    assert item["media_url"] == "http://localhost/media/citizen.jpg"


# ---- our states as open/closed ----


@pytest.mark.parametrize(
    ("state", "status", "notes"),
    [
        ("new", "open", "chờ tiếp nhận"),
        ("assigned", "open", "chờ xử lý"),
        ("in_progress", "open", "đang xử lý"),
        ("returned", "open", "chuyển trả"),
        ("resolved", "closed", "Đã thay bóng đèn"),
        ("closed", "closed", "Đã thay bóng đèn"),
        ("rejected", "closed", "Nội dung không rõ ràng"),
    ],
)
def test_status_mapping_and_notes(client, world, cases, state, status, notes):
    report = getattr(cases, state)()

    [item] = json_of(_get(client, f"/requests/{report.ref}.json"))

    assert item["status"] == status
    assert item["status_notes"] == notes


def test_a_merged_report_is_closed_with_the_original_named(client, world, cases):
    original = cases.new()
    merged = cases.duplicate(original)

    [item] = json_of(_get(client, f"/requests/{merged.ref}.json"))
    [english] = json_of(_get(client, f"/requests/{merged.ref}.json?locale=en"))

    assert item["status"] == "closed"
    assert item["status_notes"] == f"Trùng với phản ánh {original.ref}"
    assert english["status_notes"] == f"Duplicate of {original.ref}"


def test_a_closed_request_was_updated_when_it_closed(client, world, cases):
    report = cases.rejected()

    [item] = json_of(_get(client, f"/requests/{report.ref}.json"))

    assert datetime.fromisoformat(item["updated_datetime"]) == report.closed_at.replace(
        microsecond=0
    )


# ---- privacy ----


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_private_reports_and_unknown_ids_are_404_errors(client, world, cases, fmt):
    tip = cases.new(world.tips)

    for ref in (tip.ref, "PA0000-NOPE00"):
        response = client.get(f"{BASE}/requests/{ref}.{fmt}")

        assert response.status_code == 404
        [error] = errors_of(response, fmt)
        assert error["code"] == 404
        assert "service_request_id" in error["description"]


def test_lists_never_show_private_reports_or_who_reported(client, world, cases):
    public = cases.new()
    tip = cases.new(world.tips)

    json_text = _get(client, "/requests.json").get_data(as_text=True)
    xml_text = _get(client, "/requests.xml").get_data(as_text=True)

    for text in (json_text, xml_text):
        assert public.ref in text
        assert tip.ref not in text
        assert REPORTER_NAME not in text
        assert REPORTER_PHONE not in text
    assert tip.ref not in _refs(client, f"?service_request_id={tip.ref}")


# ---- filters and caps ----


def test_service_request_ids_pick_reports_and_override_other_filters(client, world, cases):
    first, second, third = cases.new(), cases.new(), cases.new()

    refs = _refs(client, f"?service_request_id={first.ref},{third.ref}&service_code=o_ga")

    assert sorted(refs) == sorted([first.ref, third.ref])
    assert second.ref not in refs


def test_service_code_filter_takes_a_comma_list(client, world, cases):
    light = cases.new()
    pothole = cases.new(world.potholes, attributes={"pothole_size": "small"})

    assert _refs(client, "?service_code=o_ga") == [pothole.ref]
    assert sorted(_refs(client, "?service_code=o_ga,den_duong")) == sorted([light.ref, pothole.ref])
    assert _refs(client, "?service_code=khong_co") == []


def test_status_filter(client, world, cases):
    open_one = cases.new()
    closed_one = cases.rejected()

    assert _refs(client, "?status=open") == [open_one.ref]
    assert _refs(client, "?status=closed") == [closed_one.ref]
    assert sorted(_refs(client, "?status=open,closed")) == sorted([open_one.ref, closed_one.ref])


def test_dates_filter_on_requested_datetime_and_default_to_the_last_90_days(client, world, cases):
    now = utcnow()
    recent = cases.new(received_at=now - timedelta(days=2))
    older = cases.new(received_at=now - timedelta(days=40))
    too_old = cases.new(received_at=now - timedelta(days=91))

    assert _refs(client) == [recent.ref, older.ref]
    start = quote((now - timedelta(days=10)).isoformat())
    assert _refs(client, f"?start_date={start}") == [recent.ref]
    start = quote((now - timedelta(days=100)).isoformat())
    end = quote((now - timedelta(days=30)).isoformat())
    assert _refs(client, f"?start_date={start}&end_date={end}") == [older.ref, too_old.ref]
    end = quote((now - timedelta(days=39)).isoformat())  # and the 90 days before it
    assert _refs(client, f"?end_date={end}") == [older.ref, too_old.ref]


def test_w3c_dates_in_utc_and_local_offsets_mean_the_same_moment(client, world, cases):
    report = cases.new(received_at=datetime.fromisoformat("2026-11-20T03:00:00+00:00"))

    utc = _refs(client, "?start_date=2026-11-20T02:59:00Z&end_date=2026-11-20T03:01:00Z")
    local = _refs(
        client,
        "?start_date=" + quote("2026-11-20T09:59:00+07:00") + "&end_date=2026-11-20T10:01:00",
    )

    assert utc == local == [report.ref]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "start_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z", "end_date"),
        ("start_date=yesterday", "start_date"),
        ("status=pending", "status"),
    ],
)
def test_bad_filters_are_400_errors_naming_the_parameter(client, world, fmt, query, field):
    response = client.get(f"{BASE}/requests.{fmt}?{query}")

    assert response.status_code == 400
    [error] = errors_of(response, fmt)
    assert error["code"] == 400
    assert error["description"].startswith(f"{field}:")


def test_at_most_1000_requests_newest_first(client, world, session: Session):
    now = utcnow()
    cell_x, cell_y = cell_for(*IN_A)
    session.add_all(
        Report(
            ref=f"PA2611-{n:06d}",
            category_id=world.lighting.id,
            status="pending_review",
            sla_tier="normal",
            lon=IN_A[0],
            lat=IN_A[1],
            cell_x=cell_x,
            cell_y=cell_y,
            channel="phone",
            received_at=now - timedelta(minutes=n),
        )
        for n in range(1001)
    )
    session.flush()

    refs = _refs(client)

    assert len(refs) == 1000
    assert refs[0] == "PA2611-000000"
    assert refs[-1] == "PA2611-000999"


@pytest.mark.parametrize(
    "query",
    [
        "start_date=9999-12-31T00:00:00Z",
        "end_date=0001-01-01T00:00:00Z",
        "service_request_id=" + ",".join(["x"] * 500),
    ],
)
def test_extreme_parameters_are_answered_not_crashed_on(client, world, query):
    response = client.get(f"{BASE}/requests.json?{query}")

    assert response.status_code in (200, 400)
    assert isinstance(json_of(response), list)


def test_control_characters_do_not_break_the_xml(client, world, cases):
    report = cases.new(description="Ngập\x0b sâu\x1b 30cm")

    root = xml_of(_get(client, f"/requests/{report.ref}.xml"))

    assert root.find("request").findtext("description") == "Ngập sâu 30cm"


def test_a_start_date_in_the_future_is_an_empty_answer(client, world, cases):
    cases.new()

    assert _refs(client, "?start_date=2099-01-01T00:00:00Z") == []
