from datetime import date, datetime, timedelta, timezone

import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import (
    DateRange,
    FiscalQuarter,
    MonthlyFiscalCalendar,
    WeekFiscalCalendar,
)

UTC = timezone.utc


def test_an_aware_datetime_is_read_in_the_calendar_time_zone() -> None:
    cal = MonthlyFiscalCalendar(7, tz="America/New_York")
    late_evening_in_new_york = datetime(2026, 7, 1, 2, 30, tzinfo=UTC)
    assert cal.year_of(late_evening_in_new_york).year == 2026
    assert cal.year_of(datetime(2026, 7, 1, 5, 0, tzinfo=UTC)).year == 2027


def test_a_naive_datetime_is_refused() -> None:
    cal = MonthlyFiscalCalendar(7)
    with pytest.raises(ValidationError) as caught:
        cal.quarter_of(datetime(2026, 7, 1, 12))
    assert caught.value.paths == ("at",)
    assert caught.value.errors[0].code == "naive_datetime"


def test_something_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(ValidationError):
        MonthlyFiscalCalendar(7).year_of("2026-07-01")  # type: ignore[arg-type]


def test_values_know_their_neighbours_across_year_ends() -> None:
    cal = MonthlyFiscalCalendar(7)
    q4 = cal.quarter(2026, 4)
    assert q4.next() == cal.quarter(2027, 1)
    assert q4.next().previous() == q4
    assert cal.period(2026, 12).next().period == 1
    assert cal.year(2026).next().previous() == cal.year(2026)
    last_week = cal.year(2026).weeks[-1]
    assert last_week.next().week == 1
    assert last_week.next().year == 2027


def test_values_order_by_time_and_refuse_other_calendars() -> None:
    cal = MonthlyFiscalCalendar(7)
    quarters = cal.year(2026).quarters
    shuffled = [quarters[2], quarters[0], quarters[3], quarters[1]]
    assert sorted(shuffled) == list(quarters)
    assert quarters[0] < quarters[1] <= quarters[1]
    assert quarters[3] > quarters[2] >= quarters[2]
    with pytest.raises(TypeError):
        _ = quarters[0] < MonthlyFiscalCalendar(1).quarter(2026, 1)


def test_parents_and_children_nest() -> None:
    cal = MonthlyFiscalCalendar(10)
    year = cal.year(2026)
    quarter = year.quarters[1]
    assert isinstance(quarter, FiscalQuarter)
    assert quarter.fiscal_year == year
    assert [p.period for p in quarter.periods] == [4, 5, 6]
    assert quarter.periods[0].fiscal_quarter == quarter
    assert quarter.periods[0].fiscal_year == year
    assert len(year.periods) == 12
    assert quarter.weeks[0].contains(quarter.start)


def test_values_are_frozen_and_hashable() -> None:
    cal = MonthlyFiscalCalendar(7)
    q = cal.quarter(2026, 1)
    with pytest.raises(AttributeError):
        q.quarter = 2  # type: ignore[misc]
    assert {q, cal.quarter(2026, 1)} == {q}


def test_contains_and_days() -> None:
    q = MonthlyFiscalCalendar(1).quarter(2024, 1)
    assert q.days == 91
    assert q.contains(date(2024, 2, 29))
    assert not q.contains(date(2024, 4, 1))
    assert q.contains(datetime(2024, 3, 31, 23, 0, tzinfo=UTC))
    assert q.range == DateRange(date(2024, 1, 1), date(2024, 3, 31))


def test_year_and_quarter_to_date_run_from_the_start_to_the_day() -> None:
    cal = MonthlyFiscalCalendar(7)
    day = date(2026, 11, 20)
    assert cal.year_to_date(day) == DateRange(date(2026, 7, 1), day)
    assert cal.quarter_to_date(day) == DateRange(date(2026, 10, 1), day)
    assert cal.period_to_date(day).days == 20


