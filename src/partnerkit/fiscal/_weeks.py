"""52/53-week fiscal years that end on a fixed weekday, with 4-4-5 style periods."""

from __future__ import annotations

from collections.abc import Sequence
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

__all__ = ["WeekFiscalCalendar"]

_RULES = ("last", "nearest")
_WEEKDAYS = " (0 = Monday to 6 = Sunday, like date.weekday())"


def _parse_pattern(errors: ErrorCollector, value: object) -> tuple[int, int, int] | None:
    """Read a period pattern ("4-4-5" or [4, 4, 5]) that adds up to a 13-week quarter."""
    parts: list[object]
    if isinstance(value, str):
        parts = []
        for piece in value.split("-"):
            piece = piece.strip()
            # ASCII digits only ('²'.isdigit() is true too), and a week count's few of them.
            ascii_count = piece.isascii() and piece.isdigit() and len(piece) <= 2
            parts.append(int(piece) if ascii_count else piece)
    elif isinstance(value, Sequence):
        parts = list(value)
    else:
        errors.add("pattern", "invalid", f"expected a pattern like '4-4-5', got {value!r}")
        return None
    weeks = [p for p in parts if isinstance(p, int) and not isinstance(p, bool) and 0 < p < 14]
    if len(parts) != 3 or len(weeks) != 3:
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        errors.add(
            "pattern", "invalid", f"{shown} is not three week counts like '4-4-5' or '4-5-4'"
        )
        return None
    if sum(weeks) != 13:
        errors.add(
            "pattern",
            "invalid",
            f"{value!r} adds up to {sum(weeks)} weeks; a quarter has 13 (4-4-5, 4-5-4 or 5-4-4)",
        )
        return None
    return weeks[0], weeks[1], weeks[2]


