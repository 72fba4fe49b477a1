from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar, YearNaming


def test_calendar_year_runs_from_january_to_december_whatever_the_naming() -> None:
    for naming in YearNaming:
        year = MonthlyFiscalCalendar(1, naming=naming).year_of(date(2026, 5, 17))
        assert (year.year, year.start, year.end) == (2026, date(2026, 1, 1), date(2026, 12, 31))


def test_us_federal_fy2026_runs_from_october_2025_to_september_2026() -> None:
    cal = MonthlyFiscalCalendar(10)
    fy = cal.year(2026)
    assert (fy.start, fy.end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert cal.year_of(date(2025, 10, 1)) == fy
    assert cal.year_of(date(2025, 9, 30)).year == 2025
    assert cal.quarter_of(date(2025, 12, 31)).quarter == 1
    assert cal.quarter_of(date(2026, 1, 1)).quarter == 2


def test_july_start_named_by_end_year_puts_2026_08_15_in_fy2027_q1() -> None:
    cal = MonthlyFiscalCalendar(7, naming=YearNaming.END)
    q = cal.quarter_of(date(2026, 8, 15))
    assert (q.year, q.quarter, q.start, q.end) == (2027, 1, date(2026, 7, 1), date(2026, 9, 30))
    assert cal.period_of(date(2027, 6, 30)).period == 12


def test_april_start_named_by_start_year_puts_2026_05_01_in_fy2026() -> None:
    cal = MonthlyFiscalCalendar(4, naming="start")
    p = cal.period_of(date(2026, 5, 1))
    assert (p.year, p.quarter, p.period) == (2026, 1, 2)
    assert cal.year(2026).end == date(2027, 3, 31)
    assert cal.year_of(date(2027, 3, 31)).year == 2026


def test_april_start_named_by_end_year_puts_2026_05_01_in_fy2027() -> None:
    assert MonthlyFiscalCalendar(4).year_of(date(2026, 5, 1)).year == 2027


def test_uk_tax_year_starting_6_april_has_periods_from_the_6th_to_the_5th() -> None:
    cal = MonthlyFiscalCalendar(4, start_day=6, naming="start", tz="Europe/London")
    year = cal.year_of(date(2026, 4, 5))
    assert (year.year, year.start, year.end) == (2025, date(2025, 4, 6), date(2026, 4, 5))
    p1 = cal.year(2026).periods[0]
    assert (p1.start, p1.end) == (date(2026, 4, 6), date(2026, 5, 5))
    assert cal.year(2026).periods[-1].end == date(2027, 4, 5)


def test_start_on_the_6th_of_january_named_by_end_is_the_year_it_ends_in() -> None:
    cal = MonthlyFiscalCalendar(1, start_day=6)
    assert cal.year_of(date(2026, 1, 5)).year == 2026
    assert cal.year_of(date(2026, 1, 6)).year == 2027


def test_monthly_weeks_are_cut_from_the_year_start_by_default() -> None:
    year = MonthlyFiscalCalendar(1).year(2024)
    assert len(year.weeks) == 53
    assert (year.weeks[0].start, year.weeks[0].end) == (date(2024, 1, 1), date(2024, 1, 7))
    last = year.weeks[-1]
    assert (last.start, last.end, last.days) == (date(2024, 12, 30), date(2024, 12, 31), 2)


def test_monthly_weeks_can_start_on_a_chosen_weekday() -> None:
    cal = MonthlyFiscalCalendar(1, week_start=0)
    first, second = cal.year(2026).weeks[:2]
    assert (first.start, first.end) == (date(2026, 1, 1), date(2026, 1, 4))
    assert second.start == date(2026, 1, 5)
    assert second.start.weekday() == 0
    assert cal.week_of(date(2026, 1, 12)).week == 3


def test_week_of_a_period_counts_weeks_overlapping_it() -> None:
    cal = MonthlyFiscalCalendar(1, week_start=0)
    february = cal.period(2026, 2)
    assert february.weeks[0].start == date(2026, 1, 26)
    assert february.weeks[-1].end == date(2026, 3, 1)
    assert cal.locate(2026, period=2, week=2).start == date(2026, 2, 2)


def test_constructor_names_every_bad_argument() -> None:
    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(13, start_day=29, naming="middle", tz="Mars/Olympus", week_start=7)  # type: ignore[arg-type]
    assert caught.value.paths == ("start_month", "start_day", "naming", "tz", "week_start")
    codes = [e.code for e in caught.value.errors]
    assert codes == ["out_of_range", "out_of_range", "invalid_choice", "invalid", "out_of_range"]


def test_booleans_and_strings_are_not_months() -> None:
    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(True, start_day="1")  # type: ignore[arg-type]
    assert caught.value.paths == ("start_month", "start_day")


def test_a_fixed_offset_without_a_zone_name_is_refused() -> None:
    from datetime import timedelta, timezone

    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(1, tz=timezone(timedelta(hours=9)))
    assert caught.value.paths == ("tz",)


def test_calendars_with_the_same_settings_are_equal_and_hash_alike() -> None:
    a = MonthlyFiscalCalendar(7, naming="end", tz="UTC")
    b = MonthlyFiscalCalendar(7)
    assert a == b
    assert hash(a) == hash(b)
    assert a != MonthlyFiscalCalendar(7, naming="start")
    assert repr(a) == "MonthlyFiscalCalendar(start_month=7, start_day=1, naming='end', tz='UTC')"


# -- issue #19: the bounds and settings mutation testing showed no test checked ---------------


@pytest.mark.parametrize("month", [1, 12])
@pytest.mark.parametrize("day", [1, 28])
def test_every_month_from_1_to_12_and_every_day_from_1_to_28_starts_a_year(
    month: int, day: int
) -> None:
    cal = MonthlyFiscalCalendar(month, start_day=day)
    assert (cal.start_month, cal.start_day) == (month, day)
    assert cal.year_of(date(2026, month, day)).start == date(2026, month, day)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"start_month": 0}, "start_month"),
        ({"start_month": 13}, "start_month"),
        ({"start_month": 1, "start_day": 0}, "start_day"),
        ({"start_month": 1, "start_day": 29}, "start_day"),
        ({"start_month": 1, "week_start": -1}, "week_start"),
        ({"start_month": 1, "week_start": 7}, "week_start"),
        ({"start_month": 1, "week_start": True}, "week_start"),
    ],
)
def test_a_setting_just_outside_its_range_is_refused_by_name(
    kwargs: dict[str, object], path: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(**kwargs)  # type: ignore[arg-type]
    assert caught.value.paths == (path,)


def test_an_out_of_range_setting_says_which_values_are_allowed() -> None:
    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(0, start_day=29, week_start=7)
    assert [e.message for e in caught.value.errors] == [
        "0 is outside 1..12",
        "29 is outside 1..28 (a day every month has)",
        "7 is outside 0..6 (0 = Monday to 6 = Sunday)",
    ]


def test_aware_datetimes_are_read_in_the_calendars_zone() -> None:
    cal = MonthlyFiscalCalendar(4, naming="start", tz="Asia/Tokyo")
    # 16:00 UTC on 31 March is already 1 April in Tokyo: the first day of FY2026.
    assert cal.year_of(datetime(2026, 3, 31, 16, 0, tzinfo=timezone.utc)).year == 2026
    assert cal.year_of(datetime(2026, 3, 31, 14, 59, tzinfo=timezone.utc)).year == 2025
    assert cal.tz == "Asia/Tokyo"


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    naming=st.sampled_from(YearNaming),
    when=st.dates(date(1000, 1, 1), date(9000, 12, 31)),
)
def test_the_year_a_monthly_calendar_looks_near_is_exactly_the_year_of_the_day(
    month: int, day: int, naming: YearNaming, when: date
) -> None:
    # FiscalCalendar only needs a guess at most one year off; a monthly calendar's is exact,
    # so looking a day up builds the boundaries of no year it does not need.
    cal = MonthlyFiscalCalendar(month, start_day=day, naming=naming)
    year = cal.year_of(when)
    assert year.start <= when <= year.end
    assert cal._year_near(when) == year.year
    assert (year.start.month, year.start.day) == (month, day)
    started_in = year.start.year
    assert year.year == (
        started_in if naming is YearNaming.START or (month, day) == (1, 1) else started_in + 1
    )


