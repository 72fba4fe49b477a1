"""The fiscal calendar base: per-year boundary tables and the queries every shape shares.

A calendar computes, for each fiscal year it is asked about, the ordinals
(``date.toordinal()``) where its quarters, periods and weeks start, and
builds the value objects once. Lookups bisect flat lists of those ordinals
over a contiguous span of years, grown on demand and kept on the instance,
so a scalar query allocates nothing and the bulk path is one C-level pass.
"""

from __future__ import annotations

import abc
import enum
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, overload

import pendulum

from partnerkit.core import ErrorCollector, to_date
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal._values import (
    DateRange,
    FiscalPeriod,
    FiscalQuarter,
    FiscalWeek,
    FiscalYear,
)

if TYPE_CHECKING:
    from partnerkit.fiscal._values import FiscalValue

__all__ = ["MAX_YEAR", "MIN_YEAR", "FiscalCalendar", "FiscalKey", "YearNaming"]

MIN_YEAR = 2
"""The first fiscal year a calendar can describe."""

MAX_YEAR = 9997
"""The last fiscal year a calendar can describe."""

FiscalKey = tuple[int, int, int]
"""``(fiscal year, quarter, period)`` as plain integers, as returned by ``map_dates``."""

# Years computed on either side of a newly needed year, so nearby queries stay on the fast path.
_MARGIN = 10
# The most days map_dates keeps in its date -> key table; wider input is bisected per item.
_DAY_TABLE_LIMIT = 200 * 366
# The cached span holds at most this many years; a query far away starts a new span there,
# so memory stays bounded whatever dates come in.
_SPAN_LIMIT = 400


class YearNaming(enum.Enum):
    """Which calendar year gives a fiscal year its number.

    ``END``: fiscal year N is the one that ends in calendar year N (the US
    federal FY2026 runs from October 2025 to September 2026). ``START``: fiscal
    year N is the one that starts in calendar year N (Japan's fiscal 2026 runs
    from April 2026 to March 2027).
    """

    START = "start"
    END = "end"


