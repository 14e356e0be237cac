"""The working calendar: shifts, working weekdays, public holidays and make-up working days.

The legal clocks for citizen feedback run in the working hours of the provincial administration
(Mon–Fri 07:30–11:30 and 13:30–17:00 by default). Public holidays follow the Labour Code 2019
(Art. 111–112) and the schedule the Government publishes each year; they are read from a TOML
file that operators can edit (``data/holidays_vn.toml``, or their own copy).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

#: The holidays shipped with IOC (Vietnam, 2025–2030).
DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_vn.toml"

_DEFAULT_SHIFTS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
_MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
# Two years in a row without working time is a broken calendar, not a long deadline.
_MAX_IDLE_DAYS = 366 * 2
_ENTRY_KEYS = {"date", "name"}


@dataclass(frozen=True)
class WorkingCalendar:
    """When the administration works, in its own time zone.

    ``make_up_workdays`` are weekend days worked in exchange for a weekday off (ngày làm bù);
    a holiday wins over every other rule.
    """

    timezone: ZoneInfo
    shifts: Sequence[tuple[time, time]] = _DEFAULT_SHIFTS
    working_weekdays: frozenset[int] = _MONDAY_TO_FRIDAY
    holidays: frozenset[date] = frozenset()
    make_up_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.make_up_workdays or day.weekday() in self.working_weekdays

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant ``hours`` of working time after ``start``, in ``start``'s time zone.

        A deadline that uses up a shift exactly stays at the shift's end; otherwise the clock
        starts at the next opening when ``start`` is outside working time.

        Raises:
            ValueError: ``start`` is naive, ``hours`` is negative, or the calendar has no
                working time for two years in a row.
        """
        if hours < 0:
            raise ValueError(f"working hours must not be negative, got {hours}")
        remaining = timedelta(hours=hours)
        instant = _utc(start)
        day = instant.astimezone(self.timezone).date()
        idle_days = 0
        while idle_days <= _MAX_IDLE_DAYS:
            shifts = self._shifts_of(day)
            idle_days = 0 if shifts else idle_days + 1
            for opens, closes in shifts:
                if instant > closes or (instant == closes and remaining > timedelta()):
                    continue
                begin = max(opens, instant)
                if remaining <= closes - begin:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= closes - begin
            day += timedelta(days=1)
        raise ValueError("the working calendar has no working time in the next two years")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working time from ``start`` to ``end`` in hours; negative when ``end`` comes first.

        The inverse of :meth:`add_working_hours`: time outside the shifts, on weekends and on
        holidays does not count, so a paused clock or a handling time is measured as the law
        measures deadlines.

        Raises:
            ValueError: ``start`` or ``end`` is naive.
        """
        begin, finish = _utc(start), _utc(end)
        if finish < begin:
            return -self.working_hours_between(end, start)
        worked = timedelta()
        day = begin.astimezone(self.timezone).date()
        last_day = finish.astimezone(self.timezone).date()
        while day <= last_day:
            for opens, closes in self._shifts_of(day):
                overlap = min(closes, finish) - max(opens, begin)
                if overlap > timedelta():
                    worked += overlap
            day += timedelta(days=1)
        return worked / timedelta(hours=1)

    def _shifts_of(self, day: date) -> list[tuple[datetime, datetime]]:
        """The shifts of ``day`` as UTC instants (so arithmetic ignores DST); none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (
                datetime.combine(day, opens, self.timezone).astimezone(UTC),
                datetime.combine(day, closes, self.timezone).astimezone(UTC),
            )
            for opens, closes in self.shifts
        ]


def load_calendar(timezone: ZoneInfo, path: Path | None = None) -> WorkingCalendar:
    """The default working week plus the holidays and make-up days listed in ``path``.

    ``path`` defaults to the file shipped with IOC (:data:`DEFAULT_HOLIDAYS_FILE`).

    Raises:
        OSError: the file cannot be read.
        ValueError: the file is not valid TOML or an entry is malformed; the message names the
            file and the entry.
    """
    path = path or DEFAULT_HOLIDAYS_FILE
    with path.open("rb") as file:
        try:
            document = tomllib.load(file)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not valid TOML (UTF-8): {exc}") from exc
    # A misspelt table name ([[holidays]]) would otherwise load an empty calendar silently.
    unknown = set(document) - {"holiday", "make_up_workday"}
    if unknown:
        expected = "[[holiday]] and [[make_up_workday]]"
        raise ValueError(f"{path}: unknown tables {sorted(unknown)}; expected {expected}")
    holidays = _dates(path, "holiday", document.get("holiday", []))
    make_up_workdays = _dates(path, "make_up_workday", document.get("make_up_workday", []))
    for day, label in make_up_workdays.items():
        if day in holidays:
            raise ValueError(f"{path}: {label}: {day} is also listed as a holiday")
        if day.weekday() in _MONDAY_TO_FRIDAY:
            raise ValueError(f"{path}: {label}: {day} is a weekday, not a weekend day to work")
    return WorkingCalendar(
        timezone=timezone,
        holidays=frozenset(holidays),
        make_up_workdays=frozenset(make_up_workdays),
    )


def _dates(path: Path, kind: str, entries: Any) -> dict[date, str]:
    """The dates of ``[[kind]]`` entries, each with a label naming the entry for errors."""
    if not isinstance(entries, list):
        raise ValueError(f"{path}: {kind} must be an array of tables ([[{kind}]])")
    found: dict[date, str] = {}
    for number, entry in enumerate(entries, start=1):
        label = f"{kind} #{number}"
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: {label}: expected a table with date and name")
        label = f"{kind} #{number} ({entry.get('name', 'unnamed')!r}, date = {entry.get('date')})"
        if set(entry) != _ENTRY_KEYS:
            raise ValueError(
                f"{path}: {label}: expected the keys date and name, got {sorted(entry)}"
            )
        day, name = entry["date"], entry["name"]
        # tomllib reads 2026-01-01T00:00 as a datetime, which is also a date.
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"{path}: {label}: date must be a TOML date such as 2026-01-01")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{path}: {label}: name must be a non-empty string")
        if day in found:
            raise ValueError(f"{path}: {label}: {day} is already listed as {found[day]}")
        found[day] = label
    return found


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)
