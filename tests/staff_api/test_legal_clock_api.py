"""The legal clock through the staff APIs: what operators and agencies see and may do as the
deadline rules of docs/workflow.md play out (returns, pauses, reopen limits, closing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from ioc.feedback.lifecycle import agency_work, citizen_actions
from ioc.feedback.lifecycle.citizen_actions import Rating
from ioc.feedback.report_models import ReportReturn
from tests.staff_api.conftest import World

OPS = "/api/ops/v1"
AGENCY = "/api/agency/v1"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
#: Wednesday morning, well clear of weekends and holidays.
WEDNESDAY_9AM = datetime(2026, 3, 11, 9, 0, tzinfo=VN)


def ops(client, world: World, method: str, path: str, json=None, who="ioc_operator"):
    return client.open(f"{OPS}{path}", method=method, headers=world.headers[who], json=json)


def agency(client, world: World, method: str, path: str, json=None, who="sxd_officer"):
    return client.open(f"{AGENCY}{path}", method=method, headers=world.headers[who], json=json)


def test_a_second_reopen_answers_409_naming_the_limit(client, world):
    report = world.rated_unsatisfied("SXD")
    path = f"/reports/{report.ref}/reopen"
    assert ops(client, world, "POST", path, {"reason": "Đèn vẫn hỏng"}).status_code == 200
    world.session.expire_all()
    officer = world.officer_of("SXD")
    agency_work.accept_report(world.session, report=report, actor=officer)
    agency_work.resolve_report(
        world.session,
        policy=world.intake.policy,
        report=report,
        actor=officer,
        answer="Đã thay lại",
        photos=[],
    )
    citizen_actions.rate_report(
        world.session,
        report=report,
        citizen_id=world.reporter.id,
        rating=Rating.UNSATISFIED,
        comment="Vẫn chưa sáng",
    )
    world.session.flush()

    response = ops(client, world, "POST", path, {"reason": "Lần nữa"})

    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["details"]["limit"] == 1
    assert error["details"]["reopened"] == 1
    assert error["message"].startswith("Phản ánh đã được mở lại đủ số lần cho phép")
    assert world.refresh(report).status == "resolved"


def test_declining_a_reopening_closes_the_report_with_a_public_reason(client, world):
    report = world.rated_unsatisfied("SXD")

    response = ops(
        client,
        world,
        "POST",
        f"/reports/{report.ref}/decline-reopen",
        {"reason": "Đèn đã được kiểm tra lại, hoạt động bình thường"},
    )

    assert response.status_code == 200
    assert response.get_json()["status"] == "closed"
    citizen = client.get(f"/api/mobile/v1/reports/{report.ref}", headers=world.headers["citizen"])
    notes = [entry["note"] for entry in citizen.get_json()["timeline"]]
    assert "Đèn đã được kiểm tra lại, hoạt động bình thường" in notes


def test_the_ioc_may_close_a_resolved_report_that_nobody_rated(client, world):
    report = world.resolved("SXD")

    response = ops(client, world, "POST", f"/reports/{report.ref}/close", {"note": "Đã xong"})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["clock"]["kind"]) == ("closed", "none")


def test_the_returning_agency_gets_404_for_the_report_right_after_returning_it(client, world):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        report = world.in_progress("SXD")
    returned_at = WEDNESDAY_9AM + timedelta(hours=2)

    with time_machine.travel(returned_at, tick=False):
        answer = agency(
            client, world, "POST", f"/reports/{report.ref}/return", {"reason": "Không phải việc"}
        )
        again = agency(client, world, "GET", f"/reports/{report.ref}")
        inbox = agency(client, world, "GET", "/inbox").get_json()["items"]
        seen_by_ioc = ops(client, world, "GET", f"/reports/{report.ref}").get_json()

    assert answer.status_code == 200
    assert again.status_code == 404
    assert report.ref not in [item["ref"] for item in inbox]
    # The IOC has it again, with a fresh receipt clock of 8 working hours from the return.
    assert (seen_by_ioc["status"], seen_by_ioc["lead_agency"]) == ("returned", None)
    clock = seen_by_ioc["clock"]
    expected = world.intake.policy.calendar.add_working_hours(returned_at, 8)
    assert clock["kind"] == "receipt"
    assert datetime.fromisoformat(clock["deadline"]) == expected
    assert clock["is_overdue"] is False
    # The time the citizen lost with the wrong agency is recorded against it.
    [held] = world.session.query(ReportReturn).filter_by(report_id=report.id).all()
    assert (held.agency_id, held.hours_held) == (world.sxd.id, 2.0)


def test_returns_count_against_the_agency_in_the_statistics(client, world):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        report = world.in_progress("SXD")
    with time_machine.travel(WEDNESDAY_9AM + timedelta(hours=1), tick=False):
        agency(client, world, "POST", f"/reports/{report.ref}/return", {"reason": "Sai"})
        figures = ops(
            client, world, "GET", "/statistics?group_by=agency&since=2026-03-01&until=2026-03-31"
        ).get_json()["items"]

    sxd = next(row for row in figures if row["key"] == "SXD")
    assert (sxd["returned"], sxd["returned_working_hours"]) == (1, 1.0)


def test_a_report_held_past_the_return_window_cannot_be_returned(client, world):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        report = world.in_progress("SXD")
    # Eight working hours after assignment is Thursday 09:30: the window has closed.
    with time_machine.travel(WEDNESDAY_9AM + timedelta(days=1, hours=1), tick=False):
        world.sign_in_again()
        response = agency(
            client, world, "POST", f"/reports/{report.ref}/return", {"reason": "Muộn"}
        )

    assert response.status_code == 409
    assert response.get_json()["error"]["details"]["limit_working_hours"] == 8
    assert world.refresh(report).status == "in_progress"


def test_a_paused_report_is_neither_due_soon_nor_overdue_long_after_its_deadline(client, world):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        report = world.in_progress("SXD")
        asked = agency(
            client,
            world,
            "POST",
            f"/reports/{report.ref}/ask-citizen",
            {"question": "Cột đèn số mấy?"},
        )
    assert asked.status_code == 200

    with time_machine.travel(WEDNESDAY_9AM + timedelta(days=30), tick=False):
        world.sign_in_again()
        seen = ops(client, world, "GET", f"/reports/{report.ref}").get_json()
        inbox = agency(client, world, "GET", "/inbox").get_json()["items"]

    assert seen["clock"]["kind"] == "paused"
    assert seen["clock"]["paused"] == "resolution"
    assert (seen["clock"]["is_overdue"], seen["clock"]["is_due_soon"]) == (False, False)
    assert seen["clock"]["deadline"] is None
    assert seen["is_overdue"] is False
    [listed] = [item for item in inbox if item["ref"] == report.ref]
    assert listed["clock"]["kind"] == "paused"


def test_an_urgent_report_waiting_for_triage_has_two_wall_clock_hours(client, world):
    friday_evening = datetime(2026, 3, 13, 20, 0, tzinfo=VN)
    with time_machine.travel(friday_evening, tick=False):
        world.sign_in_again()
        report = world.new_report(world.potholes)
        world.session.flush()
        clock = ops(client, world, "GET", f"/reports/{report.ref}").get_json()["clock"]

    assert clock["kind"] == "receipt"
    assert clock["hours"] == "wall"
    assert datetime.fromisoformat(clock["deadline"]) == friday_evening + timedelta(hours=2)


def test_classifying_a_report_as_urgent_shortens_its_receipt_clock(client, world):
    with time_machine.travel(WEDNESDAY_9AM, tick=False):
        report = world.new_report()
        world.session.flush()
    with time_machine.travel(WEDNESDAY_9AM + timedelta(minutes=30), tick=False):
        response = ops(client, world, "POST", f"/reports/{report.ref}/classify", {"tier": "urgent"})

    assert response.status_code == 200
    clock = response.get_json()["clock"]
    assert datetime.fromisoformat(clock["deadline"]) == WEDNESDAY_9AM + timedelta(hours=2)
    assert clock["hours"] == "wall"
