"""The clock engine answers, for a report at an instant, which clock runs and where it stands."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.sla.clock import ClockKind, clock_of, is_on_time
from ioc.feedback.sla.deadlines import start_receipt_clock, start_resolution_clock
from ioc.feedback.sla.pauses import pause_clock, resume_clock
from tests.factories import make_policy

VN = ZoneInfo("Asia/Ho_Chi_Minh")
POLICY = make_policy()
MONDAY_8AM = datetime(2026, 11, 23, 8, 0, tzinfo=VN)


def _report(status: str = "pending_review", tier: str = "normal") -> Report:
    category = Category(code="den", sla_tier=tier, sla_target_hours=8)
    return Report(status=status, sla_tier=tier, category=category, paused_hours=0.0)


def test_a_new_report_runs_the_receipt_clock_in_working_hours():
    report = _report()
    start_receipt_clock(report, POLICY, at=MONDAY_8AM)

    clock = clock_of(report, POLICY, at=MONDAY_8AM + timedelta(hours=2))

    assert (clock.kind, clock.is_wall_clock) == (ClockKind.RECEIPT, False)
    assert clock.deadline == datetime(2026, 11, 24, 8, 30, tzinfo=VN)
    assert (clock.used_hours, clock.left_hours) == (pytest.approx(2), pytest.approx(6))
    assert (clock.is_due_soon, clock.is_overdue) == (False, False)


def test_four_working_hours_before_the_deadline_it_is_due_soon_not_overdue():
    report = _report()
    start_receipt_clock(report, POLICY, at=MONDAY_8AM)

    clock = clock_of(report, POLICY, at=datetime(2026, 11, 23, 15, 0, tzinfo=VN))

    assert clock.left_hours == pytest.approx(3)
    assert (clock.is_due_soon, clock.is_overdue) == (True, False)


def test_the_deadline_minute_is_still_on_time_and_a_minute_later_is_overdue():
    report = _report()
    start_receipt_clock(report, POLICY, at=MONDAY_8AM)
    assert report.receipt_due_at is not None

    at_deadline = clock_of(report, POLICY, at=report.receipt_due_at)
    after = clock_of(report, POLICY, at=report.receipt_due_at + timedelta(minutes=1))

    assert (at_deadline.is_overdue, is_on_time(at_deadline)) == (False, True)
    assert (after.is_overdue, is_on_time(after)) == (True, False)


def test_an_assigned_report_runs_the_resolution_clock():
    report = _report("assigned")
    start_resolution_clock(report, POLICY, at=MONDAY_8AM)

    clock = clock_of(report, POLICY, at=MONDAY_8AM)

    assert clock.kind is ClockKind.RESOLUTION
    assert clock.deadline == report.due_at


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected", "duplicate"])
def test_no_clock_runs_once_the_report_is_finished(status):
    report = _report(status)
    report.due_at = MONDAY_8AM

    clock = clock_of(report, POLICY, at=MONDAY_8AM + timedelta(days=30))

    assert (clock.kind, clock.deadline, clock.is_overdue) == (ClockKind.NONE, None, False)


def test_a_paused_clock_has_no_deadline_and_is_never_overdue():
    report = _report("in_progress")
    start_resolution_clock(report, POLICY, at=MONDAY_8AM)
    pause_clock(report, at=MONDAY_8AM + timedelta(hours=1))

    clock = clock_of(report, POLICY, at=MONDAY_8AM + timedelta(days=60))

    assert (clock.kind, clock.paused, clock.deadline) == (
        ClockKind.PAUSED,
        ClockKind.RESOLUTION,
        None,
    )
    assert (clock.is_due_soon, clock.is_overdue) == (False, False)
    assert (clock.used_hours, clock.left_hours) == (pytest.approx(1), pytest.approx(7))


def test_resuming_gives_back_exactly_the_working_time_that_was_left():
    report = _report("in_progress")
    start_resolution_clock(report, POLICY, at=MONDAY_8AM)
    pause_clock(report, at=MONDAY_8AM + timedelta(hours=1))
    answered = datetime(2026, 11, 26, 14, 0, tzinfo=VN)  # Thursday

    resume_clock(report, POLICY, at=answered)
    clock = clock_of(report, POLICY, at=answered)

    assert clock.left_hours == pytest.approx(7)
    assert clock.used_hours == pytest.approx(1)
    assert report.due_at == POLICY.calendar.add_working_hours(answered, 7)


def test_a_report_paused_when_overdue_stays_as_late_after_the_answer():
    report = _report("in_progress")
    start_resolution_clock(report, POLICY, at=MONDAY_8AM)
    assert report.due_at is not None
    paused_at = report.due_at + timedelta(hours=1)  # one working hour late
    pause_clock(report, at=paused_at)
    assert is_on_time(clock_of(report, POLICY, at=paused_at + timedelta(days=2))) is False

    answered = datetime(2026, 11, 30, 9, 0, tzinfo=VN)
    resume_clock(report, POLICY, at=answered)

    assert clock_of(report, POLICY, at=answered).left_hours == pytest.approx(-1)


def test_urgent_reports_count_wall_clock_hours():
    report = _report(tier="urgent")
    saturday_night = datetime(2026, 11, 28, 22, 0, tzinfo=VN)
    start_receipt_clock(report, POLICY, at=saturday_night)

    clock = clock_of(report, POLICY, at=saturday_night + timedelta(hours=3))

    assert clock.is_wall_clock
    assert clock.deadline == saturday_night + timedelta(hours=2)
    assert (clock.left_hours, clock.is_overdue) == (pytest.approx(-1), True)


def test_an_urgent_report_is_due_soon_only_in_its_last_hour():
    report = _report(tier="urgent")
    start_receipt_clock(report, POLICY, at=MONDAY_8AM)

    first = clock_of(report, POLICY, at=MONDAY_8AM + timedelta(minutes=30))
    last = clock_of(report, POLICY, at=MONDAY_8AM + timedelta(hours=1, minutes=30))

    assert (first.is_due_soon, last.is_due_soon) == (False, True)
