from datetime import date

import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import WeekFiscalCalendar

SATURDAY = 5


def apple() -> WeekFiscalCalendar:
    """Apple: the last Saturday of September, 4-4-5, the 53rd week in Q1."""
    return WeekFiscalCalendar(9, SATURDAY, rule="last", pattern="4-4-5", extra_week_quarter=1)


def retailer() -> WeekFiscalCalendar:
    """A US retailer (NRF): Saturday nearest 31 January, 4-5-4, named by start year."""
    return WeekFiscalCalendar(
        1, SATURDAY, rule="nearest", pattern="4-5-4", extra_week_quarter=4, naming="start"
    )


def test_apple_fiscal_years_end_on_the_last_saturday_of_september() -> None:
    cal = apple()
    assert cal.year(2022).end == date(2022, 9, 24)
    assert cal.year(2023).end == date(2023, 9, 30)
    assert cal.year(2024).end == date(2024, 9, 28)
    assert cal.year(2023).start == date(2022, 9, 25)


def test_apple_fy2023_has_53_weeks_with_the_extra_one_in_a_14_week_first_quarter() -> None:
    fy = apple().year(2023)
    assert len(fy.weeks) == 53
    assert fy.days == 371
    assert [q.days // 7 for q in fy.quarters] == [14, 13, 13, 13]
    assert fy.quarters[0].end == date(2022, 12, 31)
    assert [p.days // 7 for p in fy.quarters[0].periods] == [4, 4, 6]


def test_retail_fy2023_named_by_start_is_a_53_week_year_from_29_january() -> None:
    fy = retailer().year(2023)
    assert (fy.start, fy.end) == (date(2023, 1, 29), date(2024, 2, 3))
    assert len(fy.weeks) == 53
    assert [p.days // 7 for p in fy.periods] == [4, 5, 4] * 3 + [4, 5, 5]


def test_retail_fy2022_has_52_weeks_and_ends_the_day_before_fy2023() -> None:
    cal = retailer()
    fy = cal.year(2022)
    assert (fy.start, fy.end, len(fy.weeks)) == (date(2022, 1, 30), date(2023, 1, 28), 52)
    assert fy.next() == cal.year(2023)


def test_nearest_rule_can_end_a_year_in_the_next_month() -> None:
    cal = WeekFiscalCalendar(12, SATURDAY, rule="nearest")
    assert cal.year(2026).end == date(2027, 1, 2)
    assert cal.year_of(date(2027, 1, 2)).year == 2026


def test_weeks_start_the_day_after_the_end_weekday() -> None:
    cal = apple()
    week = cal.week_of(date(2026, 3, 4))
    assert week.start.weekday() == 6
    assert week.days == 7
    assert week.fiscal_period.contains(week.start)
    assert week.fiscal_period.contains(week.end)


def test_locate_finds_week_2_of_period_3() -> None:
    cal = retailer()
    week = cal.locate(2023, quarter=1, period=3, week=2)
    assert week.start == cal.period(2023, 3).start.replace(day=cal.period(2023, 3).start.day + 7)
    assert cal.week_of(week.start) == week


@pytest.mark.parametrize(
    ("arguments", "paths"),
    [
        ({"end_month": 13, "end_weekday": 9}, ("end_month", "end_weekday")),
        ({"end_month": 9, "end_weekday": 5, "extra_week_quarter": 5}, ("extra_week_quarter",)),
        ({"end_month": 9, "end_weekday": 5, "pattern": "4-4-4"}, ("pattern",)),
        ({"end_month": 9, "end_weekday": 5, "pattern": "4-4"}, ("pattern",)),
        ({"end_month": 9, "end_weekday": 5, "pattern": "four"}, ("pattern",)),
        ({"end_month": 9, "end_weekday": 5, "rule": "first"}, ("rule",)),
    ],
)
def test_bad_week_settings_are_refused_by_name(
    arguments: dict[str, object], paths: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        WeekFiscalCalendar(**arguments)  # type: ignore[arg-type]
    assert caught.value.paths == paths


def test_a_pattern_that_is_not_13_weeks_says_so() -> None:
    with pytest.raises(ValidationError, match="adds up to 12 weeks"):
        WeekFiscalCalendar(9, SATURDAY, pattern=(4, 4, 4))


def test_patterns_are_accepted_as_text_or_numbers() -> None:
    assert WeekFiscalCalendar(9, 5, pattern=[5, 4, 4]) == WeekFiscalCalendar(9, 5, pattern="5-4-4")
