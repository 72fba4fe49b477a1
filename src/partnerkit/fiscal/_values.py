"""Fiscal values: years, quarters, periods, weeks, and plain date ranges.

Values are frozen and hold the calendar they came from, so a quarter can
hand out its periods, its neighbours and its year without being told the
calendar again. Get them from a calendar (``cal.quarter_of(day)``), not by
calling the constructors.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from partnerkit.core._validation import ErrorCollector, expected, is_day
from partnerkit.core.errors import ValidationError

if TYPE_CHECKING:
    from partnerkit.fiscal._calendar import FiscalCalendar

__all__ = ["DateRange", "FiscalPeriod", "FiscalQuarter", "FiscalWeek", "FiscalYear"]

_ONE_DAY = timedelta(days=1)


def _plain_date(value: object, path: str) -> date:
    """Return ``value`` if it is a date (not a datetime); refuse anything else."""
    if is_day(value):
        return value
    raise ValidationError.single(path, "invalid", expected("a date", value))


@attrs.frozen(repr=False)
class DateRange:
    """Consecutive calendar days from ``start`` to ``end``, both included.

    Raises :class:`~partnerkit.core.errors.ValidationError` when ``end`` is
    before ``start``, or either is no date (a datetime is refused too).

    >>> from datetime import date
    >>> r = DateRange(date(2026, 7, 1), date(2026, 9, 30))
    >>> r.days, r.contains(date(2026, 9, 30))
    (92, True)
    """

    start: date
    end: date

    def __attrs_post_init__(self) -> None:
        if not (is_day(self.start) and is_day(self.end)):
            errors = ErrorCollector()
            for name, value in (("start", self.start), ("end", self.end)):
                if not is_day(value):
                    errors.add(name, "invalid", expected("a date", value))
            errors.raise_if_any()
        if self.end < self.start:
            raise ValidationError.single(
                "end", "out_of_range", f"end {self.end} is before start {self.start}"
            )

    @property
    def days(self) -> int:
        """The number of days in the range, both ends counted."""
        return self.end.toordinal() - self.start.toordinal() + 1

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies in the range; datetimes are refused (convert them first)."""
        day = _plain_date(day, "day")
        return self.start <= day <= self.end

    def dates(self) -> Iterator[date]:
        """Yield every day of the range, in order."""
        day = self.start
        while day <= self.end:
            yield day
            if day == self.end:
                return
            day += _ONE_DAY

    def __repr__(self) -> str:
        return f"DateRange({self.start.isoformat()}..{self.end.isoformat()})"


class _FiscalValue:
    """What every fiscal value shares: bounds, length, membership, order and repr."""

    __slots__ = ()

    if TYPE_CHECKING:
        calendar: FiscalCalendar
        year: int
        start: date
        end: date

    @property
    def days(self) -> int:
        """The number of days, first and last included."""
        return self.end.toordinal() - self.start.toordinal() + 1

    @property
    def range(self) -> DateRange:
        """The days covered, as a :class:`DateRange`."""
        return DateRange(self.start, self.end)

    def contains(self, at: date | datetime) -> bool:
        """Whether a date, or an aware datetime in the calendar's time zone, falls inside.

        Raises :class:`~partnerkit.core.errors.ValidationError` for naive datetimes.
        """
        day = self.calendar.to_date(at)
        return self.start <= day <= self.end

    def _start_of(self, other: object) -> date | None:
        """Return ``other``'s first day if it is the same kind of value of the same calendar."""
        if type(other) is type(self):
            assert isinstance(other, _FiscalValue)
            if other.calendar == self.calendar:
                return other.start
        return None

    def __lt__(self, other: object) -> bool:
        start = self._start_of(other)
        return NotImplemented if start is None else self.start < start

    def __le__(self, other: object) -> bool:
        start = self._start_of(other)
        return NotImplemented if start is None else self.start <= start

    def __gt__(self, other: object) -> bool:
        start = self._start_of(other)
        return NotImplemented if start is None else self.start > start

    def __ge__(self, other: object) -> bool:
        start = self._start_of(other)
        return NotImplemented if start is None else self.start >= start

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self} {self.start.isoformat()}..{self.end.isoformat()}>"


