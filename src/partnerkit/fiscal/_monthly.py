"""Fiscal years that start on a fixed day of a fixed month, with calendar months as periods."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Literal

from partnerkit.core import ErrorCollector
from partnerkit.fiscal._calendar import (
    FiscalCalendar,
    YearNaming,
    _check_int,
    _check_naming,
    _check_tz,
)

__all__ = ["MonthlyFiscalCalendar"]


def _weekday(ordinal: int) -> int:
    """``date.weekday()`` of a day ordinal (0 = Monday); day 1 (0001-01-01) was a Monday."""
    return (ordinal + 6) % 7


class MonthlyFiscalCalendar(FiscalCalendar):
    """A fiscal year starting on day ``start_day`` of month ``start_month`` every year.

    Periods are the twelve months from the start (from the 6th to the 5th
    for a year starting on 6 April), three to a quarter. ``naming`` says
    whether fiscal year N ends in calendar year N (``YearNaming.END``, the
    default) or starts in it (``YearNaming.START``); a calendar year starting
    on 1 January is numbered the same either way. ``tz`` is the IANA zone
    aware datetimes are read in. ``week_start`` chooses how fiscal weeks
    are counted: ``None`` (the default) cuts seven-day weeks from the
    year's first day (the last week of the year has one or two days);
    a weekday (0 = Monday to 6 = Sunday) starts each week on that day, the
    first week running from the year's first day to the day before.

    ``start_day`` is 1 to 28, so that every month has it. Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every bad argument.

    >>> us_federal = MonthlyFiscalCalendar(10)
    >>> us_federal.year(2026)
    <FiscalYear FY2026 2025-10-01..2026-09-30>
    >>> MonthlyFiscalCalendar(13, start_day=31, naming="sideways")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 3 invalid fields: start_month: ...
    """

    __slots__ = ("_start_day", "_start_month", "_week_start")

    def __init__(
        self,
        start_month: int,
        start_day: int = 1,
        naming: YearNaming | Literal["start", "end"] = YearNaming.END,
        tz: str | tzinfo = "UTC",
        week_start: int | None = None,
    ) -> None:
        errors = ErrorCollector()
        month = _check_int(errors, "start_month", start_month, 1, 12)
        day = _check_int(errors, "start_day", start_day, 1, 28, " (a day every month has)")
        checked_naming = _check_naming(errors, naming)
        zone = _check_tz(errors, tz)
        weekday = None
        if week_start is not None:
            weekday = _check_int(
                errors, "week_start", week_start, 0, 6, " (0 = Monday to 6 = Sunday)"
            )
        errors.raise_if_any()
        assert month is not None
        assert day is not None
        assert checked_naming is not None
        assert zone is not None
        self._start_month = month
        self._start_day = day
        self._week_start = weekday
        self._setup(checked_naming, zone[0], zone[1])

    @property
    def start_month(self) -> int:
        """The month (1 to 12) fiscal years start in."""
        return self._start_month

    @property
    def start_day(self) -> int:
        """The day of ``start_month`` (1 to 28) fiscal years start on."""
        return self._start_day

    @property
    def week_start(self) -> int | None:
        """The weekday weeks start on (0 = Monday), or None for weeks cut from the year start."""
        return self._week_start

    def _settings(self) -> tuple[object, ...]:
        return (
            self._start_month,
            self._start_day,
            self._naming,
            self._tz_name,
            self._week_start,
        )

    def __reduce__(self) -> tuple[type[MonthlyFiscalCalendar], tuple[object, ...]]:
        return (type(self), self._settings())

    def _first_calendar_year(self, number: int) -> int:
        """Return the calendar year fiscal year ``number`` starts in."""
        if self._naming is YearNaming.START or (self._start_month, self._start_day) == (1, 1):
            return number
        return number - 1

    def _layout(self, number: int) -> tuple[list[int], int, list[int]]:
        year = self._first_calendar_year(number)
        month0 = self._start_month - 1
        day = self._start_day
        bounds = [
            date(year + (month0 + k) // 12, (month0 + k) % 12 + 1, day).toordinal()
            for k in range(13)
        ]
        start, stop = bounds[0], bounds[12]
        if self._week_start is None:
            weeks = list(range(start, stop, 7))
        else:
            first_full = start + ((self._week_start - _weekday(start)) % 7 or 7)
            weeks = [start, *range(first_full, stop, 7)]
        return bounds[:12], stop, weeks

    def _year_near(self, day: date) -> int:
        started = (day.month, day.day) >= (self._start_month, self._start_day)
        first_year = day.year if started else day.year - 1
        if self._naming is YearNaming.START or (self._start_month, self._start_day) == (1, 1):
            return first_year
        return first_year + 1

    def to_dict(self) -> dict[str, object]:
        """Return the settings as a plain dict that :func:`calendar_from_dict` reads back.

        >>> MonthlyFiscalCalendar(4, naming="start", tz="Asia/Tokyo").to_dict()
        {'kind': 'monthly', 'start_month': 4, 'start_day': 1, 'naming': 'start', 'tz': 'Asia/Tokyo'}
        """
        data: dict[str, object] = {
            "kind": "monthly",
            "start_month": self._start_month,
            "start_day": self._start_day,
            "naming": self._naming.value,
            "tz": self._tz_name,
        }
        if self._week_start is not None:
            data["week_start"] = self._week_start
        return data