class WeekFiscalCalendar(FiscalCalendar):
    """A 52/53-week fiscal year ending on weekday ``end_weekday`` at the end of ``end_month``.

    ``end_weekday`` counts like ``date.weekday()``: 0 = Monday to 6 = Sunday.
    ``rule="last"`` ends the year on the last such weekday in ``end_month``;
    ``rule="nearest"`` on the one nearest the last day of ``end_month``
    (up to three days into the next month). Years have 52 weeks, or 53
    every five or six years. Each quarter has 13 weeks split into three
    periods by ``pattern`` (``"4-4-5"``, ``"4-5-4"`` or ``"5-4-4"``); in a
    53-week year the extra week goes to the last period of quarter
    ``extra_week_quarter`` (1 to 4). ``naming`` numbers a year by the
    calendar year of its last month, ``end_month`` (``END``), or of its first
    month, the one after the previous year's ``end_month`` (``START``), even
    when the weekday rule moves its actual first or last day across a new
    year. Weeks always run from the day after ``end_weekday``.

    Raises :class:`~partnerkit.core.errors.ValidationError` naming every bad argument.

    >>> apple = WeekFiscalCalendar(end_month=9, end_weekday=5)
    >>> apple.year(2023)
    <FiscalYear FY2023 2022-09-25..2023-09-30>
    >>> len(apple.year(2023).weeks)
    53
    """

    __slots__ = ("_end_month", "_end_weekday", "_extra_week_quarter", "_pattern", "_rule")

    _day_unit = "week"

    def __init__(
        self,
        end_month: int,
        end_weekday: int,
        rule: Literal["last", "nearest"] = "last",
        pattern: str | Sequence[int] = "4-4-5",
        extra_week_quarter: int = 4,
        naming: YearNaming | Literal["start", "end"] = YearNaming.END,
        tz: str | tzinfo = "UTC",
    ) -> None:
        errors = ErrorCollector()
        month = _check_int(errors, "end_month", end_month, 1, 12)
        weekday = _check_int(errors, "end_weekday", end_weekday, 0, 6, _WEEKDAYS)
        if rule not in _RULES:
            errors.add("rule", "invalid_choice", f"{rule!r} is not one of: last, nearest")
        weeks = _parse_pattern(errors, pattern)
        extra = _check_int(errors, "extra_week_quarter", extra_week_quarter, 1, 4)
        checked_naming = _check_naming(errors, naming)
        zone = _check_tz(errors, tz)
        errors.raise_if_any()
        assert month is not None
        assert weekday is not None
        assert weeks is not None
        assert extra is not None
        assert checked_naming is not None
        assert zone is not None
        self._end_month = month
        self._end_weekday = weekday
        self._rule = rule
        self._pattern = weeks
        self._extra_week_quarter = extra
        self._setup(checked_naming, zone[0], zone[1])

    @property
    def end_month(self) -> int:
        """The month (1 to 12) fiscal years end in or next to."""
        return self._end_month

    @property
    def end_weekday(self) -> int:
        """The weekday every fiscal year ends on (0 = Monday to 6 = Sunday)."""
        return self._end_weekday

    @property
    def rule(self) -> Literal["last", "nearest"]:
        """``"last"`` weekday of ``end_month``, or the one ``"nearest"`` its last day."""
        return self._rule

    @property
    def pattern(self) -> tuple[int, int, int]:
        """Weeks in each of a quarter's three periods, like ``(4, 4, 5)``."""
        return self._pattern

    @property
    def extra_week_quarter(self) -> int:
        """The quarter (1 to 4) whose last period gets the 53rd week."""
        return self._extra_week_quarter

    def _settings(self) -> tuple[object, ...]:
        return (
            self._end_month,
            self._end_weekday,
            self._rule,
            self._pattern,
            self._extra_week_quarter,
            self._naming,
            self._tz_name,
        )

    def __reduce__(self) -> tuple[type[WeekFiscalCalendar], tuple[object, ...]]:
        return (type(self), self._settings())

    def _anchor(self, number: int) -> int:
        """Return the calendar year of ``end_month`` for fiscal year ``number``."""
        if self._naming is YearNaming.END or self._end_month == 12:
            return number
        return number + 1

    def _nominal_years(self, number: int) -> tuple[int, int]:
        # By its months, not its days: a year ending on the last Saturday of December
        # that starts on 28 December 2025 is still the year "2026 to 2026".
        anchor = self._anchor(number)
        return (anchor if self._end_month == 12 else anchor - 1), anchor

    def _end_ordinal(self, anchor: int) -> int:
        """Return the last day of the fiscal year whose ``end_month`` is in year ``anchor``."""
        month = self._end_month
        last = date(anchor + (1 if month == 12 else 0), month % 12 + 1, 1).toordinal() - 1
        weekday = (last + 6) % 7
        if self._rule == "last":
            return last - (weekday - self._end_weekday) % 7
        delta = (self._end_weekday - weekday) % 7
        return last + (delta - 7 if delta > 3 else delta)

    def _layout(self, number: int) -> tuple[list[int], int, list[int]]:
        anchor = self._anchor(number)
        start = self._end_ordinal(anchor - 1) + 1
        stop = self._end_ordinal(anchor) + 1
        lengths = list(self._pattern) * 4
        if stop - start == 371:
            lengths[3 * self._extra_week_quarter - 1] += 1
        periods = [start]
        for weeks in lengths[:-1]:
            periods.append(periods[-1] + 7 * weeks)
        return periods, stop, list(range(start, stop, 7))

    def _year_near(self, day: date) -> int:
        anchor = day.year if day.month <= self._end_month else day.year + 1
        if self._naming is YearNaming.END or self._end_month == 12:
            return anchor
        return anchor - 1

    def to_dict(self) -> dict[str, object]:
        """Return the settings as a plain dict that :func:`calendar_from_dict` reads back."""
        return {
            "kind": "week",
            "end_month": self._end_month,
            "end_weekday": self._end_weekday,
            "rule": self._rule,
            "pattern": "-".join(str(w) for w in self._pattern),
            "extra_week_quarter": self._extra_week_quarter,
            "naming": self._naming.value,
            "tz": self._tz_name,
        }
