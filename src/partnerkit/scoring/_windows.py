"""KPI windows: trailing days, fiscal years, quarters and periods, and the to-date spans."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import attrs

from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import DateRange, FiscalCalendar

__all__ = ["WINDOW_KINDS", "Span", "Window"]

#: The window kinds: ``trailing`` N days, the current fiscal ``year``/``quarter``/``period``,
#: and the fiscal year/quarter/period to date (``ytd``/``qtd``/``ptd``).
WINDOW_KINDS = ("trailing", "year", "quarter", "period", "ytd", "qtd", "ptd")


@attrs.frozen
class Span:
    """A resolved window: the days it counts, and how much of its fiscal unit has elapsed.

    ``start``..``end`` are both included. ``elapsed_days`` of ``total_days``
    have passed on the scoring day (a trailing window is always complete), so
    :attr:`elapsed` is the share a target is paced by.
    """

    start: date
    end: date
    elapsed_days: int
    total_days: int

    @property
    @isolated
    def elapsed(self) -> Decimal:
        """The elapsed share of the window's fiscal unit, 0 < share <= 1 (exact to 28 digits)."""
        return Decimal(self.elapsed_days) / Decimal(self.total_days)

    @property
    def range(self) -> DateRange:
        """The counted days as a :class:`~partnerkit.fiscal.DateRange`."""
        return DateRange(self.start, self.end)


def _check(kind: object, days: object) -> None:
    problems = []
    if kind not in WINDOW_KINDS:
        problems.append(("kind", "invalid_choice", f"{kind!r} is not one of {WINDOW_KINDS}"))
    if kind == "trailing":
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3660:
            problems.append(("days", "out_of_range", "a trailing window needs 1..3660 days"))
    elif days is not None:
        problems.append(("days", "invalid", "only trailing windows take days"))
    if problems:
        from partnerkit.core.errors import FieldError

        raise ValidationError(FieldError(*p) for p in problems)


@attrs.frozen
class Window:
    """Which days a KPI counts, relative to the scoring day and the program's fiscal calendar.

    Build one with the class methods. ``resolve(calendar, as_of)`` gives the
    :class:`Span`; a bad kind or day count is a
    :class:`~partnerkit.core.errors.ValidationError`.

    >>> from datetime import date
    >>> from partnerkit.fiscal import MonthlyFiscalCalendar
    >>> cal = MonthlyFiscalCalendar(start_month=2)
    >>> span = Window.year_to_date().resolve(cal, date(2026, 7, 15))
    >>> span.start, span.end, span.elapsed_days, span.total_days
    (datetime.date(2026, 2, 1), datetime.date(2026, 7, 15), 165, 365)
    >>> Window.trailing(30).resolve(cal, date(2026, 7, 15)).start
    datetime.date(2026, 6, 16)
    """

    kind: str
    days: int | None = None

    def __attrs_post_init__(self) -> None:
        _check(self.kind, self.days)

    @classmethod
    def trailing(cls, days: int) -> Window:
        """The ``days`` days ending on the scoring day (always fully elapsed)."""
        return cls("trailing", days)

    @classmethod
    def fiscal_year(cls) -> Window:
        """The whole fiscal year holding the scoring day."""
        return cls("year")

    @classmethod
    def fiscal_quarter(cls) -> Window:
        """The whole fiscal quarter holding the scoring day."""
        return cls("quarter")

    @classmethod
    def fiscal_period(cls) -> Window:
        """The whole fiscal period (month) holding the scoring day."""
        return cls("period")

    @classmethod
    def year_to_date(cls) -> Window:
        """The fiscal year from its first day to the scoring day."""
        return cls("ytd")

    @classmethod
    def quarter_to_date(cls) -> Window:
        """The fiscal quarter from its first day to the scoring day."""
        return cls("qtd")

    @classmethod
    def period_to_date(cls) -> Window:
        """The fiscal period from its first day to the scoring day."""
        return cls("ptd")

    @property
    def label(self) -> str:
        """A short machine label: ``ytd``, ``qtd``, ``trailing_90d``, ..."""
        return f"trailing_{self.days}d" if self.kind == "trailing" else self.kind

    def resolve(self, calendar: FiscalCalendar, as_of: date) -> Span:
        """The days this window covers on ``as_of``, and the elapsed share of its fiscal unit."""
        if self.kind == "trailing":
            assert self.days is not None
            return Span(as_of - timedelta(days=self.days - 1), as_of, self.days, self.days)
        unit_kind = self.kind[0] if len(self.kind) == 3 else self.kind
        unit = (
            calendar.year_of(as_of)
            if unit_kind in ("year", "y")
            else calendar.quarter_of(as_of)
            if unit_kind in ("quarter", "q")
            else calendar.period_of(as_of)
        )
        elapsed = as_of.toordinal() - unit.start.toordinal() + 1
        end = as_of if len(self.kind) == 3 else unit.end
        return Span(unit.start, end, elapsed, unit.days)

    def comparable(self, calendar: FiscalCalendar, as_of: date, years: int = -1) -> Span:
        """The same window ``years`` fiscal years away (the prior year by default), for YoY."""
        span = self.resolve(calendar, as_of)
        moved = calendar.comparable(span.range, years)
        return Span(moved.start, moved.end, span.total_days, span.total_days)
