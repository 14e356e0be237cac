"""Waiting for the citizen stops the deadline clock; their answer starts it again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ioc.errors import Conflict
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.citizen_actions import add_comment
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.models import User
from ioc.feedback.sla.pauses import resume_clock
from tests.factories import make_agency, make_category, make_province_with_two_communes, make_rule

MONDAY_8AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


@pytest.fixture
def handled(session, intake):
    make_province_with_two_communes(session)
    agency = make_agency(session, "SXD")
    category = make_category(session, "den", sla_target_hours=16)
    make_rule(session, category, "P", agency)
    citizen = User(role="citizen", firebase_uid="uid-1", display_name="Lan")
    officer = User(role="agency_officer", username="canbo", agency=agency)
    session.add_all([citizen, officer])
    session.flush()
    report = submit_report(
        session,
        intake,
        category_code="den",
        lon=108.05,
        lat=16.05,
        channel="phone",
        reporter_id=citizen.id,
        received_at=MONDAY_8AM,
    )
    return report, officer, citizen


def test_asking_the_citizen_pauses_the_clock_with_a_public_question(session, handled):
    report, officer, _ = handled

    ask_citizen(session, report=report, actor=officer, question="Cột đèn số mấy?")

    assert report.paused_at is not None
    assert report.history[-1].action == "ask_citizen"
    assert report.history[-1].is_public is True


def test_asking_twice_while_waiting_is_refused(session, handled):
    report, officer, _ = handled
    ask_citizen(session, report=report, actor=officer, question="Cột đèn số mấy?")

    with pytest.raises(Conflict):
        ask_citizen(session, report=report, actor=officer, question="Còn gì nữa?")


def test_the_working_time_left_at_the_pause_is_left_after_the_answer(session, intake, handled):
    report, _, _ = handled
    calendar = intake.policy.calendar
    # 16 working hours from Monday 08:00 end Wednesday 09:00; paused at Monday 10:00 with
    # 14 working hours left, answered Thursday 08:00 — so due 14 working hours after that.
    report.paused_at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    left = calendar.working_hours_between(report.paused_at, report.due_at)
    answered = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

    resume_clock(report, intake.policy, at=answered)

    assert left == pytest.approx(14.0)
    assert report.due_at == calendar.add_working_hours(answered, 14.0)
    assert report.paused_at is None


def test_the_citizens_comment_resumes_the_clock(session, intake, handled):
    report, officer, citizen = handled
    ask_citizen(session, report=report, actor=officer, question="Cột đèn số mấy?")

    add_comment(
        session,
        report=report,
        citizen_id=citizen.id,
        text="Cột số 12",
        policy=intake.policy,
    )

    assert report.paused_at is None


def test_an_agency_cannot_pause_a_report_it_returned(session, handled):
    report, officer, _ = handled
    report.status = "returned"
    session.flush()

    with pytest.raises(Conflict):
        ask_citizen(session, report=report, actor=officer, question="Cột đèn số mấy?")
