"""Waiting for the citizen stops the deadline clock; their answer starts it again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ioc.errors import Conflict
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.lifecycle.citizen_actions import add_comment
from ioc.feedback.lifecycle.questions import ask_citizen
from ioc.feedback.lifecycle.triage import classify_report
from ioc.feedback.models import User
from ioc.feedback.sla.clock import clock_of
from ioc.feedback.sla.pauses import resume_clock
from ioc.feedback.states import Role
from tests.factories import (
    make_agency,
    make_category,
    make_province_with_two_communes,
    make_rule,
    make_user,
)

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


def test_a_report_paused_after_its_deadline_and_answered_that_evening_stays_overdue(
    session, intake, handled
):
    report, _, _ = handled
    # Due Monday 17:00; paused at 17:30, answered at 19:00: no working time stood still.
    report.due_at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    report.paused_at = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    answered = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    resume_clock(report, intake.policy, at=answered)

    assert report.due_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert clock_of(report, intake.policy, at=answered).is_overdue


def test_a_pause_over_lunch_leaves_an_evening_deadline_where_it_was(session, intake, handled):
    report, _, _ = handled
    # An extension to Monday 18:30; paused at 12:00, answered at 13:00, within the break.
    report.due_at = datetime(2026, 11, 23, 11, 30, tzinfo=UTC)
    report.paused_at = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)

    resume_clock(report, intake.policy, at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC))

    assert report.due_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("paused_at", "on_time"),
    [
        (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), True),  # at the deadline, Monday 17:00
        (datetime(2026, 11, 23, 10, 30, tzinfo=UTC), False),  # at 17:30, none of it left
    ],
)
def test_a_report_resolved_while_waiting_counts_as_it_stood_when_it_paused(
    session, intake, handled, paused_at, on_time
):
    report, officer, _ = handled
    accept_report(session, report=report, actor=officer)
    report.due_at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with time_machine.travel(paused_at, tick=False):
        ask_citizen(session, report=report, actor=officer, question="Cột đèn số mấy?")
    with time_machine.travel(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), tick=False):
        resolve_report(
            session, policy=intake.policy, report=report, actor=officer, answer="Đã thay", photos=()
        )

    assert report.resolved_on_time is on_time


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


@pytest.mark.parametrize(
    ("tier", "paused_hours", "hours_used"),
    [
        # Paused 09:00–14:00 on the wall clock: five hours.
        ("urgent", 5.0, 1.5),
        # The same pause in working hours: 09:00–11:30 and 13:30–14:00.
        ("normal", 3.0, 1.5),
    ],
)
def test_a_tier_change_counts_the_pause_in_the_new_tiers_hours(
    session, intake, tier, paused_hours, hours_used
):
    """Filed on Monday at 08:00, paused from 09:00 to 14:00, reclassified at 14:00."""
    make_province_with_two_communes(session)
    make_category(session, "khac", is_auto_dispatch=False)
    make_category(session, "khan", is_auto_dispatch=False, sla_tier="urgent")
    citizen = make_user(session, Role.CITIZEN, "lan")
    operator = make_user(session, Role.IOC_OPERATOR, "operator")
    report = submit_report(
        session,
        intake,
        category_code="khan" if tier == "normal" else "khac",
        lon=108.05,
        lat=16.05,
        channel="phone",
        reporter_id=citizen.id,
        received_at=MONDAY_8AM,
    )
    with time_machine.travel(MONDAY_8AM + timedelta(hours=1), tick=False):
        ask_citizen(session, report=report, actor=operator, question="Ở số nhà nào?")
    with time_machine.travel(MONDAY_8AM + timedelta(hours=6), tick=False):
        add_comment(
            session, report=report, citizen_id=citizen.id, text="Số 12", policy=intake.policy
        )
        classify_report(session, policy=intake.policy, report=report, actor=operator, tier=tier)

    target = intake.policy.receipt_target(tier)
    clock = clock_of(report, intake.policy, at=MONDAY_8AM + timedelta(hours=6, minutes=30))
    assert report.paused_hours == pytest.approx(paused_hours)
    assert clock.used_hours == pytest.approx(hours_used)
    assert clock.left_hours == pytest.approx(target - hours_used)
