"""Reporting periods given as local dates (``since`` inclusive, ``until`` exclusive)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ioc.errors import InvalidInput

DEFAULT_DAYS = 30


def period(since: date | None, until: date | None, timezone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds for local calendar days; the last 30 days up to today by default.

    Raises:
        InvalidInput: ``until`` is not after ``since``.
    """
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
        InvalidInput: ``until`` is not after ``since``.
    """
    if since and until and until <= since:
        raise InvalidInput("until must be after since", details={"fields": {"until": str(until)}})
    return (
        _utc(since, timezone) if since else None,
        _utc(until, timezone) if until else None,
    )


def _utc(day: date, timezone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone).astimezone(UTC)