@pytest.mark.parametrize("weekday", range(7))
def test_week_start_is_the_weekday_given_and_every_later_week_starts_on_it(weekday: int) -> None:
    cal = MonthlyFiscalCalendar(4, start_day=6, week_start=weekday)
    assert cal.week_start == weekday
    assert cal.to_dict()["week_start"] == weekday
    assert cal != MonthlyFiscalCalendar(4, start_day=6)
    year = cal.year(2026)
    assert year.weeks[0].start == year.start
    assert all(week.start.weekday() == weekday for week in year.weeks[1:])
    assert 1 <= year.weeks[0].days <= 7
    assert sum(week.days for week in year.weeks) == (year.end - year.start).days + 1


def test_without_week_start_weeks_are_cut_from_the_year_start_and_none_is_stored() -> None:
    cal = MonthlyFiscalCalendar(4, start_day=6)
    assert cal.week_start is None
    assert "week_start" not in cal.to_dict()
    year = cal.year(2026)
    assert all((week.start - year.start).days % 7 == 0 for week in year.weeks)


@pytest.mark.parametrize("week_start", [None, 0, 6])
def test_a_monthly_calendar_pickles_and_round_trips_its_settings(week_start: int | None) -> None:
    import pickle

    from partnerkit.fiscal import calendar_from_dict

    cal = MonthlyFiscalCalendar(
        7, start_day=15, naming="start", tz="Asia/Tokyo", week_start=week_start
    )
    for copy in (pickle.loads(pickle.dumps(cal)), calendar_from_dict(cal.to_dict())):
        assert copy == cal
        assert isinstance(copy, MonthlyFiscalCalendar)
        assert (copy.start_month, copy.start_day, copy.week_start) == (7, 15, week_start)
        assert copy.year(2026).weeks == cal.year(2026).weeks