@attrs.frozen(repr=False, order=False)
class FiscalYear(_FiscalValue):
    """One fiscal year of a calendar: ``year`` is its number, ``start``..``end`` its days.

    ``end`` is the last day, included. Compare years of the same calendar
    with ``<``; comparing values of different calendars raises ``TypeError``.
    """

    calendar: FiscalCalendar
    year: int
    start: date
    end: date

    @property
    def quarters(self) -> tuple[FiscalQuarter, FiscalQuarter, FiscalQuarter, FiscalQuarter]:
        """The four quarters, in order."""
        return self.calendar._table(self.year).quarters

    @property
    def periods(self) -> tuple[FiscalPeriod, ...]:
        """The twelve periods (fiscal months), in order."""
        return self.calendar._table(self.year).periods

    @property
    def weeks(self) -> tuple[FiscalWeek, ...]:
        """The fiscal weeks, in order (52 or 53 on a week calendar; see the docs for others)."""
        return self.calendar._table(self.year).weeks

    def next(self) -> FiscalYear:
        """Return the following fiscal year."""
        return self.calendar.year(self.year + 1)

    def previous(self) -> FiscalYear:
        """Return the fiscal year before."""
        return self.calendar.year(self.year - 1)

    def __str__(self) -> str:
        return f"FY{self.year}"


@attrs.frozen(repr=False, order=False)
class FiscalQuarter(_FiscalValue):
    """One fiscal quarter: ``quarter`` (1 to 4) of fiscal year ``year``, ``start``..``end``."""

    calendar: FiscalCalendar
    year: int
    quarter: int
    start: date
    end: date

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year this quarter belongs to."""
        return self.calendar._table(self.year).fiscal_year

    @property
    def periods(self) -> tuple[FiscalPeriod, FiscalPeriod, FiscalPeriod]:
        """The three periods of the quarter, in order."""
        periods = self.calendar._table(self.year).periods
        first = 3 * (self.quarter - 1)
        return periods[first], periods[first + 1], periods[first + 2]

    @property
    def weeks(self) -> tuple[FiscalWeek, ...]:
        """The fiscal weeks that overlap the quarter, in order."""
        return self.calendar._weeks_overlapping(self)

    def next(self) -> FiscalQuarter:
        """Return the following quarter (the first of the next year after Q4)."""
        return self.calendar.quarter_of(self.end + _ONE_DAY)

    def previous(self) -> FiscalQuarter:
        """Return the quarter before."""
        return self.calendar.quarter_of(self.start - _ONE_DAY)

    def __str__(self) -> str:
        return f"FY{self.year} Q{self.quarter}"


@attrs.frozen(repr=False, order=False)
class FiscalPeriod(_FiscalValue):
    """One fiscal period (fiscal month): ``period`` 1 to 12 of ``year``, in ``quarter``."""

    calendar: FiscalCalendar
    year: int
    quarter: int
    period: int
    start: date
    end: date

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year this period belongs to."""
        return self.calendar._table(self.year).fiscal_year

    @property
    def fiscal_quarter(self) -> FiscalQuarter:
        """The quarter this period belongs to."""
        return self.calendar._table(self.year).quarters[self.quarter - 1]

    @property
    def weeks(self) -> tuple[FiscalWeek, ...]:
        """The fiscal weeks that overlap the period, in order.

        On a week calendar they nest exactly; on a monthly calendar the first
        and last week may also overlap the neighbouring period.
        """
        return self.calendar._weeks_overlapping(self)

    def next(self) -> FiscalPeriod:
        """Return the following period (P01 of the next year after P12)."""
        return self.calendar.period_of(self.end + _ONE_DAY)

    def previous(self) -> FiscalPeriod:
        """Return the period before."""
        return self.calendar.period_of(self.start - _ONE_DAY)

    def __str__(self) -> str:
        return f"FY{self.year} P{self.period:02d}"


@attrs.frozen(repr=False, order=False)
class FiscalWeek(_FiscalValue):
    """One fiscal week: number ``week`` of fiscal year ``year``, ``start``..``end``.

    Weeks never cross a fiscal year end, so on monthly calendars the first
    and last week of a year can be shorter than seven days.
    """

    calendar: FiscalCalendar
    year: int
    week: int
    start: date
    end: date

    @property
    def fiscal_year(self) -> FiscalYear:
        """The fiscal year this week belongs to."""
        return self.calendar._table(self.year).fiscal_year

    @property
    def fiscal_quarter(self) -> FiscalQuarter:
        """The quarter holding the week's first day."""
        return self.calendar.quarter_of(self.start)

    @property
    def fiscal_period(self) -> FiscalPeriod:
        """The period holding the week's first day."""
        return self.calendar.period_of(self.start)

    def next(self) -> FiscalWeek:
        """Return the following week (week 1 of the next year after the last week)."""
        return self.calendar.week_of(self.end + _ONE_DAY)

    def previous(self) -> FiscalWeek:
        """Return the week before."""
        return self.calendar.week_of(self.start - _ONE_DAY)

    def __str__(self) -> str:
        return f"FY{self.year} W{self.week:02d}"


FiscalValue = FiscalYear | FiscalQuarter | FiscalPeriod | FiscalWeek
