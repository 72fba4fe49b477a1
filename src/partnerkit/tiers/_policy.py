"""Tier-change policy: when upgrades start, when downgrades may happen, manual overrides."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

import attrs

from partnerkit.core._context import isolated
from partnerkit.core._time import add_months
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.fiscal import FiscalCalendar, FiscalPeriod, FiscalQuarter, FiscalYear
from partnerkit.tiers._evaluate import TierEvaluation
from partnerkit.tiers._history import TierChange, TierHistory
from partnerkit.tiers._ladder import TierLadder

__all__ = [
    "FISCAL_UNITS",
    "PERIODS",
    "CalendarReviews",
    "FiscalReviews",
    "FiscalUnit",
    "Period",
    "ReviewCalendar",
    "TierOverride",
    "TierPolicy",
    "UpgradeTiming",
]

#: Calendar periods :class:`CalendarReviews` understands.
Period = Literal["month", "quarter", "half", "year"]
PERIODS: tuple[Period, ...] = ("month", "quarter", "half", "year")
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}

#: When an upgrade takes effect: on the review day, or when the next period starts.
UpgradeTiming = Literal["immediate", "next_period"]


@runtime_checkable
class ReviewCalendar(Protocol):
    """The dates a tier policy needs: period starts and review dates.

    Implemented by :class:`CalendarReviews` (calendar months, quarters,
    halves and years), by :class:`FiscalReviews` (the fiscal periods,
    quarters and years of a :mod:`partnerkit.fiscal` calendar, a 4-4-5 year
    say) and by hosts. Methods must be pure.
    """

    def period_start_after(self, day: date) -> date:
        """The first day of the period that follows the one containing ``day``.

        Raises:
            ValueError: if ``day`` is outside the calendar's range.

        """
        ...

    def is_review_date(self, day: date) -> bool:
        """Whether tiers may be lowered on ``day`` (a period end, usually).

        Raises:
            ValueError: if ``day`` is outside the calendar's range.

        """
        ...

    def next_review_date(self, day: date) -> date:
        """The first review date on or after ``day``.

        Raises:
            ValueError: if ``day`` is outside the calendar's range.

        """
        ...


def _beyond(day: object) -> ValidationError:
    return ValidationError.single(
        "day",
        "out_of_range",
        f"the review period of {day} reaches outside the years 1 to 9999",
    )


def _shift(day: date, months: int, origin: date) -> date:
    try:
        return add_months(day, months)
    except ValidationError:
        raise _beyond(origin) from None


def _period_start(day: date, months: int, first_month: int) -> date:
    """The first day of the period of ``months`` months (a year starting in ``first_month``)."""
    return _shift(date(day.year, day.month, 1), -((day.month - first_month) % months), day)


def _day_after(day: date, origin: date) -> date:
    if day == date.max:
        raise _beyond(origin)
    return day + timedelta(days=1)


def _check_day(day: object) -> date:
    if not isinstance(day, date):
        raise ValidationError.single("day", "invalid", f"expected a date, got {type(day).__name__}")
    return day


@attrs.frozen
class CalendarReviews:
    """A review calendar of calendar months: periods of ``period``, reviews at ``review`` ends.

    Periods start on the first of a month; ``first_month`` (1-12) is the
    month the year (and so the quarters and halves) starts in. Upgrades
    timed ``"next_period"`` start on the first day of the next ``period``;
    downgrades happen on the last day of a ``review`` period (defaults to
    ``period``). Raises :class:`ValidationError` for bad settings.

    >>> from datetime import date
    >>> reviews = CalendarReviews("quarter", first_month=4)
    >>> reviews.period_start_after(date(2026, 5, 20)), reviews.is_review_date(date(2026, 6, 30))
    (datetime.date(2026, 7, 1), True)
    """

    period: Period = "quarter"
    review: Period | None = None
    first_month: int = 1

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if self.period not in _MONTHS:
            errors.append(
                FieldError("period", "invalid_choice", f"{self.period!r} is not one of: {PERIODS}")
            )
        if self.review is not None and self.review not in _MONTHS:
            errors.append(
                FieldError("review", "invalid_choice", f"{self.review!r} is not one of: {PERIODS}")
            )
        if (
            isinstance(self.first_month, bool)
            or not isinstance(self.first_month, int)
            or not 1 <= self.first_month <= 12
        ):
            errors.append(FieldError("first_month", "out_of_range", "use a month from 1 to 12"))
        if errors:
            raise ValidationError(errors)

    def period_start_after(self, day: date) -> date:
        """The first day of the next ``period``.

        A day whose next period starts after year 9999 (or whose period starts
        before year 1) is a :class:`ValidationError` at ``day`` (``out_of_range``).
        """
        months = _MONTHS[self.period]
        day = _check_day(day)
        return _shift(_period_start(day, months, self.first_month), months, day)

    def is_review_date(self, day: date) -> bool:
        """Whether ``day`` is the last day of a ``review`` period."""
        return self.next_review_date(day) == day

    def next_review_date(self, day: date) -> date:
        """The last day of the ``review`` period containing ``day``.

        A period that ends after year 9999 is a :class:`ValidationError` at
        ``day`` (``out_of_range``), as for :meth:`period_start_after`.
        """
        months = _MONTHS[self.review or self.period]
        day = _check_day(day)
        start = _period_start(day, months, self.first_month)
        return _shift(start, months, day) - timedelta(days=1)


#: Fiscal units :class:`FiscalReviews` understands.
FiscalUnit = Literal["period", "quarter", "year"]
FISCAL_UNITS: tuple[FiscalUnit, ...] = ("period", "quarter", "year")


@attrs.frozen
class FiscalReviews:
    """A review calendar over the program's fiscal calendar (monthly or 52/53-week).

    Upgrades timed ``"next_period"`` start on the first day of the next
    fiscal ``period`` (``"period"``, ``"quarter"`` or ``"year"``);
    downgrades happen on the last day of a fiscal ``review`` unit (defaults
    to ``period``). Raises :class:`ValidationError` for bad settings.

    >>> from datetime import date
    >>> from partnerkit.fiscal import WeekFiscalCalendar
    >>> retail = WeekFiscalCalendar(end_month=1, end_weekday=5, rule="nearest", pattern="4-5-4")
    >>> reviews = FiscalReviews(retail, "quarter", review="year")
    >>> reviews.period_start_after(date(2026, 3, 10)), reviews.next_review_date(date(2026, 3, 10))
    (datetime.date(2026, 5, 3), datetime.date(2027, 1, 30))
    """

    calendar: FiscalCalendar
    period: FiscalUnit = "quarter"
    review: FiscalUnit | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.calendar, FiscalCalendar):
            errors.append(
                FieldError("calendar", "invalid", "expected a partnerkit.fiscal calendar")
            )
        for name, value in (("period", self.period), ("review", self.review)):
            if value is not None and value not in FISCAL_UNITS:
                errors.append(
                    FieldError(name, "invalid_choice", f"{value!r} is not one of: {FISCAL_UNITS}")
                )
        if errors:
            raise ValidationError(errors)

    def _unit(self, unit: FiscalUnit, day: date) -> FiscalYear | FiscalQuarter | FiscalPeriod:
        if unit == "year":
            return self.calendar.year_of(day)
        if unit == "quarter":
            return self.calendar.quarter_of(day)
        return self.calendar.period_of(day)

    def period_start_after(self, day: date) -> date:
        """The first day of the fiscal ``period`` after the one containing ``day``.

        A next period after year 9999 is a :class:`ValidationError` at ``day``
        (``out_of_range``).
        """
        return _day_after(self._unit(self.period, _check_day(day)).end, day)

    def is_review_date(self, day: date) -> bool:
        """Whether ``day`` is the last day of a fiscal ``review`` unit."""
        return self.next_review_date(day) == day

    def next_review_date(self, day: date) -> date:
        """The last day of the fiscal ``review`` unit containing ``day``."""
        return self._unit(self.review or self.period, day).end


@attrs.frozen
class TierOverride:
    """A manual tier set by a person, with the reason, until ``expires`` (exclusive).

    While active it beats the evaluation and the timing rules; ``expires``
    ``None`` means until lifted. Raises :class:`ValidationError` for an empty
    tier key, reason or ``set_by``.
    """

    tier_key: str
    reason: str
    set_by: str
    expires: date | None = None

    def __attrs_post_init__(self) -> None:
        errors = [
            FieldError(name, "required", f"{name} must be non-empty text")
            for name in ("tier_key", "reason", "set_by")
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip()
        ]
        if self.expires is not None and not isinstance(self.expires, date):
            errors.append(FieldError("expires", "invalid", "expected a date or None"))
        if errors:
            raise ValidationError(errors)

    def active_on(self, day: date) -> bool:
        """Whether the override applies on ``day``."""
        return self.expires is None or day < self.expires


@attrs.frozen
class TierPolicy:
    """When evaluated tier changes become real.

    Upgrades take effect on the review day (``upgrades="immediate"``) or at
    the start of the calendar's next period (``"next_period"``). Downgrades
    happen only on a review date of ``calendar``, and only once the current
    tier has been held ``downgrade_grace_days``; ``max_steps_down`` limits how
    many tiers one downgrade may drop (``None``: straight to the evaluated
    tier). A :class:`TierOverride` beats all of this while active.
    Raises :class:`ValidationError` for bad settings.
    """

    calendar: ReviewCalendar = attrs.field(factory=CalendarReviews)
    upgrades: UpgradeTiming = "immediate"
    downgrade_grace_days: int = 90
    max_steps_down: int | None = None

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.calendar, ReviewCalendar):
            errors.append(FieldError("calendar", "invalid", "expected a ReviewCalendar"))
        if self.upgrades not in ("immediate", "next_period"):
            errors.append(
                FieldError("upgrades", "invalid_choice", "use 'immediate' or 'next_period'")
            )
        grace = self.downgrade_grace_days
        if isinstance(grace, bool) or not isinstance(grace, int) or grace < 0:
            errors.append(
                FieldError(
                    "downgrade_grace_days", "out_of_range", "use a whole number of days >= 0"
                )
            )
        steps = self.max_steps_down
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, int) or steps < 1
        ):
            errors.append(FieldError("max_steps_down", "out_of_range", "use None or a number >= 1"))
        if errors:
            raise ValidationError(errors)

    @isolated
    def review(
        self,
        history: TierHistory,
        evaluation: TierEvaluation,
        as_of: date,
        *,
        override: TierOverride | None = None,
    ) -> TierChange:
        """Decide what happens to the partner's tier on ``as_of``.

        Returns a :class:`TierChange`: ``"hold"`` (with the reason the tier
        stays, such as a downgrade waiting for the next review date),
        ``"upgrade"`` or ``"downgrade"`` with its effective date. A partner
        without history gets the evaluated tier at once. Raises
        :class:`ValidationError` if the held or overriding tier is not in the
        evaluation's ladder, or if the history's last span closed before
        ``as_of`` (the partner left the program); for an argument of the
        wrong type, at its name; and for an ``as_of`` whose next period or
        review date falls after year 9999, at ``as_of`` (``out_of_range``).
        """
        _check_review_arguments(history, evaluation, as_of, override)
        try:
            return self._review(history, evaluation, as_of, override)
        except ValidationError as exc:
            if exc.paths != ("day",):
                raise
            raise ValidationError.single("as_of", "out_of_range", exc.errors[0].message) from None

    def _review(
        self,
        history: TierHistory,
        evaluation: TierEvaluation,
        as_of: date,
        override: TierOverride | None,
    ) -> TierChange:
        ladder = evaluation.ladder
        held_span = history.span_on(as_of)
        latest = history.latest
        errors: list[FieldError] = []
        if held_span is not None and held_span.tier_key not in ladder:
            errors.append(
                FieldError(
                    "history", "invalid", f"tier {held_span.tier_key!r} is not in the ladder"
                )
            )
        if held_span is None and latest is not None and latest.end is not None:
            errors.append(
                FieldError("history", "invalid", f"the partner holds no tier after {latest.end}")
            )
        if override is not None and override.tier_key not in ladder:
            errors.append(
                FieldError("override.tier_key", "invalid", f"no tier {override.tier_key!r}")
            )
        if errors:
            raise ValidationError(errors)
        held = held_span.tier_key if held_span is not None else None

        if override is not None and override.active_on(as_of):
            target = override.tier_key
            until = f" until {override.expires}" if override.expires else ""
            reason = f"manual override{until}: {override.reason}"
            if held == target:
                return TierChange("hold", held, held, as_of, reason, override.set_by)
            return TierChange(
                _direction(ladder, held, target), held, target, as_of, reason, override.set_by
            )

        evaluated = evaluation.tier_key
        name = ladder.tier(evaluated).name
        if held is None or held_span is None:
            return TierChange("upgrade", None, evaluated, as_of, f"first tier: {name}")
        if latest is not None and latest.start > as_of:
            return TierChange(
                "hold",
                held,
                held,
                as_of,
                f"a change to {latest.tier_key!r} is scheduled for {latest.start}",
            )
        held_position = ladder.position(held)
        target_position = ladder.position(evaluated)
        if target_position == held_position:
            return TierChange("hold", held, held, as_of, f"meets the criteria of {name}")
        if target_position > held_position:
            if self.upgrades == "immediate":
                return TierChange(
                    "upgrade", held, evaluated, as_of, f"meets the criteria of {name}"
                )
            start = self.calendar.period_start_after(as_of)
            return TierChange(
                "upgrade", held, evaluated, start, f"meets the criteria of {name} from {start}"
            )
        held_name = ladder.tier(held).name
        if not self.calendar.is_review_date(as_of):
            review = self.calendar.next_review_date(as_of)
            return TierChange(
                "hold",
                held,
                held,
                as_of,
                f"below the criteria of {held_name}; tiers are lowered on review dates "
                f"(next: {review})",
            )
        grace_end = held_span.start + timedelta(days=self.downgrade_grace_days)
        if as_of < grace_end:
            return TierChange(
                "hold",
                held,
                held,
                as_of,
                f"below the criteria of {held_name}; in the grace period until {grace_end}",
            )
        if self.max_steps_down is not None:
            target_position = max(target_position, held_position - self.max_steps_down)
        return TierChange(
            "downgrade",
            held,
            ladder.tiers[target_position].key,
            as_of,
            f"below the criteria of {held_name} at the review on {as_of}",
        )


def _direction(
    ladder: TierLadder, held: str | None, target: str
) -> Literal["upgrade", "downgrade"]:
    if held is None:
        return "upgrade"
    return "upgrade" if ladder.position(target) > ladder.position(held) else "downgrade"


def _check_review_arguments(
    history: object, evaluation: object, as_of: object, override: object
) -> None:
    errors: list[FieldError] = []
    if not isinstance(history, TierHistory):
        errors.append(FieldError("history", "invalid", "expected a TierHistory"))
    if not isinstance(evaluation, TierEvaluation):
        errors.append(FieldError("evaluation", "invalid", "expected a TierEvaluation"))
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        errors.append(FieldError("as_of", "invalid", "expected a date"))
    if override is not None and not isinstance(override, TierOverride):
        errors.append(FieldError("override", "invalid", "expected a TierOverride or None"))
    if errors:
        raise ValidationError(errors)
