"""Describe a US retailer's 4-5-4 fiscal calendar and print its quarters and periods.

The calendar: fiscal years end on the Saturday nearest 31 January, quarters
are split 4-5-4 weeks, a 53rd week goes to the last period of the fourth
quarter, and a year is named by the calendar year it starts in (fiscal 2023
runs from 29 January 2023 to 3 February 2024). In a host application the
settings would come from the Program's ``[fiscal]`` table.

Run: ``python examples/fiscal_retail_calendar.py [fiscal year]``
"""

from __future__ import annotations

import sys
from datetime import date

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar, calendar_from_dict, label

SETTINGS: dict[str, object] = {
    "kind": "week",
    "end_month": 1,
    "end_weekday": 5,  # Saturday, counted like date.weekday()
    "rule": "nearest",
    "pattern": "4-5-4",
    "extra_week_quarter": 4,
    "naming": "start",
    "tz": "America/New_York",
}


def describe_year(calendar: FiscalCalendar, number: int) -> list[str]:
    year = calendar.year(number)
    lines = [f"{label(year)}: {year.start} to {year.end}, {len(year.weeks)} weeks"]
    for quarter in year.quarters:
        lines.append(
            f"  {label(quarter)}: {quarter.start} to {quarter.end} ({quarter.days // 7} weeks)"
        )
        for period in quarter.periods:
            name = label(period, "{month_abbr}")
            lines.append(
                f"    {label(period)} {name:<4} {period.start} to {period.end} "
                f"({period.days // 7} weeks)"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        calendar = calendar_from_dict(SETTINGS)
    except ValidationError as error:
        print(f"bad fiscal settings: {error}", file=sys.stderr)
        return 2
    if args and not args[0].isdigit():
        print(f"usage: {sys.argv[0]} [fiscal year]", file=sys.stderr)
        return 2
    number = int(args[0]) if args else 2023
    for line in describe_year(calendar, number):
        print(line)
    black_friday = date(number, 11, 1)
    while black_friday.weekday() != 4 or black_friday.day < 23:
        black_friday = date.fromordinal(black_friday.toordinal() + 1)
    last_year = calendar.comparable(black_friday)
    week_label = "FY{year} W{week:02d}"
    this_week = label(calendar.week_of(black_friday), week_label)
    print(f"Black Friday {black_friday} is in {this_week}")
    print(f"  compare with {last_year} ({label(calendar.week_of(last_year), week_label)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
