"""Reporting periods given as local dates (``since`` inclusive, ``until`` exclusive)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ioc.errors import InvalidInput, MalformedRequest

DEFAULT_DAYS = 30
#: The days a period may name: the province's records start after the first and end before
#: the last (a year-1 or year-9999 day would overflow a UTC time or the database's range).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
OUT_OF_RANGE = "must be a date between 2000-01-01 and 2199-12-31"


def period(since: date | None, until: date | None, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds for local calendar days; the last 30 days up to today by default.

    Raises:
        MalformedRequest: a day before :data:`FIRST_DAY` or after :data:`LAST_DAY`.
        InvalidInput: ``until`` is not after ``since``.
    """
    _within_range(since=since, until=until)
    today = datetime.now(timezone).date()
    end = until or today + timedelta(days=1)
    start = since or end - timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise InvalidInput("until must be after since", details={"fields": {"until": str(end)}})
    return _utc(start, timezone), _utc(end, timezone)


def day_bounds(
    since: date | None, until: date | None, timezone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """UTC bounds for optional local calendar days (``since`` inclusive, ``until`` exclusive),
    for lists, which are not limited to a period unless asked.

    Raises:
        MalformedRequest: a day before :data:`FIRST_DAY` or after :data:`LAST_DAY`.
        InvalidInput: ``until`` is not after ``since``.
    """
    _within_range(since=since, until=until)
    if since and until and until <= since:
        raise InvalidInput("until must be after since", details={"fields": {"until": str(until)}})
    return (
        _utc(since, timezone) if since else None,
        _utc(until, timezone) if until else None,
    )


def _within_range(**days: date | None) -> None:
    fields = {
        name: OUT_OF_RANGE
        for name, day in days.items()
        if day is not None and not FIRST_DAY <= day <= LAST_DAY
    }
    if fields:
        raise MalformedRequest("the date is out of range", details={"fields": fields})


def _utc(day: date, timezone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone).astimezone(UTC)
