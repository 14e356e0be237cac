"""Deadlines in working time.

The legal clocks for citizen feedback run in working hours of the provincial administration
(see :mod:`ioc.feedback.calendar`); urgent reports run on the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ioc.feedback.calendar import DEFAULT_HOLIDAYS_FILE, WorkingCalendar, load_calendar
from ioc.feedback.states import SlaTier

__all__ = [
    "DEFAULT_HOLIDAYS_FILE",
    "RECEIPT_HOURS",
    "WorkingCalendar",
    "load_calendar",
    "receipt_deadline",
    "resolution_deadline",
]

#: Receipt and verification by the IOC (tiếp nhận, xác minh).
RECEIPT_HOURS = 8


def resolution_deadline(
    calendar: WorkingCalendar, *, tier: str, target_hours: int, starts: datetime
) -> datetime:
    if tier == SlaTier.URGENT:
        return starts + timedelta(hours=target_hours)
    return calendar.add_working_hours(starts, target_hours)


def receipt_deadline(calendar: WorkingCalendar, *, received_at: datetime) -> datetime:
    return calendar.add_working_hours(received_at, RECEIPT_HOURS)
