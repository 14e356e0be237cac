"""The working calendar: the shipped holidays file, its loader, and working-time arithmetic.

Public holidays follow the Labour Code 2019 (Art. 111–112) and the Government's yearly schedule;
the shipped file lists 2025–2030 (see its header for which years are official).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ioc.feedback.sla.calendar import DEFAULT_HOLIDAYS_FILE, WorkingCalendar, load_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPPED = load_calendar(VN)
YEARS = range(2025, 2031)

# Mùng 1 Tết and Giỗ Tổ Hùng Vương (10/3 lunar) in Vietnam's time zone (UTC+7). 2030 is the
# year the Vietnamese and Chinese calendars differ: Tết on 2 February here, 3 February there.
TET = {
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 2),
}
HUNG_KINGS = {
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 26),
    2027: date(2027, 4, 16),
    2028: date(2028, 4, 4),
    2029: date(2029, 4, 23),
    2030: date(2030, 4, 12),
}


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped file -----------------------------------------------------------------------


def test_the_shipped_file_is_the_default_and_lists_every_year():
    assert DEFAULT_HOLIDAYS_FILE.is_file()
    assert {day.year for day in SHIPPED.holidays} == set(YEARS)


@pytest.mark.parametrize("day", [date(2026, 2, 16) + timedelta(days=n) for n in range(5)])
def test_tet_2026_eve_to_the_fourth_day_are_holidays(day):
    # Notice 9441/TB-BNV: 29 tháng Chạp (16/2) to mùng 4 (20/2/2026).
    assert day in SHIPPED.holidays
    assert not SHIPPED.is_working_day(day)


def test_tet_2026_break_runs_from_saturday_14_to_sunday_22_february():
    break_days = [date(2026, 2, 14) + timedelta(days=n) for n in range(9)]

    assert not any(SHIPPED.is_working_day(day) for day in break_days)
    assert SHIPPED.is_working_day(date(2026, 2, 13))
    assert SHIPPED.is_working_day(date(2026, 2, 23))


@pytest.mark.parametrize("year", YEARS)
def test_tet_is_five_working_days_off_with_no_work_from_the_eve_to_the_fourth_day(year):
    # Art. 112(1)(b): five days; the eve (giao thừa) and mùng 1–4 are never worked.
    first = TET[year]
    assert not any(SHIPPED.is_working_day(first + timedelta(days=n)) for n in range(-1, 4))
    weekdays_off = [
        day for day in SHIPPED.holidays if abs((day - first).days) <= 10 and day.weekday() < 5
    ]
    assert len(weekdays_off) == 5


@pytest.mark.parametrize("year", YEARS)
def test_national_day_and_one_adjacent_day_are_holidays_every_year(year):
    # Art. 112(1)(đ): 2/9 plus 1/9 or 3/9.
    assert date(year, 9, 2) in SHIPPED.holidays
    assert {date(year, 9, 1), date(year, 9, 3)} & SHIPPED.holidays


@pytest.mark.parametrize("year", YEARS)
def test_new_year_victory_day_and_labour_day_are_holidays_every_year(year):
    assert {date(year, 1, 1), date(year, 4, 30), date(year, 5, 1)} <= SHIPPED.holidays


@pytest.mark.parametrize("year", YEARS)
def test_hung_kings_day_is_a_holiday_every_year(year):
    assert HUNG_KINGS[year] in SHIPPED.holidays


@pytest.mark.parametrize("year", YEARS)
def test_eleven_working_days_off_per_year_net_of_make_up_days(year):
    # Art. 112(1): 11 days; a swapped weekday off is paid back by a make-up Saturday, and a
    # holiday on a weekend by the next working day (Art. 111(3)).
    weekdays_off = [d for d in SHIPPED.holidays if d.year == year and d.weekday() < 5]
    make_up = [d for d in SHIPPED.make_up_workdays if d.year == year]

    assert len(weekdays_off) - len(make_up) == 11


def test_a_holiday_on_sunday_is_compensated_on_monday():
    # Giỗ Tổ 2026 falls on Sunday 26 April.
    assert not SHIPPED.is_working_day(date(2026, 4, 27))


@pytest.mark.parametrize("day", [date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)])
def test_make_up_saturdays_are_working_days(day):
    assert day.weekday() == 5
    assert SHIPPED.is_working_day(day)


def test_an_ordinary_saturday_is_not_a_working_day():
    assert not SHIPPED.is_working_day(date(2026, 1, 17))


def test_a_make_up_saturday_has_working_hours():
    # Friday 2 Jan 2026 was swapped with Saturday 10 Jan: 1 h on Friday 9, then Saturday 07:30.
    assert SHIPPED.add_working_hours(vn(2026, 1, 9, 16), 2) == vn(2026, 1, 10, 8, 30)


# --- loading and validation -----------------------------------------------------------------


def test_a_file_of_its_own_replaces_the_shipped_one(tmp_path):
    path = write(
        tmp_path,
        '[[holiday]]\ndate = 2031-01-01\nname = "Tết Dương lịch"\n\n'
        '[[make_up_workday]]\ndate = 2031-01-04\nname = "Làm bù"\n',
    )

    calendar = load_calendar(VN, path)

    assert calendar.holidays == {date(2031, 1, 1)}
    assert calendar.make_up_workdays == {date(2031, 1, 4)}
    assert calendar.timezone is VN


def test_an_empty_file_is_a_calendar_without_holidays(tmp_path):
    calendar = load_calendar(VN, write(tmp_path, "# nothing yet\n"))

    assert calendar.holidays == frozenset()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[[holiday]]\ndate = 2026-01-01\nname = "Tết"\n[[holiday]]\ndate = 2026-13-01\n', "TOML"),
        ('[[holidays]]\ndate = 2026-01-01\nname = "Tết"\n', r"unknown tables \['holidays'\]"),
        ('holiday = "2026-01-01"\n', "array of tables"),
        ("[[holiday]]\ndate = 2026-01-01\n", r"holiday #1 \('unnamed', date = 2026-01-01\)"),
        ('[[holiday]]\ndate = "2026-01-01"\nname = "Tết"\n', r"holiday #1 \('Tết'.*TOML date"),
        ('[[holiday]]\ndate = 2026-01-01T00:00:00\nname = "Tết"\n', "holiday #1.*TOML date"),
        ('[[holiday]]\ndate = 2026-01-01\nname = ""\n', "holiday #1.*non-empty"),
        ('[[holiday]]\ndate = 2026-01-01\nname = "Tết"\nnote = 1\n', "holiday #1.*keys"),
        (
            '[[holiday]]\ndate = 2026-01-01\nname = "A"\n'
            '[[holiday]]\ndate = 2026-01-01\nname = "B"\n',
            r"holiday #2 \('B'.*already listed as holiday #1",
        ),
        (
            '[[holiday]]\ndate = 2026-01-10\nname = "A"\n'
            '[[make_up_workday]]\ndate = 2026-01-10\nname = "B"\n',
            r"make_up_workday #1 \('B'.*also listed as a holiday",
        ),
        (
            '[[make_up_workday]]\ndate = 2026-01-09\nname = "B"\n',
            "make_up_workday #1.*working day already",
        ),
    ],
)
def test_a_bad_file_is_a_value_error_naming_the_entry(tmp_path, text, match):
    path = write(tmp_path, text)

    with pytest.raises(ValueError, match=match) as raised:
        load_calendar(VN, path)

    assert str(path) in str(raised.value)


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_calendar(VN, tmp_path / "missing.toml")


# --- working time between two instants ------------------------------------------------------


def test_working_hours_between_skip_the_night_and_the_weekend():
    # Friday 16:00–17:00 and Monday 07:30–08:30 (July 2025 has no holiday).
    assert SHIPPED.working_hours_between(vn(2025, 7, 11, 16), vn(2025, 7, 14, 8, 30)) == 2


def test_working_hours_between_skip_the_lunch_break():
    assert SHIPPED.working_hours_between(vn(2025, 7, 7, 11), vn(2025, 7, 7, 14)) == 1


def test_working_hours_between_skip_holidays():
    # Friday 29 Aug 2025 16:00–17:00, then nothing until Wednesday 3 Sep (1–2 Sep are off).
    assert SHIPPED.working_hours_between(vn(2025, 8, 29, 16), vn(2025, 9, 3, 8)) == 1.5


def test_working_hours_between_count_a_whole_working_week():
    assert SHIPPED.working_hours_between(vn(2025, 7, 7), vn(2025, 7, 14)) == 5 * 7.5


def test_working_hours_between_outside_working_time_are_zero():
    assert SHIPPED.working_hours_between(vn(2025, 7, 12, 9), vn(2025, 7, 13, 18)) == 0


def test_working_hours_between_are_negative_when_the_end_comes_first():
    assert SHIPPED.working_hours_between(vn(2025, 7, 7, 9), vn(2025, 7, 7, 8)) == -1


def test_working_hours_between_accept_any_time_zone():
    # 01:00 UTC is 08:00 in Vietnam.
    start = datetime(2025, 7, 7, 1, 0, tzinfo=UTC)

    assert SHIPPED.working_hours_between(start, vn(2025, 7, 7, 9)) == 1


def test_working_hours_between_a_calendar_without_working_days_are_zero():
    calendar = WorkingCalendar(timezone=VN, week={})

    assert calendar.working_hours_between(vn(2025, 7, 7), vn(2025, 7, 14)) == 0


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        SHIPPED.working_hours_between(datetime(2025, 7, 7, 8), vn(2025, 7, 7, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        SHIPPED.add_working_hours(datetime(2025, 7, 7, 8), 1)


def test_negative_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        SHIPPED.add_working_hours(vn(2025, 7, 7, 8), -1)


def test_zero_hours_at_the_end_of_a_shift_stay_there():
    # The instant a shift closes is still working time; adding nothing does not jump to 13:30.
    assert SHIPPED.add_working_hours(vn(2025, 7, 7, 11, 30), 0) == vn(2025, 7, 7, 11, 30)


def test_a_long_deadline_crosses_more_than_two_years():
    # Two years of working time is ~3,700 h: the "no working time" guard is about idle days.
    start = vn(2025, 7, 7, 7, 30)

    end = SHIPPED.add_working_hours(start, 4000)

    assert SHIPPED.working_hours_between(start, end) == pytest.approx(4000, abs=1e-6)


# --- properties -----------------------------------------------------------------------------

SHIFT_EDGES = [time(0, 0), time(7, 30), time(11, 30), time(13, 30), time(17, 0)]
starts = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 6, 30), timezones=st.just(VN)
    ),
    # Shift edges are where off-by-one mistakes live; random instants rarely hit them.
    st.builds(
        lambda day, at: datetime.combine(day, at, VN),
        st.dates(date(2025, 1, 1), date(2030, 6, 30)),
        st.sampled_from(SHIFT_EDGES),
    ),
)
MICROSECONDS_PER_HOUR = 3_600_000_000
# Whole microseconds (and quarter hours, which often end exactly at a shift's end): h1 + h2 then
# converts to the same timedelta as the two parts, so additivity can be checked to the µs.
exact_hours = st.one_of(
    st.integers(0, 400 * 4).map(lambda quarters: quarters / 4),
    st.integers(0, 400 * MICROSECONDS_PER_HOUR).map(lambda us: us / MICROSECONDS_PER_HOUR),
)
any_hours = st.one_of(exact_hours, st.floats(0, 400))
fast = settings(max_examples=200, deadline=None)


@fast
@given(start=starts, h1=exact_hours, h2=exact_hours)
# The first step ends exactly at 11:30: adding nothing more must not jump to 13:30.
@example(start=datetime(2025, 7, 7, 7, 30, tzinfo=VN), h1=4.0, h2=0.0)
def test_adding_in_two_steps_is_adding_the_sum(start, h1, h2):
    in_two_steps = SHIPPED.add_working_hours(SHIPPED.add_working_hours(start, h1), h2)
    at_once = SHIPPED.add_working_hours(start, h1 + h2)

    assert abs(in_two_steps - at_once) <= timedelta(microseconds=1)


@fast
@given(start=starts, hours=any_hours)
def test_working_hours_between_undo_adding_them(start, hours):
    # Holds from any start: time outside the shifts counts on neither side.
    end = SHIPPED.add_working_hours(start, hours)

    assert SHIPPED.working_hours_between(start, end) == pytest.approx(hours, abs=1e-6)


@fast
@given(start=starts, hours=any_hours)
def test_a_deadline_is_always_inside_a_shift_of_a_working_day(start, hours):
    end = SHIPPED.add_working_hours(start, hours).astimezone(VN)

    assert end.date() not in SHIPPED.holidays
    assert end.weekday() < 5 or end.date() in SHIPPED.make_up_workdays
    # Closed at both ends: a deadline that uses up a shift stays at its end.
    assert any(opens <= end.time() <= closes for opens, closes in SHIPPED.week[0])


@fast
@given(start=starts, hours=any_hours)
def test_subtracting_working_hours_undoes_adding_them(start, hours):
    end = SHIPPED.add_working_hours(start, hours)

    back = SHIPPED.subtract_working_hours(end, hours)

    assert SHIPPED.working_hours_between(back, end) == pytest.approx(hours, abs=1e-6)
    assert SHIPPED.working_hours_between(start, back) == pytest.approx(0, abs=1e-6)


@fast
@given(start=starts, days=st.integers(min_value=0, max_value=40))
def test_adding_working_days_lands_on_a_working_day_at_the_same_time(start, days):
    end = SHIPPED.add_working_days(start, days).astimezone(VN)
    local = start.astimezone(VN)

    assert end.time() == local.time()
    assert days == 0 or SHIPPED.is_working_day(end.date())
    passed = (end.date() - local.date()).days
    working = sum(
        SHIPPED.is_working_day(local.date() + timedelta(days=n)) for n in range(1, passed + 1)
    )
    assert working == days


@fast
@given(start=starts, h1=any_hours, h2=any_hours)
def test_more_hours_never_give_an_earlier_deadline(start, h1, h2):
    shorter, longer = sorted((h1, h2))

    assert SHIPPED.add_working_hours(start, shorter) <= SHIPPED.add_working_hours(start, longer)


@fast
@given(a=starts, b=starts)
def test_working_hours_between_change_sign_when_swapped(a, b):
    assert SHIPPED.working_hours_between(a, b) == -SHIPPED.working_hours_between(b, a)