def test_periods_between_includes_both_ends() -> None:
    cal = MonthlyFiscalCalendar(7)
    periods = cal.periods_between(date(2026, 5, 31), date(2026, 8, 1))
    assert [(p.year, p.period) for p in periods] == [(2026, 11), (2026, 12), (2027, 1), (2027, 2)]
    assert cal.periods_between(date(2026, 5, 1), date(2026, 5, 2)) == (cal.period(2026, 11),)
    with pytest.raises(ValidationError):
        cal.periods_between(date(2026, 5, 2), date(2026, 5, 1))


def test_comparable_keeps_numbers_a_year_back() -> None:
    cal = MonthlyFiscalCalendar(7)
    assert cal.comparable(cal.quarter(2027, 3)) == cal.quarter(2026, 3)
    assert cal.comparable(cal.period(2027, 3), years=2) == cal.period(2029, 3)
    assert cal.comparable(cal.year(2027)) == cal.year(2026)


def test_comparable_year_to_date_is_the_prior_year_to_the_same_day() -> None:
    cal = MonthlyFiscalCalendar(7)
    ytd = cal.year_to_date(date(2026, 11, 20))
    assert cal.comparable(ytd) == DateRange(date(2025, 7, 1), date(2025, 11, 20))


def test_comparable_of_29_february_is_28_february() -> None:
    cal = MonthlyFiscalCalendar(1)
    assert cal.comparable(date(2024, 2, 29)) == date(2023, 2, 28)


def test_week_53_is_compared_with_week_52_of_a_52_week_year() -> None:
    cal = WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start")
    week_53 = cal.week(2023, 53)
    assert cal.comparable(week_53) == cal.week(2022, 52)
    assert cal.comparable(cal.week(2024, 10)) == cal.week(2023, 10)


def test_a_date_keeps_its_weekday_on_a_week_calendar() -> None:
    cal = WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start")
    day = date(2025, 11, 28)  # Black Friday
    last_year = cal.comparable(day)
    assert last_year.weekday() == day.weekday()
    assert last_year == date(2024, 11, 29)


def test_comparable_refuses_values_of_another_calendar() -> None:
    with pytest.raises(ValidationError) as caught:
        MonthlyFiscalCalendar(7).comparable(MonthlyFiscalCalendar(1).year(2026))
    assert caught.value.paths == ("value",)


def test_locate_checks_that_the_period_is_in_the_quarter() -> None:
    cal = MonthlyFiscalCalendar(7)
    assert cal.locate(2026, quarter=2, period=5) == cal.period(2026, 5)
    with pytest.raises(ValidationError) as caught:
        cal.locate(2026, quarter=2, period=7, week=0)
    assert caught.value.paths == ("week", "period")


def test_locate_refuses_a_week_beyond_the_last() -> None:
    with pytest.raises(ValidationError):
        WeekFiscalCalendar(9, 5).week(2022, 53)


def test_years_outside_the_supported_range_are_refused() -> None:
    cal = MonthlyFiscalCalendar(7)
    with pytest.raises(ValidationError):
        cal.year(1)
    with pytest.raises(ValidationError):
        cal.year_of(date(9999, 12, 31))
    with pytest.raises(ValidationError):
        cal.year_of(date(1, 1, 1))
    assert cal.year_of(date(2, 7, 1)).year == 3


def test_date_range_refuses_an_end_before_its_start() -> None:
    with pytest.raises(ValidationError):
        DateRange(date(2026, 1, 2), date(2026, 1, 1))
    days = list(DateRange(date(2026, 1, 30), date(2026, 2, 2)).dates())
    assert days[0] == date(2026, 1, 30)
    assert days[-1] == date(2026, 2, 2)
    assert len(days) == 4
    assert days[1] - days[0] == timedelta(days=1)


def test_calendars_and_values_survive_pickle_and_deepcopy() -> None:
    import copy
    import pickle

    for cal in (
        MonthlyFiscalCalendar(4, start_day=6, naming="start", tz="Europe/London", week_start=0),
        WeekFiscalCalendar(1, 5, rule="nearest", pattern=(4, 5, 4), naming="start"),
    ):
        quarter = cal.quarter(2026, 2)
        assert pickle.loads(pickle.dumps(cal)) == cal
        assert pickle.loads(pickle.dumps(quarter)) == quarter
        assert copy.deepcopy(quarter) == quarter


