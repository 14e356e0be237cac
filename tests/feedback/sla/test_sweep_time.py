"""What time alone does through the sweep: paused reports are never announced, a pause
ends at the policy's limit, and resolved reports nobody rated close after ten working days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.agency_work import accept_report, resolve_report
from ioc.feedback.lifecycle.citizen_actions import Rating, rate_report
from ioc.feedback.models import User
from ioc.feedback.sla.pauses import pause_clock
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import ReportStatus, Role
from tests.factories import (
    make_agency,
    make_category,
    make_province_with_two_communes,
    make_rule,
    make_user,
)

# Monday 2026-11-23 08:00 in Vietnam.
MONDAY_8AM = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def officer(session) -> User:
    make_province_with_two_communes(session)
    category = make_category(session, "den", sla_target_hours=8)
    agency = make_agency(session, "SXD")
    make_rule(session, category, "P", agency)
    return make_user(session, Role.AGENCY_OFFICER, "sxd.canbo", agency)


@pytest.fixture
def assigned(session, intake, officer):
    citizen = make_user(session, Role.CITIZEN, "lan")
    return submit_report(
        session,
        intake,
        category_code="den",
        lon=108.05,
        lat=16.05,
        channel="phone",
        received_at=MONDAY_8AM,
        reporter_id=citizen.id,
    )


def _events(session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.type == kind)))


def test_a_paused_report_is_never_announced_however_late(session, intake, assigned):
    pause_clock(assigned, at=MONDAY_8AM + timedelta(hours=1))
    # Tuesday 16:00: the deadline (Tuesday 08:30) has passed, the pause limit has not.
    tuesday = MONDAY_8AM + timedelta(days=1, hours=8)

    result = sweep_deadlines(session, intake.policy, now=tuesday)

    assert result.is_empty
    assert (assigned.overdue_announced_at, assigned.due_soon_announced_at) == (None, None)
    assert _events(session, "report.overdue") == _events(session, "report.deadline_due") == []


def test_a_pause_past_the_limit_resumes_at_the_limit_with_the_time_that_was_left(
    session, intake, assigned
):
    calendar = intake.policy.calendar
    paused_at = MONDAY_8AM + timedelta(hours=1)  # one working hour used, seven left
    pause_clock(assigned, at=paused_at)
    limit = calendar.add_working_hours(paused_at, intake.policy.rules.pauses.max_working_hours)

    early = sweep_deadlines(session, intake.policy, now=limit - timedelta(minutes=1))
    late = sweep_deadlines(session, intake.policy, now=limit + timedelta(minutes=1))

    assert early.resumed == []
    assert late.resumed == [assigned.ref]
    assert assigned.paused_at is None
    assert assigned.due_at == calendar.add_working_hours(limit, 7)
    assert assigned.paused_hours == pytest.approx(40.0)
    [expired] = [h for h in assigned.history if h.action == "pause_expired"]
    assert (expired.occurred_at, expired.is_public) == (limit, True)


def _resolve(session, intake, report, officer, at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        accept_report(session, report=report, actor=officer)
        resolve_report(
            session,
            policy=intake.policy,
            report=report,
            actor=officer,
            answer="Đã thay bóng",
            photos=[],
        )


def test_a_resolved_report_nobody_rates_closes_after_ten_working_days(
    session, intake, assigned, officer
):
    resolved_at = MONDAY_8AM + timedelta(hours=2)
    _resolve(session, intake, assigned, officer, resolved_at)
    closes_at = intake.policy.calendar.add_working_days(resolved_at, 10)

    early = sweep_deadlines(session, intake.policy, now=closes_at - timedelta(minutes=1))
    late = sweep_deadlines(session, intake.policy, now=closes_at + timedelta(hours=3))

    assert (early.closed, late.closed) == ([], [assigned.ref])
    assert (assigned.status, assigned.closed_at) == (ReportStatus.CLOSED, closes_at)
    # Ten working days from a Monday: the Monday two weeks later, same time of day.
    assert closes_at == resolved_at + timedelta(days=14)
    assert [h.action for h in assigned.history][-1] == "auto_closed"
    [event] = _events(session, "report.closed")
    assert event.payload["reason"] == "not_rated"


def test_a_report_the_citizen_rated_unsatisfied_waits_for_the_ioc(
    session, intake, assigned, officer
):
    resolved_at = MONDAY_8AM + timedelta(hours=2)
    _resolve(session, intake, assigned, officer, resolved_at)
    rate_report(
        session,
        report=assigned,
        citizen_id=assigned.reporter_id,
        rating=Rating.UNSATISFIED,
        comment=None,
    )

    result = sweep_deadlines(session, intake.policy, now=resolved_at + timedelta(days=60))

    assert result.closed == []
    assert assigned.status == ReportStatus.RESOLVED
