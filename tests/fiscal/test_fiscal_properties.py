"""Properties every fiscal calendar shape must have, over the years 1900 to 2199.

The strategies live here, at the top, rather than in a shared module: test
directories have no ``__init__.py``, so a shared helper module would be
imported by its bare name and could clash with another area's.
"""

from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.fiscal import (
    FiscalCalendar,
    MonthlyFiscalCalendar,
    WeekFiscalCalendar,
    YearNaming,
    calendar_from_dict,
)

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
ONE_DAY = timedelta(days=1)
ZONES = ("UTC", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney")

days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
year_numbers = st.integers(min_value=1901, max_value=2198)
namings = st.sampled_from(list(YearNaming))

monthly_calendars = st.builds(
    MonthlyFiscalCalendar,
    start_month=st.integers(1, 12),
    start_day=st.sampled_from([1, 1, 1, 6, 15, 28]),
    naming=namings,
    tz=st.sampled_from(ZONES),
    week_start=st.none() | st.integers(0, 6),
)
week_calendars = st.builds(
    WeekFiscalCalendar,
    end_month=st.integers(1, 12),
    end_weekday=st.integers(0, 6),
    rule=st.sampled_from(["last", "nearest"]),
    pattern=st.sampled_from(["4-4-5", "4-5-4", "5-4-4"]),
    extra_week_quarter=st.integers(1, 4),
    naming=namings,
    tz=st.sampled_from(ZONES),
)
real_calendars = st.sampled_from(
    [
        MonthlyFiscalCalendar(1),
        MonthlyFiscalCalendar(10),
        MonthlyFiscalCalendar(7),
        MonthlyFiscalCalendar(4, naming="start", tz="Asia/Tokyo"),
        MonthlyFiscalCalendar(4, start_day=6, naming="start", tz="Europe/London"),
        WeekFiscalCalendar(9, 5, extra_week_quarter=1, tz="America/Los_Angeles"),
        WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start"),
    ]
)
calendars = real_calendars | monthly_calendars | week_calendars


@settings(max_examples=150)
@given(calendars, days)
def test_each_day_lies_in_exactly_one_year_quarter_period_and_week(
    cal: FiscalCalendar, day: date
) -> None:
    year, quarter = cal.year_of(day), cal.quarter_of(day)
    period, week = cal.period_of(day), cal.week_of(day)
    for value in (year, quarter, period, week):
        assert value.contains(day)
        assert value.previous().end < day < value.next().start
    assert quarter in year.quarters
    assert period in quarter.periods
    assert week in year.weeks
    assert week in period.weeks
    assert (quarter.year, period.year, week.year) == (year.year,) * 3
    assert sum(1 for w in year.weeks if w.contains(day)) == 1
    assert sum(1 for p in year.periods if p.contains(day)) == 1


@settings(max_examples=100)
@given(calendars, days)
def test_consecutive_values_touch_with_no_gap_or_overlap(cal: FiscalCalendar, day: date) -> None:
    year = cal.year_of(day)
    for value in (year, cal.quarter_of(day), cal.period_of(day), cal.week_of(day)):
        assert value.next().start == value.end + ONE_DAY
        assert value.previous().end == value.start - ONE_DAY
        assert value.next().previous() == value
        assert value.previous() < value < value.next()
    for parts in (year.quarters, year.periods, year.weeks):
        assert parts[0].start == year.start
        assert parts[-1].end == year.end
        for before, after in pairwise(parts):
            assert after.start == before.end + ONE_DAY
    for quarter in year.quarters:
        assert quarter.periods[0].start == quarter.start
        assert quarter.periods[-1].end == quarter.end


@settings(max_examples=150)
@given(week_calendars, year_numbers)
def test_week_years_have_364_or_371_days_and_quarters_of_13_or_14_weeks(
    cal: WeekFiscalCalendar, number: int
) -> None:
    year = cal.year(number)
    assert year.days in (364, 371)
    assert len(year.weeks) == year.days // 7
    assert all(w.days == 7 for w in year.weeks)
    assert year.end.weekday() == cal.end_weekday
    weeks = [q.days // 7 for q in year.quarters]
    expected = [13, 13, 13, 13]
    if year.days == 371:
        expected[cal.extra_week_quarter - 1] = 14
    assert weeks == expected
    periods = [p.days // 7 for p in year.periods]
    pattern = list(cal.pattern) * 4
    if year.days == 371:
        pattern[3 * cal.extra_week_quarter - 1] += 1
    assert periods == pattern
    month_end = date(year.end.year + (year.end.month == 12), year.end.month % 12 + 1, 1) - ONE_DAY
    if cal.rule == "last":
        assert year.end.month == cal.end_month
        assert (year.end + timedelta(days=7)).month != cal.end_month
    else:
        anchor = date(year.end.year, cal.end_month, 1) if year.end.month == cal.end_month else None
        assert anchor is not None or year.end.day <= 3
        nominal_end = month_end if anchor is not None else year.end.replace(day=1) - ONE_DAY
        assert abs((year.end - nominal_end).days) <= 3


@settings(max_examples=100)
@given(monthly_calendars, year_numbers)
def test_monthly_years_have_365_or_366_days_and_periods_start_on_the_start_day(
    cal: MonthlyFiscalCalendar, number: int
) -> None:
    year = cal.year(number)
    assert year.days in (365, 366)
    assert [p.start.day for p in year.periods] == [cal.start_day] * 12
    assert year.start.month == cal.start_month
    if cal.naming is YearNaming.START:
        assert year.start.year == number
    else:
        assert year.end.year == number
    if cal.week_start is not None:
        assert all(w.start.weekday() == cal.week_start for w in year.weeks[1:])


@settings(max_examples=40)
@given(calendars, year_numbers)
def test_year_n_agrees_with_year_of_on_all_its_days(cal: FiscalCalendar, number: int) -> None:
    year = cal.year(number)
    all_days = list(year.range.dates())
    assert all(cal.year_of(d) == year for d in all_days)
    assert [cal.year_of(d) for d in (year.start - ONE_DAY, year.end + ONE_DAY)] == [
        year.previous(),
        year.next(),
    ]
    keys = cal.map_dates(all_days)
    assert all(k[0] == number for k in keys)
    assert keys == [(p.year, p.quarter, p.period) for p in map(cal.period_of, all_days)]


@settings(max_examples=150)
@given(calendars, days, st.integers(-5, 5))
def test_comparable_round_trips(cal: FiscalCalendar, day: date, years: int) -> None:
    year, quarter, period, week = (
        cal.year_of(day),
        cal.quarter_of(day),
        cal.period_of(day),
        cal.week_of(day),
    )
    assert cal.comparable(cal.comparable(year, years), -years) == year
    assert cal.comparable(cal.comparable(quarter, years), -years) == quarter
    assert cal.comparable(cal.comparable(period, years), -years) == period
    moved_week = cal.comparable(week, years)
    assert moved_week.year == week.year + years
    if isinstance(cal, WeekFiscalCalendar):
        # A week keeps its period and its place in it; only the extra week is moved back.
        place = period.weeks.index(week)
        target_weeks = cal.comparable(period, years).weeks
        assert moved_week.fiscal_period == cal.comparable(period, years)
        assert target_weeks.index(moved_week) == min(place, len(target_weeks) - 1)
        if place < len(target_weeks):
            assert cal.comparable(moved_week, -years) == week
    elif week.week <= len(cal.year(week.year + years).weeks):
        assert moved_week.week == week.week
        assert cal.comparable(moved_week, -years) == week
    else:
        assert moved_week == moved_week.fiscal_year.weeks[-1]
    moved_day = cal.comparable(day, years)
    assert cal.year_of(moved_day).year == year.year + years
    if isinstance(cal, WeekFiscalCalendar):
        assert moved_day.weekday() == day.weekday()
        assert cal.week_of(moved_day) == moved_week
        if cal.comparable(moved_week, -years) == week:
            assert cal.comparable(moved_day, -years) == day
    else:
        target = cal.comparable(period, years)
        if day - period.start <= target.end - target.start:
            assert cal.comparable(moved_day, -years) == day
        else:
            assert moved_day == target.end


@settings(max_examples=100)
@given(calendars, days)
def test_numbers_lead_back_to_the_same_dates(cal: FiscalCalendar, day: date) -> None:
    period, week = cal.period_of(day), cal.week_of(day)
    assert cal.locate(period.year, quarter=period.quarter, period=period.period) == period
    assert cal.locate(week.year, week=week.week) == week
    assert cal.week(week.year, week.week) == week
    for number, each in enumerate(period.weeks, start=1):
        assert cal.locate(period.year, period=period.period, week=number) == each
    quarter = period.fiscal_quarter
    position = quarter.weeks.index(week) + 1 if week in quarter.weeks else None
    if position is not None:
        assert cal.locate(quarter.year, quarter=quarter.quarter, week=position) == week


@settings(max_examples=100)
@given(calendars, st.lists(days, max_size=50))
def test_bulk_mapping_equals_the_scalar_path(cal: FiscalCalendar, some_days: list[date]) -> None:
    expected = [(p.year, p.quarter, p.period) for p in map(cal.period_of, some_days)]
    assert cal.map_dates(some_days) == expected
    assert cal.map_dates(some_days) == expected


@settings(max_examples=100)
@given(calendars, st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30)))
def test_aware_datetimes_are_read_in_the_calendar_time_zone(
    cal: FiscalCalendar, moment: datetime
) -> None:
    aware = moment.replace(tzinfo=ZoneInfo("UTC"))
    local_day = aware.astimezone(ZoneInfo(cal.tz)).date()
    assert cal.quarter_of(aware) == cal.quarter_of(local_day)
    assert cal.map_dates([aware]) == cal.map_dates([local_day])


@settings(max_examples=100)
@given(calendars)
def test_settings_round_trip_through_a_dict(cal: FiscalCalendar) -> None:
    again = calendar_from_dict(cal.to_dict())
    assert again == cal
    assert hash(again) == hash(cal)


@settings(max_examples=100)
@given(calendars, year_numbers)
def test_named_by_start_and_by_end_describe_the_same_years(
    cal: FiscalCalendar, number: int
) -> None:
    data = cal.to_dict()
    by_start = calendar_from_dict({**data, "naming": "start"})
    by_end = calendar_from_dict({**data, "naming": "end"})
    year = by_start.year(number)
    if year.start.month == 1 and year.start.day <= 7 and year.end.month == 12:
        # A year that runs (about) January to December carries one number either way.
        shift = 0
    elif isinstance(cal, WeekFiscalCalendar):
        shift = 0 if cal.end_month == 12 else 1
    else:
        shift = 1
    assert by_end.year(number + shift).range == year.range
