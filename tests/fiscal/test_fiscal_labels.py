from datetime import date

import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar, WeekFiscalCalendar, label


def test_default_labels() -> None:
    cal = MonthlyFiscalCalendar(7)
    period = cal.period(2027, 7)
    assert label(period.fiscal_year) == "FY2027"
    assert label(period.fiscal_quarter) == "FY2027 Q3"
    assert label(period) == "P07"
    assert label(cal.week(2027, 5)) == "W05"
    assert str(period) == "FY2027 P07"


def test_month_names_are_localized() -> None:
    period = MonthlyFiscalCalendar(7).period(2027, 7)
    assert label(period, "{month} {end_year}") == "January 2027"
    assert label(period, "{month}", locale="de_DE") == "Januar"
    assert label(period, "{month_abbr}", locale="fr") == "janv."


def test_periods_of_a_6_april_year_are_named_after_the_month_they_mostly_cover() -> None:
    period = MonthlyFiscalCalendar(4, start_day=6, naming="start").period(2025, 1)
    assert label(period, "{month}") == "April"


def test_retail_periods_are_named_after_their_main_month() -> None:
    cal = WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start")
    names = [label(p, "{month_abbr}") for p in cal.year(2023).periods]
    assert names == [
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Jan",
    ]


def test_split_year_labels() -> None:
    year = MonthlyFiscalCalendar(4, naming="start").year(2025)
    assert label(year, "FY{start_year}-{end_yy}") == "FY2025-26"
    assert label(year, "FY{yy}") == "FY25"


def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        label(MonthlyFiscalCalendar(7).year(2026), "FY{year} {quarter}")
    assert caught.value.paths == ("pattern",)


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        label(MonthlyFiscalCalendar(7).period(2026, 1), "{month}", locale="xx_NOPE")
    assert caught.value.paths == ("locale",)


def test_split_year_labels_of_week_calendars_follow_months_not_days() -> None:
    cal = WeekFiscalCalendar(12, 5, rule="last")
    year = cal.year(2026)
    assert year.start == date(2025, 12, 28)
    assert label(year, "{start_year}/{end_year}") == "2026/2026"
    retail = WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start")
    assert label(retail.year(2023), "FY{start_year}-{end_yy}") == "FY2023-24"
