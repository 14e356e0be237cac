"""Deadlines in working time (Mon–Fri 07:30–11:30 and 13:30–17:00, Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ioc.feedback.sla.calendar import WorkingCalendar, load_calendar
from ioc.feedback.sla.deadlines import receipt_deadline, resolution_deadline

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar(timezone=VN)
SHIPPED = load_calendar(VN)


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
    calendar = WorkingCalendar(timezone=VN, working_weekdays=frozenset())

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


def test_urgent_deadline_runs_on_the_wall_clock():
    saturday_night = vn(12, 22)

    due = resolution_deadline(CALENDAR, tier="urgent", target_hours=4, starts=saturday_night)

    assert due == vn(13, 2)


def test_normal_deadline_runs_in_working_hours():
    due = resolution_deadline(CALENDAR, tier="normal", target_hours=4, starts=vn(11, 16))

    assert due == vn(14, 10, 30)


def test_complex_deadline_runs_in_working_hours():
    due = resolution_deadline(CALENDAR, tier="complex", target_hours=8, starts=vn(7, 8))

    assert due == vn(8, 8, 30)


def test_receipt_deadline_is_eight_working_hours():
    # One hour on Friday, four on Monday morning, three after lunch.
    assert receipt_deadline(CALENDAR, received_at=vn(11, 16)) == vn(14, 16, 30)


def test_deadline_crosses_the_30_april_break_and_the_weekend():
    # Thursday 29 Apr 2027 15:00–17:00 is 2 h. Friday 30/4 and Saturday 1/5 are holidays,
    # Sunday is a weekend, Monday 3/5 compensates 1/5 falling on Saturday (Labour Code 2019,
    # Art. 111(3)). Tuesday 4/5: 07:30–11:30 is 4 h, the last 2 h run 13:30–15:30.
    start = datetime(2027, 4, 29, 15, 0, tzinfo=VN)

    assert SHIPPED.add_working_hours(start, 8) == datetime(2027, 5, 4, 15, 30, tzinfo=VN)


def test_receipt_deadline_skips_tet_2026():
    # Friday 13 Feb 2026 16:00–17:00 is 1 h; the Tết break runs to Sunday 22 Feb, so the other
    # 7 h are Monday 23 Feb: 07:30–11:30 and 13:30–16:30.
    due = receipt_deadline(SHIPPED, received_at=datetime(2026, 2, 13, 16, 0, tzinfo=VN))

    assert due == datetime(2026, 2, 23, 16, 30, tzinfo=VN)


def test_deadline_runs_on_a_make_up_saturday():
    # Friday 21 Aug 2026 16:00–17:00 is 1 h, Saturday 22 Aug is worked in exchange for
    # Monday 31 Aug (Notice 9441/TB-BNV): the second hour ends there at 08:30.
    start = datetime(2026, 8, 21, 16, 0, tzinfo=VN)

    assert SHIPPED.add_working_hours(start, 2) == datetime(2026, 8, 22, 8, 30, tzinfo=VN)
