"""The IOC operations API (/api/ops/v1): the queue, triage, assignment and supervision."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ioc.db import utcnow
from ioc.feedback.citizen_models import ReportFollower
from ioc.feedback.lifecycle import agency_work, citizen_actions
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.models import User
from tests.factories import make_agency
from tests.staff_api.conftest import REPORTER_NAME, REPORTER_PHONE, World, past

OPS = "/api/ops/v1"
TRIAGE_ACTIONS = ["verify", "classify", "assign", "reject", "mark_duplicate"]


def as_operator(client, world: World, method: str, path: str, json=None, who="ioc_operator"):
    return client.open(f"{OPS}{path}", method=method, headers=world.headers[who], json=json)


def citizen_view(client, world: World, ref: str) -> dict:
    response = client.get(f"/api/mobile/v1/reports/{ref}", headers=world.headers["citizen"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def make_citizen(world: World, uid: str) -> User:
    citizen = User(role="citizen", firebase_uid=uid, display_name=f"Dân {uid}")
    world.session.add(citizen)
    world.session.flush()
    return citizen


# ---- the queue and the report ----


def test_queue_lists_new_and_returned_reports_oldest_first_with_receipt_deadline(client, world):
    newest = world.new_report(received_at=past(hours=1))
    oldest = world.new_report(received_at=past(hours=30))
    returned = world.assigned("SXD")
    returned.received_at = past(hours=5)
    agency_work.return_report(
        world.session,
        policy=world.intake.policy,
        report=returned,
        actor=world.users["sxd_officer"],
        reason="Không phải việc",
    )
    world.assigned("MTDT")
    world.in_progress("SXD")
    world.rejected()
    world.session.flush()

    response = as_operator(client, world, "GET", "/queue")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["ref"] for i in items] == [oldest.ref, returned.ref, newest.ref]
    assert [i["status"] for i in items] == ["pending_review", "returned", "pending_review"]
    for item, report in zip(items, [oldest, returned, newest], strict=True):
        assert datetime.fromisoformat(item["receipt_due_at"]) == report.receipt_due_at


def test_queue_limit_is_checked(client, world):
    for _ in range(3):
        world.new_report()

    assert len(as_operator(client, world, "GET", "/queue?limit=2").get_json()["items"]) == 2
    assert as_operator(client, world, "GET", "/queue?limit=0").status_code == 422
    assert as_operator(client, world, "GET", "/queue?limit=201").status_code == 422


def test_report_detail_shows_operators_the_reporter(client, world):
    report = world.new_report()

    response = as_operator(client, world, "GET", f"/reports/{report.ref}", who="ioc_operator")

    assert response.status_code == 200
    body = response.get_json()
    assert body["reporter"] == {"name": REPORTER_NAME, "phone": REPORTER_PHONE, "email": None}
    assert body["status"] == "pending_review"
    # Leadership reads the case, not who filed it (IOC_VIEWERS_SEE_REPORTERS is off).
    viewer = as_operator(client, world, "GET", f"/reports/{report.ref}", who="viewer")
    assert viewer.get_json()["reporter"] is None
    allowed = as_operator(client, world, "GET", f"/reports/{report.ref}").get_json()[
        "allowed_actions"
    ]
    assert set(TRIAGE_ACTIONS) <= set(allowed)
    assert not {"accept", "resolve", "reopen", "approve_extension"} & set(allowed)


def test_viewer_reads_a_report_but_may_take_no_action(client, world):
    report = world.new_report()

    body = as_operator(client, world, "GET", f"/reports/{report.ref}", who="viewer").get_json()

    assert body["allowed_actions"] == []


def test_agencies_lists_the_active_ones_by_code(client, world):
    make_agency(world.session, "CU", name_vi="Đơn vị đã giải thể", is_active=False)

    response = as_operator(client, world, "GET", "/agencies")

    assert response.status_code == 200
    assert response.get_json()["items"] == [
        {"code": "CA", "name": "Công an tỉnh", "area_code": "P"},
        {"code": "MTDT", "name": "Công ty Môi trường Đô thị", "area_code": "P"},
        {"code": "SXD", "name": "Sở Xây dựng", "area_code": "P"},
    ]


# ---- triage ----


def test_verify_records_an_internal_note_the_citizen_does_not_see(client, world):
    report = world.new_report()

    response = as_operator(
        client, world, "POST", f"/reports/{report.ref}/verify", {"note": "Gọi lại xác nhận"}
    )

    assert response.status_code == 200
    entry = response.get_json()["timeline"][-1]
    assert (entry["action"], entry["note"], entry["is_public"]) == (
        "verify",
        "Gọi lại xác nhận",
        False,
    )
    assert "verify" not in [
        e["action"] for e in citizen_view(client, world, report.ref)["timeline"]
    ]


def test_classify_changes_the_category_and_takes_its_tier(client, world):
    report = world.new_report(world.lighting)

    response = as_operator(
        client, world, "POST", f"/reports/{report.ref}/classify", {"category": "o_ga"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["category"]["code"] == "o_ga"
    assert body["sla_tier"] == "urgent"
    assert body["status"] == "pending_review"
    assert body["timeline"][-1]["note"] == "den_duong → o_ga"


def test_classify_can_set_the_tier_alone(client, world):
    report = world.new_report(world.lighting)

    response = as_operator(
        client, world, "POST", f"/reports/{report.ref}/classify", {"tier": "complex"}
    )

    assert response.status_code == 200
    assert response.get_json()["sla_tier"] == "complex"
    assert world.refresh(report).category_id == world.lighting.id


@pytest.mark.parametrize(
    ("body", "field"),
    [({"category": "khong_co"}, "category"), ({"tier": "someday"}, "tier")],
    ids=["unknown-category", "unknown-tier"],
)
def test_classify_refuses_what_does_not_exist(client, world, body, field):
    report = world.new_report()

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/classify", body)

    assert response.status_code == 422
    assert field in str(response.get_json()["error"])
    assert world.refresh(report).sla_tier == "normal"


def test_assign_sets_the_lead_the_supporting_agencies_and_the_deadline(client, world):
    report = world.new_report()

    response = as_operator(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/assign",
        {"agency": "SXD", "supporting": ["MTDT", "CA"]},
    )

    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "assigned"
    assert body["lead_agency"] == {"code": "SXD", "name": "Sở Xây dựng"}
    assert {a["code"] for a in body["supporting_agencies"]} == {"CA", "MTDT"}
    assert datetime.fromisoformat(body["due_at"]) > datetime.fromisoformat(body["received_at"])
    stored = world.refresh(report)
    assert stored.lead_agency_id == world.sxd.id
    assert stored.due_at is not None
    assert {a.code for a in stored.supporting_agencies} == {"CA", "MTDT"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agency": "KHONG-CO"}, "agency"),
        ({"agency": "SXD", "supporting": ["KHONG-CO"]}, "supporting"),
        ({"agency": "SXD", "supporting": ["SXD"]}, "supporting"),
    ],
    ids=["unknown-lead", "unknown-supporting", "lead-also-supporting"],
)
def test_assign_refuses_agencies_that_cannot_take_it_naming_the_field(client, world, body, field):
    report = world.new_report()

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/assign", body)

    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["fields"]
    stored = world.refresh(report)
    assert (stored.status, stored.lead_agency_id) == ("pending_review", None)


def test_assign_without_an_agency_is_refused(client, world):
    report = world.new_report()

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/assign", {})

    assert response.status_code == 422
    assert world.refresh(report).status == "pending_review"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}], ids=repr)
def test_reject_needs_a_reason(client, world, body):
    report = world.new_report()

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/reject", body)

    assert response.status_code == 422
    assert world.refresh(report).status == "pending_review"


def test_the_rejection_reason_is_public_in_the_citizens_timeline(client, world):
    report = world.new_report()

    response = as_operator(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/reject",
        {"reason": "Vị trí thuộc khu vực tư nhân quản lý"},
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "rejected"
    seen = citizen_view(client, world, report.ref)
    assert seen["status"] == "rejected"
    last = seen["timeline"][-1]
    assert (last["action"], last["status"], last["note"]) == (
        "reject",
        "rejected",
        "Vị trí thuộc khu vực tư nhân quản lý",
    )
    assert world.refresh(report).closed_at is not None


def test_marking_a_duplicate_moves_its_followers_and_their_support(client, world):
    first_reporter = make_citizen(world, "uid-first")
    supporter = make_citizen(world, "uid-supporter")
    original = world.new_report(reporter=first_reporter)
    duplicate = world.new_report()  # filed by world.reporter, who follows it
    citizen_actions.support_report(world.session, report=duplicate, citizen_id=supporter.id)
    citizen_actions.support_report(world.session, report=duplicate, citizen_id=first_reporter.id)
    world.session.flush()

    response = as_operator(
        client, world, "POST", f"/reports/{duplicate.ref}/duplicate", {"of": original.ref}
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "duplicate"
    world.session.expire_all()
    followers = set(
        world.session.scalars(
            select(ReportFollower.user_id).where(ReportFollower.report_id == original.id)
        )
    )
    assert followers == {first_reporter.id, world.reporter.id, supporter.id}
    # first_reporter already followed the original: counted once.
    assert world.refresh(original).support_count == 2
    assert world.refresh(duplicate).duplicate_of_id == original.id
    assert citizen_view(client, world, duplicate.ref)["timeline"][-1]["note"] == original.ref


def test_a_duplicate_of_itself_an_unknown_or_a_rejected_report_is_refused(client, world):
    report, rejected = world.new_report(), world.rejected()

    for of in (report.ref, "PA2501-ZZZZZZ", rejected.ref):
        response = as_operator(
            client, world, "POST", f"/reports/{report.ref}/duplicate", {"of": of}
        )

        assert response.status_code == 422, of
        assert response.get_json()["error"]["details"]["fields"] == {"of": of}
    assert world.refresh(report).status == "pending_review"


# ---- illegal transitions ----

# (what the report is, the request, actions the operator must be told are allowed)
ILLEGAL = [
    pytest.param(
        "assigned",
        "reject",
        {"reason": "Sai"},
        ["ask_citizen"],
        "ioc_operator",
        id="reject-assigned",
    ),
    pytest.param(
        "in_progress",
        "assign",
        {"agency": "MTDT"},
        ["approve_extension", "deny_extension"],
        "ioc_supervisor",
        id="assign-in-progress",
    ),
    pytest.param("rejected", "verify", {}, [], "ioc_operator", id="verify-rejected"),
    pytest.param(
        "pending",
        "reopen",
        {"reason": "Mở lại"},
        TRIAGE_ACTIONS,
        "ioc_operator",
        id="reopen-pending",
    ),
    pytest.param(
        "pending",
        "extension",
        {"approve": True},
        TRIAGE_ACTIONS,
        "ioc_supervisor",
        id="extension-decision-pending",
    ),
]


@pytest.mark.parametrize(("state", "action", "body", "allowed", "who"), ILLEGAL)
def test_an_illegal_transition_answers_409_with_the_allowed_actions(
    client, world, state, action, body, allowed, who
):
    report = {
        "pending": world.new_report,
        "assigned": world.assigned,
        "in_progress": world.in_progress,
        "rejected": world.rejected,
    }[state]()
    world.session.flush()
    status_before = report.status

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/{action}", body, who)

    assert response.status_code == 409, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["details"]["status"] == status_before
    told = error["details"]["allowed"]
    assert set(allowed) <= set(told)
    assert error["details"]["action"] not in told
    # The same list the report's detail offers to this operator.
    shown = as_operator(client, world, "GET", f"/reports/{report.ref}", who=who).get_json()
    assert told == shown["allowed_actions"]
    assert world.refresh(report).status == status_before


# ---- supervision ----


def test_approving_an_extension_moves_the_deadline(client, world):
    report = world.with_extension_request("SXD")
    until = report.due_at + timedelta(days=3)

    response = as_operator(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/extension",
        {"approve": True, "note": "Đồng ý"},
        who="ioc_supervisor",
    )

    assert response.status_code == 200
    body = response.get_json()
    assert datetime.fromisoformat(body["due_at"]) == until
    [request] = body["extension_requests"]
    assert (request["decision"], request["decision_note"]) == ("approved", "Đồng ý")
    assert world.refresh(report).due_at == until


def test_denying_an_extension_keeps_the_deadline(client, world):
    report = world.with_extension_request("SXD")
    due = report.due_at

    response = as_operator(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/extension",
        {"approve": False},
        who="ioc_supervisor",
    )

    assert response.status_code == 200
    assert response.get_json()["extension_requests"][0]["decision"] == "denied"
    assert world.refresh(report).due_at == due


def test_an_extension_is_decided_once(client, world):
    report = world.with_extension_request("SXD")
    path = f"/reports/{report.ref}/extension"

    first = as_operator(client, world, "POST", path, {"approve": False}, "ioc_supervisor")
    assert first.status_code == 200
    second = as_operator(client, world, "POST", path, {"approve": True}, "ioc_supervisor")

    assert second.status_code == 409
    assert world.refresh(report).due_at == report.due_at


def test_an_operator_cannot_decide_extensions_under_the_shipped_policy(client, world):
    report = world.with_extension_request("SXD")
    due = report.due_at

    response = as_operator(
        client, world, "POST", f"/reports/{report.ref}/extension", {"approve": True}
    )

    assert response.status_code == 403
    assert response.get_json()["error"]["details"]["roles"] == ["admin", "ioc_supervisor"]
    assert world.refresh(report).due_at == due


def test_reopen_after_an_unsatisfied_rating_assigns_it_again_with_a_new_deadline(client, world):
    report = world.rated_unsatisfied("SXD")
    report.due_at = past(hours=48)
    world.session.flush()

    response = as_operator(
        client, world, "POST", f"/reports/{report.ref}/reopen", {"reason": "Đèn vẫn hỏng"}
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["rating"], body["lead_agency"]["code"]) == (
        "assigned",
        None,
        "SXD",
    )
    stored = world.refresh(report)
    assert stored.resolved_at is None
    assert stored.due_at > utcnow()


def test_reopen_needs_a_reason(client, world):
    report = world.rated_unsatisfied("SXD")

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/reopen", {})

    assert response.status_code == 422
    assert world.refresh(report).status == "resolved"


@pytest.mark.parametrize("rating", [None, Rating.SATISFIED], ids=["unrated", "satisfied"])
def test_only_an_unsatisfied_rating_can_be_reopened(client, world, rating):
    report = world.resolved("SXD")
    if rating is not None:
        citizen_actions.rate_report(
            world.session, report=report, citizen_id=world.reporter.id, rating=rating, comment=None
        )
        world.session.flush()
    status = report.status

    response = as_operator(client, world, "POST", f"/reports/{report.ref}/reopen", {"reason": "?"})

    assert response.status_code == 409
    assert world.refresh(report).status == status


def test_an_unknown_ref_is_404_for_every_action(client, world):
    for action, body in [
        ("verify", {}),
        ("classify", {"tier": "urgent"}),
        ("assign", {"agency": "SXD"}),
        ("reject", {"reason": "x"}),
        ("duplicate", {"of": "PA2501-AAAAAA"}),
        ("extension", {"approve": True}),
        ("reopen", {"reason": "x"}),
    ]:
        response = as_operator(client, world, "POST", f"/reports/PA2501-ZZZZZZ/{action}", body)

        assert response.status_code == 404, action


def test_reclassifying_a_report_changes_the_suggested_assignment(client, world):
    """Lighting goes to SXD alone; potholes to SXD supported by MTDT."""
    report = world.new_report(world.lighting)
    before = as_operator(client, world, "GET", f"/reports/{report.ref}").get_json()

    after = as_operator(
        client, world, "POST", f"/reports/{report.ref}/classify", {"category": "o_ga"}
    ).get_json()

    assert before["suggested_assignment"] == {
        "agency": {"code": "SXD", "name": "Sở Xây dựng"},
        "supporting": [],
    }
    assert after["suggested_assignment"]["supporting"] == [
        {"code": "MTDT", "name": "Công ty Môi trường Đô thị"}
    ]
