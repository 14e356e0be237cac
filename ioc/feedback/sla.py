"""Deadlines in working time.

The legal clocks for citizen feedback run in working hours of the provincial administration
(Mon–Fri 07:30–11:30 and 13:30–17:00 by default); urgent reports run on the wall clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ioc.feedback.states import SlaTier

#: Receipt and verification by the IOC (tiếp nhận, xác minh).
RECEIPT_HOURS = 8

_DEFAULT_SHIFTS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: ZoneInfo
    shifts: Sequence[tuple[time, time]] = _DEFAULT_SHIFTS
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` of working time after ``start`` (an aware datetime)."""
        remaining = timedelta(hours=hours)
        local = start.astimezone(self.timezone)
        day = local.date()
        # A year without a working day would be a broken calendar, not a long deadline.
        for _ in range(366 * 2):
            if self.is_working_day(day):
                for opens, closes in self.shifts:
                    shift_start = datetime.combine(day, opens, self.timezone)
                    shift_end = datetime.combine(day, closes, self.timezone)
                    begin = max(shift_start, local)
                    if begin >= shift_end:
                        continue
                    available = shift_end - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("the working calendar has no working time in the next two years")


def resolution_deadline(
    calendar: WorkingCalendar, *, tier: str, target_hours: int, starts: datetime
) -> datetime:
    if tier == SlaTier.URGENT:
        return starts + timedelta(hours=target_hours)
    return calendar.add_working_hours(starts, target_hours)


def receipt_deadline(calendar: WorkingCalendar, *, received_at: datetime) -> datetime:
    return calendar.add_working_hours(received_at, RECEIPT_HOURS)