class _YearTable:
    """One fiscal year's boundaries as ordinals, and its value objects, built once."""

    __slots__ = (
        "fiscal_year",
        "keys",
        "number",
        "period_starts",
        "periods",
        "quarter_starts",
        "quarters",
        "start",
        "stop",
        "week_starts",
        "weeks",
    )

    def __init__(
        self,
        calendar: FiscalCalendar,
        number: int,
        period_starts: Sequence[int],
        stop: int,
        week_starts: Sequence[int],
    ) -> None:
        fromordinal = date.fromordinal
        self.number = number
        self.start = period_starts[0]
        self.stop = stop
        self.period_starts = tuple(period_starts)
        self.quarter_starts = self.period_starts[0::3]
        self.week_starts = tuple(week_starts)
        self.fiscal_year = FiscalYear(
            calendar, number, fromordinal(self.start), fromordinal(stop - 1)
        )
        p_bounds = [*self.period_starts, stop]
        self.periods = tuple(
            FiscalPeriod(
                calendar,
                number,
                i // 3 + 1,
                i + 1,
                fromordinal(p_bounds[i]),
                fromordinal(p_bounds[i + 1] - 1),
            )
            for i in range(12)
        )
        q = self.periods
        self.quarters = (
            FiscalQuarter(calendar, number, 1, q[0].start, q[2].end),
            FiscalQuarter(calendar, number, 2, q[3].start, q[5].end),
            FiscalQuarter(calendar, number, 3, q[6].start, q[8].end),
            FiscalQuarter(calendar, number, 4, q[9].start, q[11].end),
        )
        w_bounds = [*self.week_starts, stop]
        self.weeks = tuple(
            FiscalWeek(
                calendar, number, i + 1, fromordinal(w_bounds[i]), fromordinal(w_bounds[i + 1] - 1)
            )
            for i in range(len(self.week_starts))
        )
        self.keys = tuple((number, i // 3 + 1, i + 1) for i in range(12))


class _Span:
    """Flat, sorted start ordinals and values over the fiscal years ``lo``..``hi``."""

    __slots__ = (
        "day_first",
        "day_keys",
        "day_stop",
        "first",
        "hi",
        "lo",
        "period_keys",
        "period_starts",
        "periods",
        "quarter_starts",
        "quarters",
        "stop",
        "week_starts",
        "weeks",
        "year_starts",
        "years",
    )

    def __init__(self, tables: Sequence[_YearTable]) -> None:
        self.lo = tables[0].number if tables else 1
        self.hi = tables[-1].number if tables else 0
        self.first = tables[0].start if tables else 0
        self.stop = tables[-1].stop if tables else 0
        self.year_starts = [t.start for t in tables]
        self.years = [t.fiscal_year for t in tables]
        self.quarter_starts = [o for t in tables for o in t.quarter_starts]
        self.quarters = [v for t in tables for v in t.quarters]
        self.period_starts = [o for t in tables for o in t.period_starts]
        self.periods = [v for t in tables for v in t.periods]
        self.period_keys = [k for t in tables for k in t.keys]
        self.week_starts = [o for t in tables for o in t.week_starts]
        self.weeks = [v for t in tables for v in t.weeks]
        self.day_keys: dict[date, FiscalKey] | None = None
        self.day_first = self.day_stop = 0

    def build_day_keys(self, first: int, last: int) -> dict[date, FiscalKey]:
        """Map every day of the periods holding ordinals ``first``..``last`` to its key.

        Built for bulk use; the table also keeps the days it already covered
        when the two ranges together stay within the size limit.
        """
        if self.day_keys is not None:
            low, high = min(first, self.day_first), max(last, self.day_stop - 1)
            if high - low <= _DAY_TABLE_LIMIT:
                first, last = low, high
        starts = self.period_starts
        bounds = [*starts, self.stop]
        i = bisect_right(starts, first) - 1
        j = bisect_right(starts, last)
        table: dict[date, FiscalKey] = {}
        fromordinal = date.fromordinal
        for k in range(i, j):
            key = self.period_keys[k]
            for ordinal in range(bounds[k], bounds[k + 1]):
                table[fromordinal(ordinal)] = key
        self.day_first, self.day_stop = bounds[i], bounds[j]
        self.day_keys = table
        return table


def _check_int(
    errors: ErrorCollector,
    path: str,
    value: object,
    low: int | None,
    high: int | None,
    hint: str = "",
) -> int | None:
    """Record an error unless ``value`` is an int (not a bool) within ``low``..``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(path, "invalid", f"expected an integer, got {type(value).__name__}")
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        low_text = "" if low is None else str(low)
        high_text = "" if high is None else str(high)
        errors.add(path, "out_of_range", f"{value} is outside {low_text}..{high_text}{hint}")
        return None
    return value


def _check_naming(errors: ErrorCollector, value: object) -> YearNaming | None:
    """Record an error unless ``value`` is a :class:`YearNaming` or its value."""
    if isinstance(value, YearNaming):
        return value
    if isinstance(value, str):
        for naming in YearNaming:
            if naming.value == value:
                return naming
    errors.add("naming", "invalid_choice", f"{value!r} is not one of: end, start")
    return None


def _check_tz(errors: ErrorCollector, value: object) -> tuple[tzinfo, str] | None:
    """Record an error unless ``value`` names an IANA time zone; return the zone and its name."""
    name: object = value
    if isinstance(value, tzinfo):
        name = getattr(value, "key", None) or getattr(value, "name", None)
    if not isinstance(name, str) or not name:
        errors.add("tz", "invalid", "give an IANA time zone name such as 'America/New_York'")
        return None
    try:
        zone = pendulum.timezone(name)
    except (ValueError, LookupError, OSError):
        errors.add("tz", "invalid", f"{name!r} is not a known IANA time zone")
        return None
    return zone, name


def _out_of_range(path: str) -> ValidationError:
    return ValidationError.single(
        path,
        "out_of_range",
        f"fiscal calendars cover fiscal years {MIN_YEAR} to {MAX_YEAR} only",
    )


class FiscalCalendar(abc.ABC):
    """A fiscal calendar: maps dates to fiscal years, quarters, periods and weeks, and back.

    Implemented by :class:`~partnerkit.fiscal.MonthlyFiscalCalendar` and
    :class:`~partnerkit.fiscal.WeekFiscalCalendar`; code that only queries a
    calendar should accept this type. Calendars are immutable and compare
    equal when their settings are equal. Every query taking ``at`` accepts a
    ``date`` or an aware ``datetime`` (read in the calendar's time zone) and
    raises :class:`~partnerkit.core.errors.ValidationError` for a naive
    datetime, for anything else, and for dates outside fiscal years
    :data:`MIN_YEAR` to :data:`MAX_YEAR`.
    """

    __slots__ = ("_hash", "_naming", "_span", "_tables", "_tz", "_tz_name")

    # Which value a date is matched on by comparable(): "period" or "week".
    _day_unit: ClassVar[str] = "period"

    def _setup(self, naming: YearNaming, zone: tzinfo, tz_name: str) -> None:
        self._naming = naming
        self._tz = zone
        self._tz_name = tz_name
        self._tables: dict[int, _YearTable] = {}
        self._span = _Span(())
        self._hash = hash((type(self).__name__, self._settings()))

    # -- what each shape provides -------------------------------------------------------

    @abc.abstractmethod
    def _settings(self) -> tuple[object, ...]:
        """Return the settings, in constructor argument order (equality, hashing, pickling)."""

    @abc.abstractmethod
    def _layout(self, number: int) -> tuple[list[int], int, list[int]]:
        """Period start ordinals (12), the ordinal after the last day, and week start ordinals."""

    @abc.abstractmethod
    def _year_near(self, day: date) -> int:
        """Return a fiscal year number at most one away from the one holding ``day``."""

    def _nominal_years(self, number: int) -> tuple[int, int]:
        """Return the calendar years fiscal year ``number`` is said to start and end in."""
        year = self._table(number).fiscal_year
        return year.start.year, year.end.year

    @abc.abstractmethod
    def to_dict(self) -> dict[str, object]:
        """Return the settings as a plain dict that :func:`calendar_from_dict` reads back."""

    # -- identity --------------------------------------------------------------------------

    @property
    def naming(self) -> YearNaming:
        """Whether fiscal years are numbered by the calendar year they start or end in."""
        return self._naming

    @property
    def tz(self) -> str:
        """The IANA name of the time zone aware datetimes are read in."""
        return self._tz_name

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, FiscalCalendar)
        return self._settings() == other._settings()

    def __hash__(self) -> int:
        return self._hash

    # -- tables ----------------------------------------------------------------------------

    def _table(self, number: int) -> _YearTable:
        table = self._tables.get(number)
        if table is None:
            table = self._tables[number] = self._build_table(number)
        return table

    def _build_table(self, number: int) -> _YearTable:
        if not MIN_YEAR <= number <= MAX_YEAR:
            raise _out_of_range("year")
        period_starts, stop, week_starts = self._layout(number)
        return _YearTable(self, number, period_starts, stop, week_starts)

    def _extend(self, lo: int, hi: int) -> _Span:
        """Return a span covering fiscal years ``lo``..``hi``, building it when needed.

        The cached span grows by :data:`_MARGIN` years on the side that needed
        it; when it would pass :data:`_SPAN_LIMIT` years it is replaced by one
        around ``lo``..``hi``, and a request wider than the limit gets a span
        of its own that is not kept.
        """
        lo, hi = max(lo, MIN_YEAR), min(hi, MAX_YEAR)
        span = self._span
        if span.lo <= lo and hi <= span.hi:
            return span
        if hi - lo > _SPAN_LIMIT:
            tables = self._tables
            return _Span([tables.get(n) or self._build_table(n) for n in range(lo, hi + 1)])
        if span.lo <= span.hi and max(hi, span.hi) - min(lo, span.lo) <= _SPAN_LIMIT:
            new_lo = lo - _MARGIN if lo < span.lo else span.lo
            new_hi = hi + _MARGIN if hi > span.hi else span.hi
        else:
            new_lo, new_hi = lo - _MARGIN, hi + _MARGIN
        new_lo = max(new_lo, MIN_YEAR)
        new_hi = min(new_hi, MAX_YEAR)
        span = _Span([self._table(n) for n in range(new_lo, new_hi + 1)])
        self._span = span
        if len(self._tables) > 2 * _SPAN_LIMIT:
            # Forget years far from where the queries now are; they rebuild on demand.
            self._tables = {n: t for n, t in self._tables.items() if new_lo <= n <= new_hi}
        return span

    def _cover(self, ordinal: int, path: str = "at") -> _Span:
        """Return a span that holds the day ``ordinal``, growing the cached one if needed."""
        span = self._span
        if span.first <= ordinal < span.stop:
            return span
        number = self._year_near(date.fromordinal(ordinal))
        if number + 1 < MIN_YEAR or number - 1 > MAX_YEAR:
            raise _out_of_range(path)
        span = self._extend(number - 1, number + 1)
        if not span.first <= ordinal < span.stop:
            raise _out_of_range(path)
        return span

    def to_date(self, at: date | datetime, path: str = "at") -> date:
        """Return the business date of ``at``: a date as is, an aware datetime in the zone.

        Raises :class:`~partnerkit.core.errors.ValidationError` naming ``path``
        for a naive datetime or a value that is not a date.
        """
        if type(at) is date:
            return at
        return to_date(at, self._tz, path)

    def _ordinal(self, at: object) -> int:
        return to_date(at, self._tz, "at").toordinal()

    # -- from a date to a value ------------------------------------------------------------

    def year_of(self, at: date | datetime) -> FiscalYear:
        """Return the fiscal year holding ``at``."""
        o = at.toordinal() if type(at) is date else self._ordinal(at)
        s = self._span
        if not s.first <= o < s.stop:
            s = self._cover(o)
        return s.years[bisect_right(s.year_starts, o) - 1]

    def quarter_of(self, at: date | datetime) -> FiscalQuarter:
        """Return the fiscal quarter holding ``at``."""
        o = at.toordinal() if type(at) is date else self._ordinal(at)
        s = self._span
        if not s.first <= o < s.stop:
            s = self._cover(o)
        return s.quarters[bisect_right(s.quarter_starts, o) - 1]

    def period_of(self, at: date | datetime) -> FiscalPeriod:
        """Return the fiscal period (fiscal month) holding ``at``."""
        o = at.toordinal() if type(at) is date else self._ordinal(at)
        s = self._span
        if not s.first <= o < s.stop:
            s = self._cover(o)
        return s.periods[bisect_right(s.period_starts, o) - 1]

    def week_of(self, at: date | datetime) -> FiscalWeek:
        """Return the fiscal week holding ``at``."""
        o = at.toordinal() if type(at) is date else self._ordinal(at)
        s = self._span
        if not s.first <= o < s.stop:
            s = self._cover(o)
        return s.weeks[bisect_right(s.week_starts, o) - 1]

    def map_dates(self, dates: Iterable[date | datetime]) -> list[FiscalKey]:
        """Map many dates to ``(fiscal year, quarter, period)`` tuples, in input order.

        ``dates`` is any iterable of dates or aware datetimes, or an array-like
        with ``tolist()`` (a NumPy ``datetime64[D]`` array). The tuples are
        shared, not copied, so the only allocation is the result list. Raises
        :class:`~partnerkit.core.errors.ValidationError` naming every bad item
        (``dates.<index>``).

        >>> from datetime import date
        >>> from partnerkit.fiscal import MonthlyFiscalCalendar
        >>> MonthlyFiscalCalendar(7).map_dates([date(2026, 6, 30), date(2026, 7, 1)])
        [(2026, 4, 12), (2027, 1, 1)]
        """
        items = _as_list(dates)
        table = self._span.day_keys
        if table is not None:
            try:
                return list(map(table.__getitem__, items))
            except (KeyError, TypeError):
                pass
        table = self._day_table_for(items)
        if table is not None:
            try:
                return list(map(table.__getitem__, items))
            except (KeyError, TypeError):
                pass
        return self._map_dates_slowly(items)

    def _day_table_for(self, items: list[Any]) -> dict[date, FiscalKey] | None:
        """Grow the span over the items' dates and return its day table, if that is worth it."""
        try:
            # C-level passes; mixing dates with datetimes raises TypeError: the slow path sorts
            # that out item by item.
            lo, hi = min(items), max(items)
        except (TypeError, ArithmeticError, ValueError):
            # ArithmeticError: a Decimal NaN among the items (decimal.InvalidOperation).
            return None
        if type(lo) is not date or type(hi) is not date:
            return None
        first, last = lo.toordinal(), hi.toordinal()
        if last - first > _DAY_TABLE_LIMIT or last - first > 8 * len(items) + 3660:
            return None
        self._cover(first, "dates")
        self._cover(last, "dates")
        span = self._extend(self._year_near(lo) - 1, self._year_near(hi) + 1)
        if span is not self._span:
            return None
        return span.build_day_keys(first, last)

    def _map_dates_slowly(self, items: list[Any]) -> list[FiscalKey]:
        errors = ErrorCollector()
        ordinals: list[int] = []
        for i, item in enumerate(items):
            if type(item) is date:
                ordinals.append(item.toordinal())
                continue
            try:
                ordinals.append(to_date(item, self._tz, "").toordinal())
            except ValidationError as exc:
                errors.extend(exc, f"dates.{i}")
        errors.raise_if_any()
        if not ordinals:
            return []
        lo, hi = min(ordinals), max(ordinals)
        self._cover(lo, "dates")
        self._cover(hi, "dates")
        first = self._year_near(date.fromordinal(lo))
        last = self._year_near(date.fromordinal(hi))
        if last - first > _SPAN_LIMIT:
            # Dates spread over centuries: look each one up in its own year's boundaries.
            return self._keys_one_by_one(ordinals)
        span = self._extend(first - 1, last + 1)
        if span is self._span and hi - lo <= _DAY_TABLE_LIMIT:
            span.build_day_keys(lo, hi)
        keys, starts = span.period_keys, span.period_starts
        return [keys[bisect_right(starts, o) - 1] for o in ordinals]

    def _keys_one_by_one(self, ordinals: list[int]) -> list[FiscalKey]:
        """Map ordinals year by year, keeping only this call's boundaries (no value objects)."""
        years: dict[int, tuple[list[int], int, tuple[FiscalKey, ...]]] = {}
        result: list[FiscalKey] = []
        for ordinal in ordinals:
            near = self._year_near(date.fromordinal(ordinal))
            for number in (near, near - 1, near + 1):
                entry = years.get(number)
                if entry is None:
                    if not MIN_YEAR <= number <= MAX_YEAR:
                        continue
                    starts, stop, _ = self._layout(number)
                    keys = tuple((number, i // 3 + 1, i + 1) for i in range(12))
                    entry = years[number] = (starts, stop, keys)
                starts, stop, keys = entry
                if starts[0] <= ordinal < stop:
                    result.append(keys[bisect_right(starts, ordinal) - 1])
                    break
        return result

    # -- from numbers to a value -----------------------------------------------------------

    def year(self, number: int) -> FiscalYear:
        """Return fiscal year ``number`` (named as the calendar's ``naming`` says)."""
        errors = ErrorCollector()
        checked = _check_int(errors, "year", number, MIN_YEAR, MAX_YEAR)
        errors.raise_if_any()
        assert checked is not None
        return self._table(checked).fiscal_year

    def quarter(self, year: int, quarter: int) -> FiscalQuarter:
        """Return quarter ``quarter`` (1 to 4) of fiscal year ``year``."""
        value = self.locate(year, quarter=quarter)
        assert isinstance(value, FiscalQuarter)
        return value

    def period(self, year: int, period: int) -> FiscalPeriod:
        """Return period ``period`` (1 to 12) of fiscal year ``year``."""
        value = self.locate(year, period=period)
        assert isinstance(value, FiscalPeriod)
        return value

    def week(self, year: int, week: int) -> FiscalWeek:
        """Return week ``week`` of fiscal year ``year``, counted from the year's first week."""
        value = self.locate(year, week=week)
        assert isinstance(value, FiscalWeek)
        return value

    def locate(
        self,
        year: int,
        quarter: int | None = None,
        period: int | None = None,
        week: int | None = None,
    ) -> FiscalValue:
        """Return the value named by fiscal numbers: the way back from numbers to dates.

        ``period`` counts 1 to 12 within the year and must lie in ``quarter``
        when both are given; ``week`` counts within the narrowest of period,
        quarter and year that is given (``locate(2026, period=3, week=2)`` is
        the second week of P03). Raises
        :class:`~partnerkit.core.errors.ValidationError` naming every bad number.

        >>> from partnerkit.fiscal import MonthlyFiscalCalendar
        >>> MonthlyFiscalCalendar(10).locate(2026, quarter=1)
        <FiscalQuarter FY2026 Q1 2025-10-01..2025-12-31>
        """
        errors = ErrorCollector()
        number = _check_int(errors, "year", year, MIN_YEAR, MAX_YEAR)
        q = None if quarter is None else _check_int(errors, "quarter", quarter, 1, 4)
        p = None if period is None else _check_int(errors, "period", period, 1, 12)
        w = None if week is None else _check_int(errors, "week", week, 1, None)
        if q is not None and p is not None and (p - 1) // 3 + 1 != q:
            errors.add("period", "out_of_range", f"period {p} is not in quarter {q}")
        errors.raise_if_any()
        assert number is not None
        table = self._table(number)
        parent: FiscalValue = table.fiscal_year
        if p is not None:
            parent = table.periods[p - 1]
        elif q is not None:
            parent = table.quarters[q - 1]
        if week is None:
            return parent
        assert w is not None
        weeks = table.weeks if p is None and q is None else self._weeks_overlapping(parent)
        if w > len(weeks):
            raise ValidationError.single(
                "week", "out_of_range", f"{w} is outside 1..{len(weeks)} for {parent}"
            )
        return weeks[w - 1]

    def _weeks_overlapping(self, value: FiscalValue) -> tuple[FiscalWeek, ...]:
        table = self._table(value.year)
        first = bisect_right(table.week_starts, value.start.toordinal()) - 1
        last = bisect_right(table.week_starts, value.end.toordinal())
        return table.weeks[first:last]

    # -- ranges ----------------------------------------------------------------------------

    def periods_between(
        self, start: date | datetime, end: date | datetime
    ) -> tuple[FiscalPeriod, ...]:
        """Return the periods from the one holding ``start`` to the one holding ``end``.

        Raises :class:`~partnerkit.core.errors.ValidationError` when ``end`` is before ``start``.
        """
        first = self.to_date(start, "start")
        last = self.to_date(end, "end")
        if last < first:
            raise ValidationError.single("end", "out_of_range", f"{last} is before {first}")
        first_year = self.year_of(first).year
        span = self._extend(first_year, self.year_of(last).year)
        i = bisect_right(span.period_starts, first.toordinal()) - 1
        j = bisect_right(span.period_starts, last.toordinal())
        return tuple(span.periods[i:j])

    def year_to_date(self, at: date | datetime) -> DateRange:
        """Return the fiscal year to date: its first day to ``at``'s date, both included."""
        day = self.to_date(at)
        return DateRange(self.year_of(day).start, day)

    def quarter_to_date(self, at: date | datetime) -> DateRange:
        """Return the quarter to date: its first day to ``at``'s date, both included."""
        day = self.to_date(at)
        return DateRange(self.quarter_of(day).start, day)

    def period_to_date(self, at: date | datetime) -> DateRange:
        """Return the period to date: its first day to ``at``'s date, both included."""
        day = self.to_date(at)
        return DateRange(self.period_of(day).start, day)

    # -- year over year --------------------------------------------------------------------

    @overload
    def comparable(self, value: FiscalYear, years: int = -1) -> FiscalYear: ...
    @overload
    def comparable(self, value: FiscalQuarter, years: int = -1) -> FiscalQuarter: ...
    @overload
    def comparable(self, value: FiscalPeriod, years: int = -1) -> FiscalPeriod: ...
    @overload
    def comparable(self, value: FiscalWeek, years: int = -1) -> FiscalWeek: ...
    @overload
    def comparable(self, value: DateRange, years: int = -1) -> DateRange: ...
    @overload
    def comparable(self, value: date, years: int = -1) -> date: ...

    def comparable(
        self, value: FiscalValue | DateRange | date, years: int = -1
    ) -> FiscalValue | DateRange | date:
        """Return the same fiscal value ``years`` fiscal years away (a year before by default).

        Years, quarters and periods keep their numbers. On a week calendar a
        week keeps its period and its place in that period, except that the
        extra week of a 53-week year (the last week of the period that got it)
        becomes the last week of the same period in a 52-week year; so weeks
        after an extra week in Q1 to Q3 still meet the same weeks of their
        quarter. On a monthly calendar a week keeps its number, a week beyond
        the target year's last week becoming that last week. A date keeps
        its place in its unit (its weekday in its fiscal week on a week
        calendar, its day in its period on a monthly one), moved back to the
        unit's last day when the target unit is shorter. A :class:`DateRange`
        maps both ends, so ``comparable(cal.year_to_date(day))`` is the prior
        year to date. Raises :class:`~partnerkit.core.errors.ValidationError`
        for a value of another calendar or a target outside the supported years.
        """
        errors = ErrorCollector()
        shift = _check_int(errors, "years", years, None, None)
        if isinstance(value, (FiscalYear, FiscalQuarter, FiscalPeriod, FiscalWeek)):
            if value.calendar != self:
                errors.add("value", "invalid", "the value belongs to another calendar")
        elif isinstance(value, datetime) or not isinstance(value, (DateRange, date)):
            errors.add(
                "value",
                "invalid",
                f"expected a fiscal value, a date range or a date, got {type(value).__name__}",
            )
        errors.raise_if_any()
        assert shift is not None
        if isinstance(value, FiscalYear):
            return self._table(self._shifted(value.year, shift)).fiscal_year
        if isinstance(value, FiscalQuarter):
            return self._table(self._shifted(value.year, shift)).quarters[value.quarter - 1]
        if isinstance(value, FiscalPeriod):
            return self._table(self._shifted(value.year, shift)).periods[value.period - 1]
        if isinstance(value, FiscalWeek):
            target = self._table(self._shifted(value.year, shift))
            if self._day_unit != "week":
                return target.weeks[min(value.week, len(target.weeks)) - 1]
            # Weeks nest in periods: keep the period and the week's place in it, so the
            # weeks after an extra week in Q1 to Q3 still meet their own quarter's weeks.
            source = self._table(value.year)
            ordinal = value.start.toordinal()
            i = bisect_right(source.period_starts, ordinal) - 1
            place = (ordinal - source.period_starts[i]) // 7
            bounds = [*target.period_starts, target.stop]
            length = (bounds[i + 1] - bounds[i]) // 7
            start = bounds[i] + 7 * min(place, length - 1)
            return target.weeks[(start - target.start) // 7]
        if isinstance(value, DateRange):
            return DateRange(
                self._comparable_day(value.start, shift), self._comparable_day(value.end, shift)
            )
        return self._comparable_day(value, shift)

    def _shifted(self, number: int, shift: int) -> int:
        target = number + shift
        if not MIN_YEAR <= target <= MAX_YEAR:
            raise _out_of_range("years")
        return target

    def _comparable_day(self, day: date, shift: int) -> date:
        unit: FiscalPeriod | FiscalWeek
        unit = self.week_of(day) if self._day_unit == "week" else self.period_of(day)
        target = self.comparable(unit, shift)
        offset = day.toordinal() - unit.start.toordinal()
        return date.fromordinal(min(target.start.toordinal() + offset, target.end.toordinal()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_parts())})"

    def _repr_parts(self) -> list[str]:
        return [f"{k}={v!r}" for k, v in self.to_dict().items() if k != "kind"]


def _as_list(dates: Iterable[Any]) -> list[Any]:
    if isinstance(dates, list):
        return dates
    tolist = getattr(dates, "tolist", None)
    if callable(tolist):
        converted = tolist()
        if isinstance(converted, list):
            return converted
    return list(dates)
