"""Deadlines in working time (Mon–Fri 07:30–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ioc.feedback.models import Category
from ioc.feedback.report_models import Report
from ioc.feedback.sla.calendar import WorkingCalendar, load_calendar
from ioc.feedback.sla.deadlines import start_receipt_clock, start_resolution_clock
from ioc.feedback.sla.policy import load_policy
from tests.factories import make_policy

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(timezone=VN)
SHIPPED = load_calendar(VN)
POLICY = make_policy()
SHIPPED_POLICY = load_policy(VN)


def vn(day: int, hour: int, minute: int = 0, month: int = 7) -> datetime:
    """A moment in July 2025 (Monday 7, Friday 11, Saturday 12, Monday 14) in Vietnam."""
    return datetime(2025, month, day, hour, minute, tzinfo=VN)


def test_eight_working_hours_from_monday_morning_end_tuesday_morning():
    # Monday 08:00–11:30 is 3.5 h, 13:30–17:00 another 3.5 h; the last hour is Tuesday's.
    assert CALENDAR.add_working_hours(vn(7, 8), 8) == vn(8, 8, 30)


def test_a_full_working_day_is_seven_and_a_half_hours():
    assert CALENDAR.add_working_hours(vn(7, 7, 30), 7.5) == vn(7, 17)


def test_lunch_break_is_skipped():
    assert CALENDAR.add_working_hours(vn(7, 11), 1) == vn(7, 14)


def test_deadline_falling_at_the_end_of_a_shift_stays_there():
    assert CALENDAR.add_working_hours(vn(7, 10, 30), 1) == vn(7, 11, 30)


def test_night_is_skipped():
    assert CALENDAR.add_working_hours(vn(7, 16, 30), 1) == vn(8, 8)


def test_start_during_lunch_counts_from_the_afternoon_shift():
    assert CALENDAR.add_working_hours(vn(7, 12, 15), 1) == vn(7, 14, 30)


def test_start_after_hours_counts_from_the_next_morning():
    assert CALENDAR.add_working_hours(vn(7, 20), 1) == vn(8, 8, 30)


def test_friday_afternoon_rolls_over_the_weekend_to_monday():
    assert CALENDAR.add_working_hours(vn(11, 16), 2) == vn(14, 8, 30)


def test_start_on_saturday_counts_from_monday_half_past_seven():
    assert CALENDAR.add_working_hours(vn(12, 10), 1) == vn(14, 8, 30)


def test_zero_hours_on_a_weekend_is_the_next_opening():
    assert CALENDAR.add_working_hours(vn(13, 9), 0) == vn(14, 7, 30)


def test_holidays_are_skipped():
    # National Day 2025: Monday 1 and Tuesday 2 September.
    calendar = WorkingCalendar(
        timezone=VN, holidays=frozenset({date(2025, 9, 1), date(2025, 9, 2)})
    )
    friday = datetime(2025, 8, 29, 16, 0, tzinfo=VN)

    assert calendar.add_working_hours(friday, 2) == datetime(2025, 9, 3, 8, 30, tzinfo=VN)


def test_holiday_is_not_a_working_day():
    calendar = WorkingCalendar(timezone=VN, holidays=frozenset({date(2025, 9, 2)}))

    assert not calendar.is_working_day(date(2025, 9, 2))
    assert calendar.is_working_day(date(2025, 9, 3))


def test_calendar_without_working_days_is_an_error():
    calendar = WorkingCalendar(timezone=VN, week={})

    with pytest.raises(ValueError, match="no working time"):
        calendar.add_working_hours(vn(7, 8), 1)


def test_result_keeps_a_utc_input_in_utc():
    start = vn(7, 8).astimezone(UTC)

    end = CALENDAR.add_working_hours(start, 8)

    assert end.tzinfo is UTC
    assert end == vn(8, 8, 30)


def test_result_keeps_a_fixed_offset_input_in_that_offset():
    plus7 = timezone(timedelta(hours=7))
    start = datetime(2025, 7, 7, 8, 0, tzinfo=plus7)

    end = CALENDAR.add_working_hours(start, 8)

    assert end.tzinfo is plus7
    assert (end.hour, end.minute, end.day) == (8, 30, 8)


def test_working_hours_follow_the_calendar_time_zone_not_the_input_one():
    # 01:00 UTC is 08:00 in Vietnam: inside the morning shift there, not before it.
    start = datetime(2025, 7, 7, 1, 0, tzinfo=UTC)

    assert CALENDAR.add_working_hours(start, 1) == vn(7, 9)


def _report(tier: str, *, category_tier: str | None = None, category_hours: float = 24) -> Report:
    category = Category(code="x", sla_tier=category_tier or tier, sla_target_hours=category_hours)
    return Report(status="pending_review", sla_tier=tier, category=category, paused_hours=0.0)


def test_urgent_deadline_runs_on_the_wall_clock():
    report = _report("urgent", category_hours=4)

    start_resolution_clock(report, POLICY, at=vn(12, 22))  # Saturday night

    assert report.due_at == vn(13, 2)


def test_normal_deadline_runs_in_working_hours():
    report = _report("normal", category_hours=4)

    start_resolution_clock(report, POLICY, at=vn(11, 16))

    assert report.due_at == vn(14, 10, 30)


def test_a_report_reclassified_as_complex_gets_the_longer_complex_target():
    report = _report("complex", category_tier="normal", category_hours=24)

    start_resolution_clock(report, POLICY, at=vn(7, 7, 30))

    # The policy's complex target, 80 working hours: ten and a half working days.
    assert report.due_at == POLICY.calendar.add_working_hours(vn(7, 7, 30), 80)
    assert report.due_at > POLICY.calendar.add_working_hours(vn(7, 7, 30), 24)


def test_receipt_deadline_is_eight_working_hours():
    report = _report("normal")

    # One hour on Friday, four on Monday morning, three after lunch.
    start_receipt_clock(report, POLICY, at=vn(11, 16))

    assert report.receipt_due_at == vn(14, 16, 30)


def test_an_urgent_report_has_two_wall_clock_hours_for_receipt():
    report = _report("urgent")

    start_receipt_clock(report, POLICY, at=vn(11, 16))

    assert report.receipt_due_at == vn(11, 18)


def test_deadline_crosses_the_30_april_break_and_the_weekend():
    # Thursday 29 Apr 2027 15:00–17:00 is 2 h. Friday 30/4 and Saturday 1/5 are holidays,
    # Sunday is a weekend, Monday 3/5 compensates 1/5 falling on Saturday (Labour Code 2019,
    # Art. 111(3)). Tuesday 4/5: 07:30–11:30 is 4 h, the last 2 h run 13:30–15:30.
    start = datetime(2027, 4, 29, 15, 0, tzinfo=VN)

    assert SHIPPED.add_working_hours(start, 8) == datetime(2027, 5, 4, 15, 30, tzinfo=VN)


def test_receipt_deadline_skips_tet_2026():
    # Friday 13 Feb 2026 16:00–17:00 is 1 h; the Tết break runs to Sunday 22 Feb, so the other
    # 7 h are Monday 23 Feb: 07:30–11:30 and 13:30–16:30.
    report = _report("normal")

    start_receipt_clock(report, SHIPPED_POLICY, at=datetime(2026, 2, 13, 16, 0, tzinfo=VN))

    assert report.receipt_due_at == datetime(2026, 2, 23, 16, 30, tzinfo=VN)


def test_deadline_runs_on_a_make_up_saturday():
    # Friday 21 Aug 2026 16:00–17:00 is 1 h, Saturday 22 Aug is worked in exchange for
    # Monday 31 Aug (Notice 9441/TB-BNV): the second hour ends there at 08:30.
    start = datetime(2026, 8, 21, 16, 0, tzinfo=VN)

    assert SHIPPED.add_working_hours(start, 2) == datetime(2026, 8, 22, 8, 30, tzinfo=VN)
