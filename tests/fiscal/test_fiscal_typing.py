"""Checked by mypy --strict: both calendars are FiscalCalendars, and queries keep their types."""

from datetime import date

import pendulum

from partnerkit.fiscal import (
    DateRange,
    FiscalCalendar,
    FiscalKey,
    FiscalPeriod,
    FiscalQuarter,
    FiscalWeek,
    FiscalYear,
    MonthlyFiscalCalendar,
    WeekFiscalCalendar,
)


def test_both_calendar_shapes_are_fiscal_calendars_with_typed_queries() -> None:
    calendars: list[FiscalCalendar] = [MonthlyFiscalCalendar(7), WeekFiscalCalendar(9, 5)]
    for cal in calendars:
        day = date(2026, 3, 4)
        year: FiscalYear = cal.comparable(cal.year_of(day))
        quarter: FiscalQuarter = cal.comparable(cal.quarter_of(day), years=1)
        period: FiscalPeriod = cal.comparable(cal.period_of(day))
        week: FiscalWeek = cal.comparable(cal.week_of(day))
        ytd: DateRange = cal.comparable(cal.year_to_date(day))
        same_day: date = cal.comparable(day)
        keys: list[FiscalKey] = cal.map_dates([day])
        assert keys == [(period.year + 1, period.quarter, period.period)]
        assert year.contains(same_day)
        assert quarter.year == year.year + 2
        assert week.year == year.year
        assert ytd.end == same_day


def test_pendulum_dates_and_datetimes_are_accepted() -> None:
    cal = MonthlyFiscalCalendar(7, tz="America/New_York")
    assert cal.quarter_of(pendulum.date(2026, 8, 15)) == cal.quarter(2027, 1)
    assert cal.year_of(pendulum.datetime(2026, 7, 1, 3, tz="UTC")).year == 2026
    assert cal.map_dates([pendulum.date(2026, 8, 15)]) == [(2027, 1, 2)]
