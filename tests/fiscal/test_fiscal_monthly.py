from datetime import date

import pytest

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
