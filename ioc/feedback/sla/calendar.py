"""The working calendar: shifts, working weekdays, public holidays and make-up working days.

The legal clocks for citizen feedback run in the working hours of the provincial administration
(Mon–Fri 07:30–11:30 and 13:30–17:00 by default; each province sets its own in its SLA policy,
:mod:`ioc.feedback.sla.policy`). Public holidays follow the Labour Code 2019 (Art. 111–112) and
the schedule the Government publishes each year; they are read from a TOML file that operators
can edit (``data/holidays_vn.toml``, or their own copy).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

#: The holidays shipped with IOC (Vietnam, 2025–2030).
DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_vn.toml"

Shift = tuple[time, time]
_DEFAULT_SHIFTS: tuple[Shift, ...] = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
#: The shifts of each weekday, Monday (0) to Sunday (6).
DEFAULT_WEEK: Mapping[int, tuple[Shift, ...]] = {
    **{weekday: _DEFAULT_SHIFTS for weekday in range(5)},
    5: (),
    6: (),
}
# Two years in a row without working time is a broken calendar, not a long deadline.
_MAX_IDLE_DAYS = 366 * 2
_ENTRY_KEYS = {"date", "name"}


@dataclass(frozen=True)
class WorkingCalendar:
    """When the administration works, in its own time zone.

    ``week`` holds the shifts of each weekday (an empty tuple is a day off).
    ``make_up_workdays`` are days off worked in exchange for a weekday off (ngày làm bù), with
    the shifts of the first working weekday; a holiday wins over every other rule.
    """

    timezone: ZoneInfo
    week: Mapping[int, tuple[Shift, ...]] = field(default_factory=lambda: dict(DEFAULT_WEEK))
    holidays: frozenset[date] = frozenset()
    make_up_workdays: frozenset[date] = frozenset()

    def local_date(self, instant: datetime) -> date:
        """The calendar day ``instant`` falls on in the administration's time zone."""
        return _utc(instant).astimezone(self.timezone).date()

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.make_up_workdays or bool(self.week.get(day.weekday()))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same time of day ``days`` working days after ``start``'s day.

        Raises:
            ValueError: ``start`` is naive, ``days`` is negative, or the calendar has no
                working day for two years in a row.
        """
        if days < 0:
            raise ValueError(f"working days must not be negative, got {days}")
        local = _utc(start).astimezone(self.timezone)
        day, counted, idle_days = local.date(), 0, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted, idle_days = counted + 1, 0
            else:
                idle_days += 1
                if idle_days > _MAX_IDLE_DAYS:
                    raise ValueError("the working calendar has no working day in two years")
        moment = datetime.combine(day, local.time().replace(tzinfo=None), self.timezone)
        return moment.astimezone(start.tzinfo)

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

    def subtract_working_hours(self, end: datetime, hours: float) -> datetime:
        """The instant ``hours`` of working time before ``end`` (the inverse of
        :meth:`add_working_hours`), in ``end``'s time zone.

        Raises:
            ValueError: ``end`` is naive, ``hours`` is negative, or the calendar has no
                working time for two years in a row.
        """
        if hours < 0:
            raise ValueError(f"working hours must not be negative, got {hours}")
        remaining = timedelta(hours=hours)
        instant = _utc(end)
        day = instant.astimezone(self.timezone).date()
        idle_days = 0
        while idle_days <= _MAX_IDLE_DAYS:
            shifts = self._shifts_of(day)
            idle_days = 0 if shifts else idle_days + 1
            for opens, closes in reversed(shifts):
                if instant < opens or (instant == opens and remaining > timedelta()):
                    continue
                finish = min(closes, instant)
                if remaining <= finish - opens:
                    return (finish - remaining).astimezone(end.tzinfo)
                remaining -= finish - opens
            day -= timedelta(days=1)
        raise ValueError("the working calendar has no working time in the past two years")

    def next_opening(self, after: datetime) -> datetime:
        """The first shift opening strictly after ``after``.

        Raises:
            ValueError: ``after`` is naive, or no working time in the next two years.
        """
        instant = _utc(after)
        day = instant.astimezone(self.timezone).date()
        for _ in range(_MAX_IDLE_DAYS + 2):
            for opens, _closes in self._shifts_of(day):
                if opens > instant:
                    return opens.astimezone(after.tzinfo)
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
        shifts = self.week.get(day.weekday()) or self._make_up_shifts()
        return [
            (
                datetime.combine(day, opens, self.timezone).astimezone(UTC),
                datetime.combine(day, closes, self.timezone).astimezone(UTC),
            )
            for opens, closes in shifts
        ]

    def _make_up_shifts(self) -> tuple[Shift, ...]:
        return next((self.week[d] for d in sorted(self.week) if self.week[d]), ())


def load_calendar(
    timezone: ZoneInfo,
    path: Path | None = None,
    *,
    week: Mapping[int, tuple[Shift, ...]] = DEFAULT_WEEK,
) -> WorkingCalendar:
    """The working ``week`` plus the holidays and make-up days listed in ``path``.

    ``path`` defaults to the file shipped with IOC (:data:`DEFAULT_HOLIDAYS_FILE`).

    Raises:
        OSError: the file cannot be read.
        ValueError: the file is not valid TOML or an entry is malformed; the message names the
            file and the entry.
    """
    path = path or DEFAULT_HOLIDAYS_FILE
    return parse_calendar(timezone, _read_text(path), source=str(path), week=week)


def parse_calendar(
    timezone: ZoneInfo,
    text: str,
    *,
    source: str,
    week: Mapping[int, tuple[Shift, ...]] = DEFAULT_WEEK,
) -> WorkingCalendar:
    """The working ``week`` plus the holidays and make-up days of a holidays file's ``text``
    (``source`` names it in errors: a path, or "the database").

    Raises:
        ValueError: not valid TOML or an entry is malformed; the message names the entry.
    """
    holidays, make_up_workdays = _entries(text, source)
    for day, entry in make_up_workdays.items():
        if day in holidays:
            raise ValueError(f"{source}: {entry.label}: {day} is also listed as a holiday")
        if week.get(day.weekday()):
            raise ValueError(
                f"{source}: {entry.label}: {day} is a working day already, not a day off"
            )
    return WorkingCalendar(
        timezone=timezone,
        week=dict(week),
        holidays=frozenset(holidays),
        make_up_workdays=frozenset(make_up_workdays),
    )


@dataclass(frozen=True)
class HolidayEntry:
    """One ``[[holiday]]`` or ``[[make_up_workday]]`` entry, for screens."""

    day: date
    name: str
    name_en: str | None
    label: str  # names the entry in error messages


def list_holidays(text: str, *, source: str) -> list[HolidayEntry]:
    """The ``[[holiday]]`` entries of a holidays file's ``text``, by date.

    Raises:
        ValueError: as :func:`parse_calendar`.
    """
    holidays, _ = _entries(text, source)
    return [holidays[day] for day in sorted(holidays)]


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML (UTF-8): {exc}") from exc


def _entries(text: str, source: str) -> tuple[dict[date, HolidayEntry], dict[date, HolidayEntry]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML (UTF-8): {exc}") from exc
    # A misspelt table name ([[holidays]]) would otherwise load an empty calendar silently.
    unknown = set(document) - {"holiday", "make_up_workday"}
    if unknown:
        expected = "[[holiday]] and [[make_up_workday]]"
        raise ValueError(f"{source}: unknown tables {sorted(unknown)}; expected {expected}")
    return (
        _dates(source, "holiday", document.get("holiday", [])),
        _dates(source, "make_up_workday", document.get("make_up_workday", [])),
    )


def _dates(path: str, kind: str, entries: Any) -> dict[date, HolidayEntry]:
    """The dates of ``[[kind]]`` entries, each with a label naming the entry for errors."""
    if not isinstance(entries, list):
        raise ValueError(f"{path}: {kind} must be an array of tables ([[{kind}]])")
    found: dict[date, HolidayEntry] = {}
    for number, entry in enumerate(entries, start=1):
        label = f"{kind} #{number}"
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: {label}: expected a table with date and name")
        label = f"{kind} #{number} ({entry.get('name', 'unnamed')!r}, date = {entry.get('date')})"
        if not _ENTRY_KEYS <= set(entry) <= _ENTRY_KEYS | {"name_en"}:
            raise ValueError(
                f"{path}: {label}: expected the keys date and name (and optionally name_en), "
                f"got {sorted(entry)}"
            )
        day, name = entry["date"], entry["name"]
        # tomllib reads 2026-01-01T00:00 as a datetime, which is also a date.
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"{path}: {label}: date must be a TOML date such as 2026-01-01")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{path}: {label}: name must be a non-empty string")
        name_en = entry.get("name_en")
        if name_en is not None and not isinstance(name_en, str):
            raise ValueError(f"{path}: {label}: name_en must be a string")
        if day in found:
            raise ValueError(f"{path}: {label}: {day} is already listed as {found[day].label}")
        found[day] = HolidayEntry(day, name, name_en or None, label)
    return found


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment.isoformat()}")
    return moment.astimezone(UTC)