def test_far_apart_queries_keep_the_cached_span_bounded() -> None:
    cal = MonthlyFiscalCalendar(7)
    assert cal.year_of(date(1905, 3, 1)).year == 1905
    assert cal.year_of(date(9000, 3, 1)).year == 9000
    assert cal.year_of(date(20, 3, 1)).year == 20
    span = cal._span
    assert span.hi - span.lo <= 400
    periods = cal.periods_between(date(1500, 1, 1), date(2100, 1, 1))
    assert len(periods) == 600 * 12 + 1


def test_map_dates_over_centuries_matches_the_scalar_path() -> None:
    cal = WeekFiscalCalendar(9, 5)
    days = [date(50, 3, 1), date(9000, 3, 1), date(2026, 3, 1), date(1200, 12, 31)]
    expected = [(p.year, p.quarter, p.period) for p in map(cal.period_of, days)]
    assert cal.map_dates(days) == expected


def test_touching_many_centuries_keeps_the_year_tables_bounded() -> None:
    cal = MonthlyFiscalCalendar(7)
    for year in range(100, 9900, 150):
        cal.year_of(date(year, 3, 1))
    assert len(cal._tables) <= 2 * 400 + 50
    days = [date(y, 3, 1) for y in range(100, 9900, 7)]
    assert cal.map_dates(days) == [(d.year, 3, 9) for d in days]
    assert len(cal._tables) <= 2 * 400 + 50


def test_prior_quarter_to_date_starts_on_the_prior_quarter_start_when_q1_had_the_extra_week() -> (
    None
):
    # Apple-like: the 53rd week is the last week of P03, so FY2023 Q2 starts in week 15,
    # while FY2022 Q2 starts in week 14. Comparing by week number would start last year's
    # quarter to date a week late.
    cal = WeekFiscalCalendar(9, 5, extra_week_quarter=1)
    q2 = cal.quarter(2023, 2)
    assert cal.comparable(cal.quarter_to_date(q2.start)) == DateRange(
        cal.quarter(2022, 2).start, cal.quarter(2022, 2).start
    )
    assert cal.comparable(cal.week_of(q2.start)) == cal.quarter(2022, 2).weeks[0]
    assert cal.comparable(q2.end) == cal.quarter(2022, 2).end


def test_the_extra_week_is_compared_with_the_last_week_of_the_same_period() -> None:
    cal = WeekFiscalCalendar(9, 5, extra_week_quarter=1)
    extra = cal.period(2023, 3).weeks[-1]
    assert len(cal.period(2023, 3).weeks) == 6
    assert cal.comparable(extra) == cal.period(2022, 3).weeks[-1]
    assert cal.comparable(cal.period(2022, 3).weeks[-1], years=1) == cal.period(2023, 3).weeks[4]


def test_comparable_names_years_when_any_value_is_moved_out_of_range() -> None:
    cal = MonthlyFiscalCalendar(7)
    day = date(2026, 8, 1)
    for value in (cal.year_of(day), cal.quarter_of(day), cal.period_of(day), cal.week_of(day)):
        with pytest.raises(ValidationError) as caught:
            cal.comparable(value, years=-5000)
        assert caught.value.paths == ("years",)


@pytest.mark.parametrize(
    ("start", "end", "paths"),
    [
        (None, None, ("start", "end")),
        (date(2026, 1, 1), "2026-02-01", ("end",)),
        (datetime(2026, 1, 1), date(2026, 2, 1), ("start",)),
    ],
)
def test_a_date_range_of_no_dates_names_each_bound(
    start: object, end: object, paths: object
) -> None:
    # Issue #19: DateRange(None, None) raised TypeError comparing None.
    with pytest.raises(ValidationError) as caught:
        DateRange(start, end)  # type: ignore[arg-type]
    assert caught.value.paths == paths
