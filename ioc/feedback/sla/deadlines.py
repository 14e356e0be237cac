"""Deadlines in working time.

The legal clocks for citizen feedback run in working hours of the provincial administration
(see :mod:`ioc.feedback.sla.calendar`); urgent reports run on the wall clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ioc.feedback.sla.calendar import WorkingCalendar
from ioc.feedback.states import SlaTier

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
