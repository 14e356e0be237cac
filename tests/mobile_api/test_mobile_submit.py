"""POST reports: intake checks, routing, deadlines, one commit, and idempotent retries."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.citizen_models import IdempotencyRecord, ReportFollower
from ioc.feedback.report_models import Report, ReportHistory
from tests.mobile_api.helpers import (
    API,
    IN_A,
    IN_B,
    OUTSIDE,
    count,
    report_body,
    report_of,
    submit,
)


def _tree_attributes(**overrides):
    return {"kind": "fallen", "height_m": 6, **overrides}


# --- the answer --------------------------------------------------------------------------


def test_a_report_is_created_with_201_and_its_location(client, world, lan):
    response = submit(client, lan)

    assert response.status_code == 201
    body = response.get_json()
    assert body["ref"]
    assert response.headers["Location"] == f"{API}/reports/{body['ref']}"
    assert client.get(response.headers["Location"], headers=lan.headers).status_code == 200


def test_the_answer_carries_the_areas_the_report_was_filed_under(client, world, lan):
    body = submit(client, lan, report_body(at=IN_B)).get_json()

    assert body["areas"] == [
        {"code": "B", "name": "Phường Bình Minh", "level": "commune"},
        {"code": "P", "name": "Tỉnh Thử", "level": "province"},
    ]


def test_an_auto_dispatch_report_is_assigned_to_the_lead_and_supporting_agencies(
    client, world, lan
):
    body = submit(client, lan, report_body(at=IN_B)).get_json()

    assert body["status"] == "assigned"
    assert body["status_label"] == "chờ xử lý"
    assert body["handled_by"] == {"kind": "agency", "code": "SXD", "name": "Sở Xây dựng"}
    assert body["supporting_agencies"] == [{"code": "DIEN-LUC", "name": "Công ty Điện lực"}]


def test_the_most_specific_routing_rule_wins(client, world, lan):
    body = submit(client, lan, report_body(at=IN_A)).get_json()

    assert body["handled_by"] == {"kind": "agency", "code": "UBND-A", "name": "UBND xã An Hòa"}
    assert body["supporting_agencies"] == []


def test_a_report_the_ioc_reviews_first_says_ioc_review(client, world, lan):
    body = submit(client, lan, report_body("cay_xanh", attributes=_tree_attributes())).get_json()

    assert body["status"] == "pending_review"
    assert body["handled_by"] == {
        "kind": "ioc_review",
        "code": None,
        "name": "Trung tâm IOC xem xét",
    }


def test_ioc_review_is_named_in_english_with_accept_language_en(client, world, lan):
    response = submit(
        client,
        lan,
        report_body("cay_xanh", attributes=_tree_attributes()),
        headers={"Accept-Language": "en"},
    )

    assert response.get_json()["handled_by"]["name"] == "IOC review"


def test_the_answer_has_the_resolution_deadline_with_the_provinces_offset(
    client, world, session, lan
):
    body = submit(client, lan).get_json()

    deadline = datetime.fromisoformat(body["deadline"])
    assert deadline == report_of(session, body["ref"]).due_at
    assert deadline > datetime.fromisoformat(body["received_at"])
    assert body["deadline"].endswith("+07:00")


def test_an_ioc_review_report_has_the_receipt_deadline(client, world, session, lan):
    body = submit(client, lan, report_body("cay_xanh", attributes=_tree_attributes())).get_json()

    report = report_of(session, body["ref"])
    assert report.due_at is None
    assert datetime.fromisoformat(body["deadline"]) == report.receipt_due_at


def test_the_answer_echoes_what_was_reported(client, world, lan):
    sent = report_body(
        at=IN_B, accuracy_m=8.5, address="12 Lê Lợi", description="Đèn tắt cả tuần nay"
    )

    body = submit(client, lan, sent).get_json()

    assert (body["lon"], body["lat"]) == IN_B
    assert body["accuracy_m"] == 8.5
    assert body["address"] == "12 Lê Lợi"
    assert body["description"] == "Đèn tắt cả tuần nay"
    assert body["category"] == {"code": "den_duong", "name": "Đèn đường"}
    assert body["photos"] == []
    assert body["support_count"] == 0


# --- what is stored -----------------------------------------------------------------------


def test_the_report_is_stored_with_its_routing_history_and_outbox_event(
    client, world, session, lan
):
    ref = submit(client, lan, report_body(at=IN_B)).get_json()["ref"]

    report = report_of(session, ref)
    assert report.channel == "mobile"
    assert report.reporter.firebase_uid == lan.uid
    assert report.lead_agency.code == "SXD"
    assert [agency.code for agency in report.supporting_agencies] == ["DIEN-LUC"]
    assert [area.area.code for area in report.areas] == ["B", "P"]
    assert [(h.action, h.to_status) for h in report.history] == [("submitted", "assigned")]
    events = session.scalars(select(Event).where(Event.report_id == report.id)).all()
    assert [(e.type, e.payload["ref"]) for e in events] == [("report.created", ref)]


def test_the_reporter_follows_their_report(client, world, session, lan):
    ref = submit(client, lan).get_json()["ref"]

    report = report_of(session, ref)
    follower = session.get(ReportFollower, (report.id, report.reporter_id))
    assert follower is not None
    assert follower.is_supporter is False


# --- refusals ------------------------------------------------------------------------------


def _assert_nothing_stored(session) -> None:
    assert count(session, Report) == 0
    assert count(session, ReportHistory) == 0
    assert count(session, Event) == 0
    assert count(session, IdempotencyRecord) == 0


def test_a_place_outside_the_province_is_refused_with_a_vietnamese_explanation(
    client, world, session, lan
):
    response = submit(client, lan, report_body(at=OUTSIDE))

    assert response.status_code == 422
    assert response.get_json()["error"] == {
        "code": "invalid_input",
        "message": "Vị trí phản ánh nằm ngoài địa bàn do Trung tâm điều hành phục vụ",
        "details": {
            "fields": {"lon": "nằm ngoài địa bàn phục vụ", "lat": "nằm ngoài địa bàn phục vụ"}
        },
    }
    _assert_nothing_stored(session)


def test_a_place_outside_the_province_is_explained_in_english_with_accept_language_en(
    client, world, lan
):
    response = submit(client, lan, report_body(at=OUTSIDE), headers={"Accept-Language": "en"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "the place is outside the area served by this operations centre"
    assert error["details"]["fields"]["lon"] == "outside the served area"


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [(180.5, 16.05, "lon"), (108.05, -91, "lat"), ("east", 16.05, "lon"), (None, 16.05, "lon")],
)
def test_invalid_coordinates_are_refused_naming_the_field(
    client, world, session, lan, lon, lat, field
):
    response = submit(client, lan, {"category": "den_duong", "lon": lon, "lat": lat})

    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["fields"]
    _assert_nothing_stored(session)


def test_an_unknown_category_is_refused_naming_category(client, world, session, lan):
    response = submit(client, lan, report_body("khong_co"))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "Lĩnh vực phản ánh không tồn tại"
    assert list(error["details"]["fields"]) == ["category"]
    _assert_nothing_stored(session)


def test_an_inactive_category_is_refused_naming_category(client, world, session, lan):
    response = submit(client, lan, report_body("da_ngung"))

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["category"]
    _assert_nothing_stored(session)


def test_a_description_over_2000_characters_is_refused(client, world, session, lan):
    response = submit(client, lan, report_body(description="đ" * 2001))

    assert response.status_code == 422
    assert "description" in response.get_json()["error"]["details"]["fields"]
    _assert_nothing_stored(session)


def test_a_description_of_2000_characters_is_accepted(client, world, lan):
    response = submit(client, lan, report_body(description="đ" * 2000))

    assert response.status_code == 201


def test_an_unexpected_field_is_refused(client, world, session, lan):
    response = submit(client, lan, report_body(reporter_name="Someone else"))

    assert response.status_code == 422
    assert "reporter_name" in response.get_json()["error"]["details"]["fields"]
    _assert_nothing_stored(session)


def test_missing_required_attributes_are_named(client, world, session, lan):
    response = submit(client, lan, report_body("cay_xanh"))

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "attributes.kind": "là bắt buộc",
        "attributes.height_m": "là bắt buộc",
    }
    _assert_nothing_stored(session)


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        (_tree_attributes(kind="burning"), "attributes.kind"),
        (_tree_attributes(height_m="tall"), "attributes.height_m"),
        (_tree_attributes(height_m=True), "attributes.height_m"),
        (_tree_attributes(seen_at="2025-07-07T08:00"), "attributes.seen_at"),
        (_tree_attributes(colour="green"), "attributes.colour"),
    ],
    ids=["not-in-list", "text-for-number", "bool-for-number", "no-offset", "unknown"],
)
def test_attributes_are_checked_by_datatype(client, world, session, lan, attributes, field):
    response = submit(client, lan, report_body("cay_xanh", attributes=attributes))

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == [field]
    _assert_nothing_stored(session)


def test_valid_attributes_are_stored_normalised(client, world, lan):
    attributes = _tree_attributes(seen_at="2025-07-07T08:00:00+07:00")

    response = submit(client, lan, report_body("cay_xanh", attributes=attributes))

    assert response.status_code == 201
    assert response.get_json()["attributes"] == attributes


def test_a_category_that_needs_a_photo_refuses_a_report_without_one(client, world, session, lan):
    response = submit(client, lan, report_body("o_ga"))

    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "photos": "cần ít nhất một ảnh cho lĩnh vực này"
    }
    _assert_nothing_stored(session)


def test_a_malformed_json_body_is_a_400_saying_so(client, world, session, lan):
    response = client.post(
        f"{API}/reports",
        data='{"category": "den_duong", "lon": 108.05,',
        headers={**lan.headers, "Idempotency-Key": "k-1", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "malformed_request"
    assert error["message"] == "Nội dung yêu cầu không phải JSON hợp lệ"
    _assert_nothing_stored(session)


def test_a_json_body_that_is_not_an_object_is_refused(client, world, session, lan):
    response = client.post(
        f"{API}/reports", json=[1, 2], headers={**lan.headers, "Idempotency-Key": "k-1"}
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"
    _assert_nothing_stored(session)


# --- Idempotency-Key ---------------------------------------------------------------------


def test_a_submission_without_an_idempotency_key_is_refused_naming_the_header(
    client, world, session, lan
):
    response = client.post(f"{API}/reports", json=report_body(), headers=lan.headers)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"]["fields"] == {"Idempotency-Key": "là bắt buộc"}
    _assert_nothing_stored(session)


def test_an_idempotency_key_over_200_characters_is_refused(client, world, session, lan):
    response = submit(client, lan, key="k" * 201)

    assert response.status_code == 422
    assert list(response.get_json()["error"]["details"]["fields"]) == ["Idempotency-Key"]
    _assert_nothing_stored(session)


def test_retry_with_same_key_returns_the_first_answer_and_creates_nothing(
    client, world, session, lan
):
    first = submit(client, lan, key="retry-1")
    created = (count(session, Report), count(session, Event), count(session, ReportHistory))

    retry = submit(client, lan, key="retry-1")

    assert retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Location"] == first.headers["Location"]
    after_retry = (count(session, Report), count(session, Event), count(session, ReportHistory))
    assert created == after_retry == (1, 1, 1)


def test_retry_with_the_same_body_in_another_key_order_is_the_same_request(
    client, world, session, lan
):
    first = submit(client, lan, {"lat": 16.05, "lon": 108.05, "category": "den_duong"}, key="k")

    retry = submit(client, lan, {"category": "den_duong", "lon": 108.05, "lat": 16.05}, key="k")

    assert retry.get_json()["ref"] == first.get_json()["ref"]
    assert count(session, Report) == 1


def test_same_key_with_a_different_body_is_refused_with_422(client, world, session, lan):
    submit(client, lan, report_body(at=IN_A), key="reused")

    response = submit(client, lan, report_body(at=IN_B), key="reused")

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "Idempotency-Key này đã được dùng cho một yêu cầu khác"
    assert list(error["details"]["fields"]) == ["Idempotency-Key"]
    assert count(session, Report) == 1


def test_the_same_key_from_two_citizens_files_two_reports(client, world, session, lan, minh):
    first = submit(client, lan, key="shared-key")
    second = submit(client, minh, key="shared-key")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["ref"] != second.get_json()["ref"]
    assert count(session, Report) == 2


def test_a_key_whose_first_request_was_refused_can_be_used_again(client, world, session, lan):
    refused = submit(client, lan, report_body(at=OUTSIDE), key="fix-and-retry")

    accepted = submit(client, lan, report_body(at=IN_A), key="fix-and-retry")

    assert (refused.status_code, accepted.status_code) == (422, 201)
    assert count(session, Report) == 1
