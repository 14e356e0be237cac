"""The SLA sweep raises each deadline notice once, escalates overdue reports, and starts
afresh when the deadline moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ioc.events.models import Event
from ioc.feedback.intake.filing import submit_report
from ioc.feedback.lifecycle.triage import classify_report
from ioc.feedback.sla.deadlines import restart_deadline_notices
from ioc.feedback.sla.sweep import sweep_deadlines
from ioc.feedback.states import Role
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
def assigned(session, intake):
    make_province_with_two_communes(session)
    category = make_category(session, "den", sla_target_hours=8)
    make_rule(session, category, "P", make_agency(session, "SXD"))
    return submit_report(
        session,
        intake,
        category_code="den",
        lon=108.05,
        lat=16.05,
        channel="phone",
        received_at=MONDAY_8AM,
    )


def _events(session, kind: str) -> list[Event]:
    return session.scalars(select(Event).where(Event.type == kind)).all()


def test_an_overdue_report_is_announced_and_escalated_once(session, intake, assigned):
    late = assigned.due_at + timedelta(minutes=1)

    first = sweep_deadlines(session, intake.policy, now=late)
    second = sweep_deadlines(session, intake.policy, now=late + timedelta(hours=1))

    assert first.overdue == [assigned.ref]
    assert second.overdue == []
    [event] = _events(session, "report.overdue")
    assert event.payload["escalate_to"] == "ioc_supervisor"
    assert event.payload["clock"] == "resolution"
    assert [h.action for h in assigned.history][-1] == "escalated"
    assert assigned.history[-1].is_public is False


def test_a_deadline_four_working_hours_away_is_announced_once_as_due_soon(
    session, intake, assigned
):
    # 8 working hours from Monday 08:00 end Tuesday 08:30; Monday 17:00 leaves 1 hour.
    evening = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    first = sweep_deadlines(session, intake.policy, now=evening)
    second = sweep_deadlines(session, intake.policy, now=evening + timedelta(minutes=5))

    assert first.due_soon == [assigned.ref]
    assert second.due_soon == []
    assert len(_events(session, "report.deadline_due")) == 1


def test_nothing_is_announced_while_plenty_of_working_time_is_left(session, intake, assigned):
    result = sweep_deadlines(session, intake.policy, now=MONDAY_8AM + timedelta(minutes=30))

    assert result.due_soon == []
    assert result.overdue == []


def test_a_moved_deadline_is_announced_again_when_it_passes(session, intake, assigned):
    sweep_deadlines(session, intake.policy, now=assigned.due_at + timedelta(minutes=1))
    assigned.due_at = assigned.due_at + timedelta(days=7)
    restart_deadline_notices(assigned)

    result = sweep_deadlines(session, intake.policy, now=assigned.due_at + timedelta(minutes=1))

    assert result.overdue == [assigned.ref]
    assert len(_events(session, "report.overdue")) == 2


def test_a_report_waiting_for_the_ioc_runs_on_the_receipt_clock(session, intake):
    make_province_with_two_communes(session)
    make_category(session, "khac", is_auto_dispatch=False)
    report = submit_report(
        session,
        intake,
        category_code="khac",
        lon=108.05,
        lat=16.05,
        channel="phone",
        received_at=MONDAY_8AM,
    )

    result = sweep_deadlines(session, intake.policy, now=report.receipt_due_at + timedelta(1))

    assert result.overdue == [report.ref]
    assert _events(session, "report.overdue")[0].payload["clock"] == "receipt"


@pytest.fixture
def waiting(session, intake):
    """A normal report in the IOC queue, filed on Monday at 08:00: received by Tuesday 08:30."""
    make_province_with_two_communes(session)
    make_category(session, "khac", is_auto_dispatch=False)
    return submit_report(
        session,
        intake,
        category_code="khac",
        lon=108.05,
        lat=16.05,
        channel="phone",
        received_at=MONDAY_8AM,
    )


# The receipt target is 8 working hours for normal and complex reports alike.
@pytest.mark.parametrize("tier", ["normal", "complex"])
def test_a_classification_that_keeps_the_deadline_does_not_announce_it_again(
    session, intake, waiting, tier
):
    operator = make_user(session, Role.IOC_OPERATOR, "operator")
    evening = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 17:00, one working hour left
    sweep_deadlines(session, intake.policy, now=evening)

    classify_report(session, policy=intake.policy, report=waiting, actor=operator, tier=tier)
    result = sweep_deadlines(session, intake.policy, now=evening + timedelta(minutes=1))

    assert result.due_soon == []
    assert len(_events(session, "report.deadline_due")) == 1


def test_a_classification_that_moves_the_deadline_announces_the_new_one(session, intake, waiting):
    operator = make_user(session, Role.IOC_OPERATOR, "operator")
    evening = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    sweep_deadlines(session, intake.policy, now=evening)

    # Urgent: two hours on the wall clock from Monday 08:00, long passed.
    classify_report(session, policy=intake.policy, report=waiting, actor=operator, tier="urgent")
    result = sweep_deadlines(session, intake.policy, now=evening + timedelta(minutes=1))

    assert result.overdue == [waiting.ref]


def test_resolved_reports_are_not_swept(session, intake, assigned):
    assigned.status = "resolved"
    session.flush()

    result = sweep_deadlines(session, intake.policy, now=assigned.due_at + timedelta(days=1))

    assert result.overdue == []
