"""Following reports: my reports page by page, one report's detail, and open reports nearby."""

from __future__ import annotations

import pytest

from tests.factories import make_photo
from tests.mobile_api.helpers import (
    API,
    IN_A,
    IN_B,
    filed,
    mark_resolved,
    report_body,
    report_of,
)

# --- GET reports/mine ----------------------------------------------------------------------


def _mine(client, citizen, **query):
    return client.get(f"{API}/reports/mine", query_string=query, headers=citizen.headers)


def test_my_reports_pages_through_every_report_newest_first(client, world, lan):
    refs = [filed(client, lan) for _ in range(5)]

    pages, cursor = [], None
    while True:
        query = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        body = _mine(client, lan, **query).get_json()
        pages.append([item["ref"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [ref for page in pages for ref in page] == refs[::-1]


def test_the_last_full_page_has_no_next_cursor(client, world, lan):
    for _ in range(2):
        filed(client, lan)

    body = _mine(client, lan, limit=2).get_json()

    assert len(body["items"]) == 2
    assert body["next_cursor"] is None


def test_my_reports_lists_only_my_own_reports(client, world, lan, minh):
    mine = filed(client, lan)
    filed(client, minh)

    items = _mine(client, lan).get_json()["items"]

    assert [item["ref"] for item in items] == [mine]


def test_my_reports_summarise_status_category_and_deadline(client, world, lan):
    ref = filed(client, lan, report_body(at=IN_B, address="12 Lê Lợi"))

    item = _mine(client, lan).get_json()["items"][0]

    assert item["ref"] == ref
    assert (item["status"], item["status_label"]) == ("assigned", "chờ xử lý")
    assert item["category"] == {"code": "den_duong", "name": "Đèn đường"}
    assert item["address"] == "12 Lê Lợi"
    assert item["deadline"].endswith("+07:00")
    assert "reporter" not in item


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 101}, {"cursor": "abc"}])
def test_a_bad_page_query_is_refused_with_422(client, world, lan, query):
    response = _mine(client, lan, **query)

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_input"


# --- GET reports/{ref} ---------------------------------------------------------------------


def _show(client, citizen, ref, **headers):
    return client.get(f"{API}/reports/{ref}", headers={**citizen.headers, **headers})


def test_a_new_report_shows_its_status_agency_deadline_and_public_timeline(client, world, lan):
    submitted = client.post(
        f"{API}/reports",
        json=report_body(at=IN_B),
        headers={**lan.headers, "Idempotency-Key": "k-1"},
    ).get_json()

    body = _show(client, lan, submitted["ref"]).get_json()

    assert body["status"] == "assigned"
    assert body["handled_by"]["code"] == "SXD"
    assert body["supporting_agencies"] == [{"code": "DIEN-LUC", "name": "Công ty Điện lực"}]
    assert body["deadline"] == submitted["deadline"]
    assert [(e["action"], e["status"], e["status_label"]) for e in body["timeline"]] == [
        ("submitted", "assigned", "chờ xử lý")
    ]
    assert (body["result"], body["rating"]) == (None, None)


def test_status_labels_are_english_with_accept_language_en(client, world, lan):
    ref = filed(client, lan)

    body = _show(client, lan, ref, **{"Accept-Language": "en"}).get_json()

    assert body["status_label"] == "assigned"
    assert body["timeline"][0]["status_label"] == "assigned"


def test_a_resolved_report_shows_the_result_and_the_after_photos(client, world, session, lan):
    ref = filed(client, lan)
    mark_resolved(session, ref, "Đã thay bóng đèn")
    report = report_of(session, ref)
    for key, hidden in (("after/ok.jpg", False), ("after/hidden.jpg", True)):
        report.attachments.append(
            make_photo(
                key, purpose="after", hidden=hidden, thumbnail_key=key.replace(".jpg", "-t.jpg")
            )
        )
    session.flush()

    body = _show(client, lan, ref).get_json()

    assert body["status"] == "resolved"
    assert body["result"]["text"] == "Đã thay bóng đèn"
    assert body["result"]["resolved_at"]
    assert body["result"]["photos"] == [
        {
            "url": "http://localhost/media/after/ok.jpg",
            "thumbnail_url": "http://localhost/media/after/ok-t.jpg",
        }
    ]
    assert body["photos"] == []  # "before" photos are the citizen's only


def test_an_unknown_ref_is_404_with_a_json_error(client, world, lan):
    response = _show(client, lan, "PA0000-NOPE00")

    assert response.status_code == 404
    assert response.get_json()["error"] == {
        "code": "not_found",
        "message": "Không tìm thấy phản ánh",
    }


def test_showing_a_report_needs_a_token(client, world, lan):
    ref = filed(client, lan)

    assert client.get(f"{API}/reports/{ref}").status_code == 401


# --- GET reports/nearby --------------------------------------------------------------------

HERE = IN_A
ABOUT_3_M_NORTH = (IN_A[0], IN_A[1] + 0.00003)
ABOUT_10_M_NORTH = (IN_A[0], IN_A[1] + 0.00009)
ABOUT_500_M_EAST = (IN_A[0] + 0.0047, IN_A[1])


def _nearby(client, citizen, category="den_duong", at=HERE):
    return client.get(
        f"{API}/reports/nearby",
        query_string={"lon": at[0], "lat": at[1], "category": category},
        headers=citizen.headers,
    )


def test_nearby_lists_open_reports_within_the_radius_nearest_first(client, world, lan, minh):
    ten = filed(client, lan, report_body(at=ABOUT_10_M_NORTH))
    three = filed(client, lan, report_body(at=ABOUT_3_M_NORTH))
    filed(client, lan, report_body(at=ABOUT_500_M_EAST))

    body = _nearby(client, minh).get_json()

    assert [item["ref"] for item in body["items"]] == [three, ten]
    distances = [item["distance_m"] for item in body["items"]]
    assert 0 <= distances[0] < distances[1] <= 50
    assert distances == pytest.approx([3.3, 10.0], abs=0.5)
    assert body["radius_m"] == 50


def test_nearby_leaves_out_closed_and_resolved_reports(client, world, session, lan, minh):
    closed = filed(client, lan, report_body(at=ABOUT_3_M_NORTH))
    resolved = filed(client, lan, report_body(at=ABOUT_3_M_NORTH))
    still_open = filed(client, lan, report_body(at=ABOUT_10_M_NORTH))
    report_of(session, closed).status = "closed"
    session.flush()
    mark_resolved(session, resolved)

    body = _nearby(client, minh).get_json()

    assert [item["ref"] for item in body["items"]] == [still_open]


def test_nearby_leaves_out_other_categories(client, world, lan, minh):
    filed(client, lan, report_body(at=ABOUT_3_M_NORTH))

    body = _nearby(client, minh, category="cay_xanh").get_json()

    assert body["items"] == []


def test_nearby_of_an_unknown_category_is_404(client, world, minh):
    response = _nearby(client, minh, category="khong_co")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [{"lon": 108.05, "lat": 16.05}, {"lon": "x", "lat": 16.05, "category": "den_duong"}],
    ids=["no-category", "bad-lon"],
)
def test_a_bad_nearby_query_is_refused_with_422(client, world, minh, query):
    response = client.get(f"{API}/reports/nearby", query_string=query, headers=minh.headers)

    assert response.status_code == 422
