"""Fiscal-year calendars: monthly and 52/53-week (4-4-5, 4-5-4, 5-4-4), queries and labels.

Describe a company's calendar once, then ask it which fiscal year, quarter,
period or week a date falls in, and back:

>>> from datetime import date
>>> from partnerkit.fiscal import MonthlyFiscalCalendar, label
>>> cal = MonthlyFiscalCalendar(start_month=7)
>>> q = cal.quarter_of(date(2026, 8, 15))
>>> label(q), q.start, q.end
('FY2027 Q1', datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
"""

from partnerkit.core._public import publish as _publish
from partnerkit.fiscal._calendar import MAX_YEAR, MIN_YEAR, FiscalCalendar, FiscalKey, YearNaming
from partnerkit.fiscal._config import calendar_from_dict, calendar_to_dict, read_calendar
from partnerkit.fiscal._labels import DEFAULT_PATTERNS, label
from partnerkit.fiscal._monthly import MonthlyFiscalCalendar
from partnerkit.fiscal._values import (
    DateRange,
    FiscalPeriod,
    FiscalQuarter,
    FiscalValue,
    FiscalWeek,
    FiscalYear,
)
from partnerkit.fiscal._weeks import WeekFiscalCalendar

__all__ = [
    "DEFAULT_PATTERNS",
    "MAX_YEAR",
    "MIN_YEAR",
    "DateRange",
    "FiscalCalendar",
    "FiscalKey",
    "FiscalPeriod",
    "FiscalQuarter",
    "FiscalValue",
    "FiscalWeek",
    "FiscalYear",
    "MonthlyFiscalCalendar",
    "WeekFiscalCalendar",
    "YearNaming",
    "calendar_from_dict",
    "calendar_to_dict",
    "label",
    "read_calendar",
]

_publish(__name__, globals(), __all__)
