"""Labels for fiscal values ("FY2027", "FY2027 Q3", "P07"), month names through babel."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal._values import FiscalPeriod, FiscalQuarter, FiscalWeek, FiscalYear

__all__ = ["DEFAULT_PATTERNS", "label"]

DEFAULT_PATTERNS: Mapping[type, str] = MappingProxyType(
    {
        FiscalYear: "FY{year}",
        FiscalQuarter: "FY{year} Q{quarter}",
        FiscalPeriod: "P{period:02d}",
        FiscalWeek: "W{week:02d}",
    }
)
"""The pattern :func:`label` uses for each value type when none is given (read-only)."""

_MONTH_FIELDS = ("month", "month_abbr")


class _Fields(dict[str, Any]):
    """Placeholder values; month names are looked up only when a pattern asks for them."""

    def __init__(self, value: FiscalYear | FiscalQuarter | FiscalPeriod | FiscalWeek, locale: str):
        super().__init__()
        self._value = value
        self._locale = locale

    def __missing__(self, key: str) -> str:
        if key in _MONTH_FIELDS and isinstance(self._value, FiscalPeriod):
            from babel.dates import get_month_names  # babel loads only when a label needs it

            names = get_month_names(
                "wide" if key == "month" else "abbreviated",
                context="stand-alone",
                locale=self._locale,
            )
            return str(names[_main_month(self._value)])
        raise KeyError(key)


def _main_month(period: FiscalPeriod) -> int:
    """Return the calendar month holding most of the period (its middle day's month)."""
    middle = (period.start.toordinal() + period.end.toordinal()) // 2
    return date.fromordinal(middle).month


def _check_locale(locale: str) -> None:
    from partnerkit.core._money import _locale  # the one locale check

    _locale(locale)


def label(
    value: FiscalYear | FiscalQuarter | FiscalPeriod | FiscalWeek,
    pattern: str | None = None,
    locale: str = "en",
) -> str:
    """Format a fiscal value for people, with ``str.format`` placeholders.

    Placeholders: ``{year}`` (the fiscal year number), ``{yy}`` (its last two
    digits), ``{start_year}``/``{end_year}`` and ``{start_yy}``/``{end_yy}``
    (the calendar years of the fiscal year's first and last month, for labels
    like "FY2025-26"; on week calendars by month, not by the exact day),
    ``{start}``/``{end}`` (dates), and by value type
    ``{quarter}``, ``{period}``, ``{week}``. Periods also have ``{month}``
    and ``{month_abbr}``: the name of the calendar month holding most of the
    period, in ``locale`` (through babel). Raises
    :class:`~partnerkit.core.errors.ValidationError` for an unknown
    placeholder (``pattern``) or locale (``locale``).

    >>> from partnerkit.fiscal import MonthlyFiscalCalendar
    >>> cal = MonthlyFiscalCalendar(4, naming="start")
    >>> p = cal.period(2025, 10)
    >>> label(p), label(p.fiscal_quarter), label(p.fiscal_year)
    ('P10', 'FY2025 Q4', 'FY2025')
    >>> label(p, "{month} {end_year} (FY{start_year}-{end_yy})", locale="de")
    'Januar 2026 (FY2025-26)'
    """
    if not isinstance(value, (FiscalYear, FiscalQuarter, FiscalPeriod, FiscalWeek)):
        raise ValidationError.single(
            "value", "invalid", f"expected a fiscal value, got {type(value).__name__}"
        )
    if pattern is None:
        pattern = DEFAULT_PATTERNS[type(value)]
    _check_pattern(pattern)
    _check_locale(locale)
    fields = _Fields(value, locale)
    start_year, end_year = value.calendar._nominal_years(value.year)
    fields.update(
        year=value.year,
        yy=f"{value.year % 100:02d}",
        start_year=start_year,
        end_year=end_year,
        start_yy=f"{start_year % 100:02d}",
        end_yy=f"{end_year % 100:02d}",
        start=value.start,
        end=value.end,
    )
    if isinstance(value, FiscalQuarter):
        fields["quarter"] = value.quarter
    elif isinstance(value, FiscalPeriod):
        fields.update(quarter=value.quarter, period=value.period)
    elif isinstance(value, FiscalWeek):
        fields["week"] = value.week
    try:
        return pattern.format_map(fields)
    except KeyError as exc:
        allowed = ", ".join(sorted([*fields, *(_MONTH_FIELDS if "period" in fields else ())]))
        raise ValidationError.single(
            "pattern",
            "invalid",
            f"unknown placeholder {exc.args[0]!r} for a {type(value).__name__}; use {allowed}",
        ) from None
    except (ValueError, IndexError, AttributeError, TypeError) as exc:
        raise ValidationError.single("pattern", "invalid", f"bad pattern: {exc}") from None


_PATTERN_LIMIT = 200
_WIDTH_LIMIT = 100
# A format spec's fill/align/sign/#/0, then width and precision (str.format's mini-language).
_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?z?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?")


def _check_pattern(pattern: object) -> None:
    """Refuse what ``str.format`` would do more with than fill in a named field.

    Only plain names (no ``[index]`` or ``.attribute``), no nested fields in a
    format spec, widths and precisions up to 100, and patterns up to 200
    characters: a label pattern comes from a settings page, not from code.
    """
    if not isinstance(pattern, str):
        raise ValidationError.single("pattern", "invalid", "expected text")
    if len(pattern) > _PATTERN_LIMIT:
        raise ValidationError.single("pattern", "invalid", f"at most {_PATTERN_LIMIT} characters")
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValidationError.single("pattern", "invalid", f"bad pattern: {exc}") from None
    for _, name, spec, _conversion in parts:
        if name is None:
            continue
        if not name.isidentifier():
            raise ValidationError.single(
                "pattern", "invalid", f"{{{name}}}: use a plain placeholder name"
            )
        if spec and "{" in spec:
            raise ValidationError.single("pattern", "invalid", "no placeholders inside a format")
        if spec and re.search(r"%[-_0^#]*\d", spec):
            raise ValidationError.single(
                "pattern", "out_of_range", "no widths in a date format (%Y, not %9Y)"
            )
        match = _SPEC.match(spec or "")
        sizes = [match.group("width"), match.group("precision")] if match else []
        if any(size and (len(size) > 3 or int(size) > _WIDTH_LIMIT) for size in sizes):
            raise ValidationError.single(
                "pattern", "out_of_range", f"widths and precisions are at most {_WIDTH_LIMIT}"
            )
